"""What every build step shares: the error that stops a build, and how it speaks."""

from pathlib import Path

from .paths import REPO


class BuildError(Exception):
    """A step failed. The message says in one line what failed and what to do; ``details`` (what the
    failing tool said) are printed above it, so the last line of a failed build is always that one."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


class BuildStopped(BuildError):
    """The build was interrupted (Ctrl-C)."""


def say(message: str) -> None:
    print(message, flush=True)


def shown(path: Path) -> str:
    """A path as the reader knows it: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)

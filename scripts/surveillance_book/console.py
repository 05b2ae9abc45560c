"""What every build step shares: the error that stops a build, and how it speaks."""

from pathlib import Path

from .paths import REPO


class BuildError(Exception):
    """A step failed; the message says what and what to do."""


def say(message: str) -> None:
    print(message, flush=True)


def shown(path: Path) -> str:
    """A path as the reader knows it: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)

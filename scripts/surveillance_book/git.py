"""The one way the package runs git."""

import subprocess
from pathlib import Path

from .paths import REPO


def git(*args: str, repo: Path = REPO) -> str:
    """Run git in ``repo`` and return what it printed; a failing command raises CalledProcessError."""
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout

"""Scratch clones of the repository, for tests that build or break a whole book."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from surveillance_book.paths import REPO


def fresh_clone(target: Path) -> Path:
    """A clone of this repository (its tags too: the changes page reads them) with the working tree's
    tracked files copied over it, so uncommitted edits are tested as well."""
    subprocess.run(["git", "clone", "--quiet", "--shared", str(REPO), str(target)], check=True)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, target / name)
    return target


def build_command(clone: Path, *args: str) -> tuple[list[str], dict]:
    """The command and environment that build a clone with its own package and this environment's
    Python (PYTHONPATH reaches Sphinx, which jupyter-book runs in a subprocess)."""
    env = {**os.environ, "PYTHONPATH": str(clone / "scripts")}
    return [sys.executable, str(clone / "scripts" / "build_book.py"), *args], env


def build(clone: Path, *args: str) -> subprocess.CompletedProcess:
    cmd, env = build_command(clone, *args)
    return subprocess.run(cmd, cwd=clone, env=env, capture_output=True, text=True)

"""The same sources give the same HTML, byte for byte, wherever the repository is cloned (issue 14, item 12)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from surveillance_book.paths import REPO


def _fresh_clone(target: Path) -> Path:
    """A clone of this repository (its tags too: the changes page reads them) with the working tree's
    tracked files copied over it, so uncommitted edits are tested as well."""
    subprocess.run(["git", "clone", "--quiet", "--shared", str(REPO), str(target)], check=True)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, target / name)
    return target


def _build_html(clone: Path) -> Path:
    """The HTML of a clone, built from its stored notebooks by the clone's own package and this
    environment's Python (PYTHONPATH reaches Sphinx, which jupyter-book runs in a subprocess)."""
    env = {**os.environ, "PYTHONPATH": str(clone / "scripts")}
    result = subprocess.run([sys.executable, str(clone / "scripts" / "build_book.py"), "--no-execute", "--no-pdf"],
                            cwd=clone, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return clone / "_build" / "html"


def _files(tree: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tree)): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}


def test_two_clones_in_different_folders_build_byte_identical_html(tmp_path):
    first = _files(_build_html(_fresh_clone(tmp_path / "one" / "book")))
    second = _files(_build_html(_fresh_clone(tmp_path / "second-place" / "clone")))
    assert sorted(first) == sorted(second), "the two builds made different files"
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], f"these files differ between the two builds: {differing}"
    assert ".buildinfo" in first and "searchindex.js" in first  # the files that used to differ are compared

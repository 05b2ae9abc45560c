"""Shared fixtures: the repository paths and one book build for the output tests."""

import shutil
from pathlib import Path

import pytest

from surveillance_book.paths import DATA_DIR, REPO


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the book (HTML and PDF, warnings as errors) from the stored notebooks into a temporary folder."""
    from surveillance_book.build import build

    build_dir = tmp_path_factory.mktemp("book") / "_build"
    build(build_dir, execute_notebooks=False)
    return build_dir


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO

"""The same sources give the same HTML, byte for byte, wherever the repository is cloned (issue 14, item 12)."""

from pathlib import Path

from clones import build, fresh_clone


def _build_html(clone: Path) -> Path:
    """The HTML of a clone, built from its stored notebooks."""
    result = build(clone, "--no-execute", "--no-pdf")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return clone / "_build" / "html"


def _files(tree: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tree)): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}


def test_two_clones_in_different_folders_build_byte_identical_html(tmp_path):
    first = _files(_build_html(fresh_clone(tmp_path / "one" / "book")))
    second = _files(_build_html(fresh_clone(tmp_path / "second-place" / "clone")))
    assert sorted(first) == sorted(second), "the two builds made different files"
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], f"these files differ between the two builds: {differing}"
    assert ".buildinfo" in first and "searchindex.js" in first  # the files that used to differ are compared

"""What changed in the data since the previous edition: a row-level diff (daff) of every
table against the data at the previous edition's git tag ``vX.Y.Z``."""

import csv
import io
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import daff

from .data import package
from .edition import SEMVER
from .git import git
from .paths import DATA_DIR, REPO


@dataclass
class TableChange:
    table: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    rows: list[list[str]] = field(default_factory=list)  # daff's highlighter table, changed rows only

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _semver(tag: str) -> tuple[int, ...] | None:
    match = SEMVER.match(tag.removeprefix("v"))
    return tuple(map(int, match.groups())) if tag.startswith("v") and match else None


def previous_tag(version: str, repo: Path = REPO) -> str | None:
    """The highest edition tag below ``version``, or None for a first edition (or no git)."""
    try:
        tags = git("tag", "--list", "v*", repo=repo).split()
    except (OSError, subprocess.CalledProcessError):
        return None
    current = _semver(f"v{version}")
    earlier = [t for t in tags if (v := _semver(t)) and v < current]
    return max(earlier, key=_semver) if earlier else None


def _rows(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text))]


def table_at(tag: str, relative: str, repo: Path = REPO) -> list[list[str]]:
    try:
        return _rows(git("show", f"{tag}:{relative}", repo=repo))
    except subprocess.CalledProcessError:
        return []  # the table did not exist in that edition


def diff(old: list[list[str]], new: list[list[str]], key: list[str], table: str) -> TableChange:
    flags = daff.CompareFlags()
    for column in key:
        flags.addPrimaryKey(column)
    flags.unchanged_context = 0
    old_view = daff.PythonTableView(old or [new[0]])
    alignment = daff.Coopy.compareTables(old_view, daff.PythonTableView(new), flags).align()
    highlighted = daff.PythonTableView([])
    daff.TableDiff(alignment, flags).hilite(highlighted)
    rows = [list(map(str, r)) for r in highlighted.data]
    change = TableChange(table, rows=rows)
    for row in rows[1:]:
        marker = row[0]
        if marker == "+++":
            change.added += 1
        elif marker == "---":
            change.removed += 1
        elif "->" in marker:
            change.changed += 1
    return change


def changes_since(tag: str, data_dir: Path = DATA_DIR, repo: Path = REPO) -> list[TableChange]:
    result = []
    for res in package(data_dir)["resources"]:
        path = Path(data_dir) / res["path"]
        relative = path.resolve().relative_to(repo.resolve()).as_posix()
        new = _rows(path.read_text(encoding="utf-8"))
        result.append(diff(table_at(tag, relative, repo), new, res["schema"]["primaryKey"], res["name"]))
    return result


def html_table(change: TableChange) -> str:
    renderer = daff.DiffRender()
    renderer.render(daff.PythonTableView(change.rows))
    return renderer.html()

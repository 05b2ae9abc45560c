"""The "what changed" page: a real row-level diff between two tagged editions."""

import csv
import shutil
import subprocess

from surveillance_book import changes
from surveillance_book.paths import DATA_DIR


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True,
                   capture_output=True)


def _edit_amount(path, contract_id, amount):
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["contract_id"] == contract_id:
            row["amount_usd"] = amount
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_one_changed_row_between_two_tagged_editions(tmp_path):
    repo = tmp_path / "book"
    shutil.copytree(DATA_DIR, repo / "data")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "edition 0.1.0")
    _git(repo, "tag", "v0.1.0")
    _edit_amount(repo / "data" / "contracts.csv", "icm-2014", "51700000")
    _git(repo, "commit", "-qam", "correct ICM amount")
    _git(repo, "tag", "v0.2.0")

    assert changes.previous_tag("0.2.0", repo) == "v0.1.0"
    assert changes.previous_tag("0.1.0", repo) is None
    result = {c.table: c for c in changes.changes_since("v0.1.0", repo / "data", repo)}
    assert (result["contracts"].added, result["contracts"].removed, result["contracts"].changed) == (0, 0, 1)
    assert [c.table for c in result.values() if c.any] == ["contracts"]
    html = changes.html_table(result["contracts"])
    assert "icm-2014" in html and "51600000→51700000" in html


def test_added_and_removed_rows_are_counted():
    old = [["id", "v"], ["a", "1"], ["b", "2"]]
    new = [["id", "v"], ["b", "2"], ["c", "3"]]
    change = changes.diff(old, new, ["id"], "t")
    assert (change.added, change.removed, change.changed) == (1, 1, 0)


def test_a_table_new_in_this_edition_is_all_added():
    change = changes.diff([], [["id", "v"], ["a", "1"]], ["id"], "t")
    assert (change.added, change.removed, change.changed) == (1, 0, 0)

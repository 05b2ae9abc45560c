"""Reruns are reproducible and their inputs are known for certain.

Each chapter is executed again, as the build does, in a scratch folder: the result
must be byte-identical to the committed notebook (no timestamps, random ids or
memory addresses), and it must read nothing its manifest entry does not cover.
"""

import os
import shutil
from pathlib import Path

import pytest

from surveillance_book import build, console, execute
from surveillance_book.paths import DATA_DIR

CHAPTERS = execute.notebooks()


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_rerun_is_identical_and_reads_only_what_the_manifest_covers(path, tmp_path):
    (tmp_path / "notebooks").mkdir()
    os.symlink(DATA_DIR, tmp_path / "data")  # the notebook's default data_dir is ../data
    copy = tmp_path / "notebooks" / path.name
    shutil.copyfile(path, copy)
    reads = {console.shown(Path(f)) for f in execute.execute(copy)}
    assert copy.read_bytes() == path.read_bytes(), "stored notebook differs from a fresh run: run `make book`"
    covered = set(execute.load_manifest()[path.name])
    assert any(r.startswith("data/") for r in reads), "the loader recorded no data file"
    assert reads - {copy.as_posix()} <= covered, f"read but not in the manifest: {sorted(reads - covered)}"


def test_a_changed_csv_reruns_only_the_notebooks_that_read_it():
    manifest = execute.load_manifest()
    for table in ("data/metrics.csv", "data/events.csv", "data/concerns.csv"):
        changed = {name: dict(entry, **{table: "0" * 64}) if table in entry else entry
                   for name, entry in manifest.items()}
        stale = {p.name for p in CHAPTERS if execute.why_stale(p, changed, force=False)}
        assert stale == {name for name, entry in manifest.items() if table in entry}


def test_two_builds_give_identical_pages_and_pdf(built_book, tmp_path):
    build.build(tmp_path / "_build", execute_notebooks=False)
    pdf = Path("pdf") / build.PDF_NAME
    assert (built_book / pdf).read_bytes() == (tmp_path / "_build" / pdf).read_bytes()
    first, second = built_book / "html", tmp_path / "_build" / "html"
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    # .buildinfo holds Sphinx's hash of its configuration, which includes the build folder's path
    differing = [str(f) for f in files
                 if f.name != ".buildinfo" and (first / f).read_bytes() != (second / f).read_bytes()]
    assert differing == []

"""The build knows for certain what each notebook reads: a rerun reads nothing its manifest entry does not cover."""

import json
from pathlib import Path

import papermill
import pytest

from surveillance_book import build
from surveillance_book.data import READ_LOG_ENV
from surveillance_book.paths import NOTEBOOKS_DIR

CHAPTERS = build.notebooks()


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_notebook_reads_only_what_its_manifest_covers(path, tmp_path, monkeypatch):
    log = tmp_path / "reads.json"
    monkeypatch.setenv(READ_LOG_ENV, str(log))
    papermill.execute_notebook(str(path), str(tmp_path / path.name), cwd=str(NOTEBOOKS_DIR),
                               kernel_name="python3", progress_bar=False)
    reads = {build.shown(Path(f)) for f in json.loads(log.read_text())}
    covered = set(build.load_manifest()[path.name])
    assert reads, "the loader recorded nothing"
    assert any(r.startswith("data/") for r in reads)
    assert reads <= covered, f"read but not in notebooks/manifest.json: {sorted(reads - covered)}"


def test_a_changed_csv_reruns_only_the_notebooks_that_read_it():
    manifest = build.load_manifest()
    for table in ("data/metrics.csv", "data/events.csv", "data/concerns.csv"):
        changed = {name: dict(entry, **{table: "0" * 64}) if table in entry else entry
                   for name, entry in manifest.items()}
        stale = {p.name for p in CHAPTERS if build.why_stale(p, changed, force=False)}
        assert stale == {name for name, entry in manifest.items() if table in entry}

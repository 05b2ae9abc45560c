"""The build entry point: what it reruns, how it fails, and that failures leave the last good book."""

import csv
import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from surveillance_book import build, execute
from surveillance_book.paths import NOTEBOOKS_DIR, REPO


def _notebook(tmp_path, *sources, name="nb.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s, id=f"c{i}") for i, s in enumerate(sources)]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_a_failing_cell_is_named_and_the_notebook_is_left_as_it_was(tmp_path):
    path = _notebook(tmp_path, "x = 1", "import pandas\nraise ValueError('bad row in data/contracts.csv')")
    before = path.read_bytes()
    with pytest.raises(build.BuildError) as err:
        execute.execute(path)
    message = str(err.value)
    assert "nb.ipynb, cell 2 ('import pandas'): ValueError: bad row in data/contracts.csv" in message
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]  # no half-written output left


def test_a_kernel_that_dies_is_one_error_and_prints_nothing_of_its_own(tmp_path):
    """papermill's client logs a dying kernel as well as raising it; on Ctrl-C (the signal reaches the
    kernels too) that log line came before BUILD STOPPED, breaking its one line. The error says it once."""
    path = _notebook(tmp_path, "import os\nos._exit(1)")
    code = ("import sys\nfrom pathlib import Path\nfrom surveillance_book import execute\n"
            "try:\n    execute.execute(Path(sys.argv[1]))\nexcept execute.BuildError as err:\n    print(err)\n")
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert "could not execute: DeadKernelError" in run.stdout, run.stdout + run.stderr
    assert "Kernel died" not in run.stderr, run.stderr  # outside pytest, whose log capture would hide it


def test_a_successful_run_stores_outputs_without_timestamps(tmp_path):
    path = _notebook(tmp_path, "print(6 * 7)")
    execute.execute(path)
    nb = json.loads(path.read_text())
    assert "".join(nb["cells"][0]["outputs"][0]["text"]) == "42\n"
    assert "papermill" not in nb["metadata"]
    assert all("execution" not in c["metadata"] and "papermill" not in c["metadata"] for c in nb["cells"])
    first, written = path.read_bytes(), path.stat().st_mtime_ns
    execute.execute(path)
    assert path.read_bytes() == first  # a rerun with nothing changed changes nothing
    assert path.stat().st_mtime_ns == written  # nor writes the file: Sphinx does not read it again
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]


def test_staleness_names_the_input_that_changed(tmp_path, monkeypatch):
    chapter = execute.notebooks()[0]
    reads = [str(REPO / "data" / "metrics.csv")]
    manifest = {chapter.name: execute.notebook_inputs(chapter, reads)}
    assert execute.why_stale(chapter, manifest, force=False) is None
    assert execute.why_stale(chapter, manifest, force=True) == "FORCE=1"
    assert execute.why_stale(chapter, {}, force=False) == "never executed"
    edited = dict(manifest[chapter.name], **{"data/metrics.csv": "0" * 64})
    assert execute.why_stale(chapter, {chapter.name: edited}, force=False) == "changed: data/metrics.csv"


def test_source_hash_ignores_outputs_but_not_code(tmp_path):
    path = _notebook(tmp_path, "print(1)")
    before = execute.notebook_source_hash(path)
    execute.execute(path)
    assert execute.notebook_source_hash(path) == before
    _notebook(tmp_path, "print(2)")
    assert execute.notebook_source_hash(path) != before


def test_stored_manifest_matches_the_stored_notebooks():
    """The committed notebooks were executed from the committed inputs (else `make book` and commit)."""
    manifest = execute.load_manifest()
    for chapter in execute.notebooks():
        assert execute.why_stale(chapter, manifest, force=False) is None, chapter.name


class _InOrder:
    """A process pool that runs each notebook when it is submitted, keeping the order."""

    def __init__(self, *args, **kwargs):
        self.submitted = SUBMITTED

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, function, path):
        from concurrent.futures import Future

        self.submitted.append(path.name)
        future = Future()
        try:
            future.set_result(function(path))
        except Exception as err:  # noqa: BLE001 - a real pool keeps it for result() too
            future.set_exception(err)
        return future


SUBMITTED: list[str] = []


def test_the_longest_notebooks_run_first_and_report_in_the_books_order(tmp_path, monkeypatch):
    """Two cores finish sooner when the long runs start first; a stored notebook's size stands for its time."""
    SUBMITTED.clear()
    monkeypatch.setattr(execute, "ProcessPoolExecutor", _InOrder)
    monkeypatch.setattr(execute, "MANIFEST", tmp_path / "manifest.json")
    failing = {"databases.ipynb", "cloud.ipynb"}

    def run(path):
        if path.name in failing:
            raise execute.BuildError(f"{path.name} failed")
        return []

    monkeypatch.setattr(execute, "execute", run)
    with pytest.raises(execute.BuildError) as failed:
        execute.execute_stale(force=True)
    chapters = execute.notebooks()
    assert SUBMITTED == [p.name for p in sorted(chapters, key=lambda p: p.stat().st_size, reverse=True)]
    assert SUBMITTED != [p.name for p in chapters]  # else this test shows nothing
    assert failed.value.details.splitlines() == [f"{p.name} failed" for p in chapters if p.name in failing]
    assert set(json.loads((tmp_path / "manifest.json").read_text())) == {p.name for p in chapters} - failing


def test_invalid_data_stops_the_build_before_anything_runs(data_copy, tmp_path, monkeypatch):
    with (data_copy / "contracts.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["amount_usd"] = "lots"
    with (data_copy / "contracts.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setattr(build, "DATA_DIR", data_copy)
    ran = []
    monkeypatch.setattr(build, "execute_stale", lambda *a, **k: ran.append("execute"))
    monkeypatch.setattr(build, "sphinx", lambda *a, **k: ran.append("sphinx"))
    with pytest.raises(build.BuildError, match=r"1 problem\(s\) in the data") as failed:
        build.build(tmp_path / "_build")
    assert 'contracts.csv, line 2 (data row 1), field "amount_usd"' in failed.value.details
    assert ran == []
    assert not (tmp_path / "_build").exists()


def test_a_failed_book_build_keeps_the_last_good_book(tmp_path, monkeypatch):
    build_dir = tmp_path / "_build"
    (build_dir / "html").mkdir(parents=True)
    (build_dir / "html" / "index.html").write_text("last good book")
    (build_dir / "pdf").mkdir()
    (build_dir / "pdf" / build.PDF_NAME).write_text("last good pdf")

    def failing_sphinx(builder, work, pdf=True):
        (work / "_build" / "html").mkdir(parents=True, exist_ok=True)
        (work / "_build" / "html" / "index.html").write_text("half a book")
        if builder == "pdflatex":
            raise build.BuildError("LaTeX failed")

    monkeypatch.setattr(build, "sphinx", failing_sphinx)
    with pytest.raises(build.BuildError, match="LaTeX failed"):
        build.build(build_dir, execute_notebooks=False, force=True)
    assert (build_dir / "html" / "index.html").read_text() == "last good book"
    assert (build_dir / "pdf" / build.PDF_NAME).read_text() == "last good pdf"


def test_notebooks_are_the_chapters_of_the_table_of_contents():
    chapters = execute.notebooks()
    assert chapters and all(p.parent == NOTEBOOKS_DIR and p.suffix == ".ipynb" for p in chapters)
    assert shutil.which("chromium"), "Debian chromium is needed by the browser tests"


def test_kernels_and_the_sphinx_processes_start_without_the_iri_grammar():
    """jsonschema (imported by Altair, Frictionless and myst-nb) compiled RFC 3987's grammar in every chapter's
    kernel and every Sphinx process, one to two seconds each, for a format no schema of the book uses."""
    code = ("import sys, surveillance_book.chapter, surveillance_book.figures.network, myst_nb.sphinx_ext, jsonschema\n"
            "print(sys.modules['rfc3987_syntax'], 'uri' in jsonschema.FormatChecker().checkers)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert run.stdout.split() == ["None", "True"], run.stderr  # other formats are still checked
    command = [sys.executable, "-m", "surveillance_book.jupyter_book_command", "--version"]
    version = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    assert version.returncode == 0 and "1.0.4.post1" in version.stdout, version.stdout + version.stderr

"""The one build entry point: validate, execute what changed, build HTML and PDF, swap in.

Steps, each stopping the build with a message on failure:
1. validate the data package;
2. execute with papermill each notebook whose inputs changed since the hashes
   recorded in ``notebooks/manifest.json`` (the notebook's cells, the data,
   the shared package and the lock), in parallel, writing a notebook only
   after its run succeeded;
3. build the HTML and the PDF, each only when the book's sources changed, side by
   side in ``_build/.work/html`` and ``_build/.work/pdf`` (Sphinx warnings are errors);
4. copy the results to ``_build/html`` and ``_build/pdf`` only when all
   succeeded, so a failed build leaves the last good book in place.
"""

import argparse
import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from . import FIGURE_METADATA
from .edition import edition
from .paths import DATA_DIR, NOTEBOOKS_DIR, REPO

MANIFEST = NOTEBOOKS_DIR / "manifest.json"
PDF_NAME = "high-tech-surveillance-of-immigrants.pdf"
# Every notebook depends on itself, the lock, and what its last run read (recorded by the loader).
LOCK = REPO / "requirements.lock"
# Everything the HTML and PDF are made from, with the chapter notebooks of the TOC.
# data/ is zipped into every HTML build (and sources.csv makes the bibliography).
BOOK_INPUTS = ["_config.yml", "_toc.yml", "CITATION.cff", "book/**/*", "data/*",
               "scripts/surveillance_book/*.py", "requirements.lock"]


class BuildError(Exception):
    """A step failed; the message says what and what to do."""


def say(message: str) -> None:
    print(message, flush=True)


def shown(path: Path) -> str:
    """A path as the reader knows it: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def notebook_source_hash(path: Path) -> str:
    """Hash of what a notebook asks to run: cell types, sources, tags — not its outputs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [[c["cell_type"], "".join(c["source"]), c.get("metadata", {}).get("tags", [])] for c in nb["cells"]]
    return _digest(json.dumps([cells, nb["metadata"].get("kernelspec")], sort_keys=True).encode())


def _files(patterns: list[str]) -> list[Path]:
    found = {p for pattern in patterns for p in REPO.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}
    return sorted(found)


def _file_hash(path: Path) -> str:
    return _digest(path.read_bytes()) if path.is_file() else "missing"


def notebook_inputs(path: Path, reads: list[str]) -> dict[str, str]:
    """Hashes of a notebook's inputs: its cells, the lock, and the files its run read."""
    inputs = {shown(Path(f)): _file_hash(Path(f)) for f in reads}
    inputs[shown(LOCK)] = _file_hash(LOCK)
    inputs[shown(path)] = notebook_source_hash(path)
    return inputs


def current_inputs(path: Path, recorded: dict[str, str]) -> dict[str, str]:
    """Today's hashes of the inputs a manifest entry recorded."""
    return notebook_inputs(path, [str(REPO / k) if not Path(k).is_absolute() else k for k in recorded])


def notebooks() -> list[Path]:
    """The chapter notebooks, in the order of the table of contents."""
    import yaml

    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [chapter["file"] for part in toc.get("parts", []) for chapter in part.get("chapters", [])]
    return [REPO / f"{f}.ipynb" for f in files if (REPO / f"{f}.ipynb").is_file()]


def load_manifest() -> dict:
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that an interruption leaves either the old or the new file, never half of one."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json_atomic(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def why_stale(path: Path, manifest: dict, force: bool) -> str | None:
    """Why a notebook must run again, or None when its recorded inputs are unchanged."""
    if force:
        return "FORCE=1"
    old = manifest.get(path.name)
    if old is None:
        return "never executed"
    new = current_inputs(path, old)
    changed = sorted(k for k in new.keys() | old.keys() if new.get(k) != old.get(k))
    return ("changed: " + ", ".join(changed)) if changed else None


def normalise(nb: dict) -> dict:
    """Drop what differs between identical runs (timestamps, durations), and make each
    chart a numbered figure: myst-nb reads the caption and name from the cell's metadata."""
    nb["metadata"].pop("papermill", None)
    for cell in nb["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
        figures = [o["metadata"][FIGURE_METADATA] for o in cell.get("outputs", [])
                   if FIGURE_METADATA in o.get("metadata", {})]
        if figures:
            cell["metadata"]["mystnb"] = {"figure": figures[0]}
    return nb


def execute(path: Path) -> list[str]:
    """Run one notebook with papermill; replace it only if the run succeeded.
    Returns the files the run read (data and shared modules), as the loader recorded them."""
    import nbformat
    import papermill

    from .data import READ_LOG_ENV

    tmp = path.with_name(f".{path.stem}.running.ipynb")
    read_log = path.with_name(f".{path.stem}.reads.json")
    os.environ[READ_LOG_ENV] = str(read_log)  # inherited by the kernel papermill starts
    try:
        papermill.execute_notebook(str(path), str(tmp), cwd=str(path.parent), kernel_name="python3",
                                   progress_bar=False, log_output=False, request_save_on_cell_execute=False)
        nb = nbformat.from_dict(normalise(json.loads(tmp.read_text(encoding="utf-8"))))
    except papermill.PapermillExecutionError as err:
        first_line = err.source.strip().splitlines()[0] if err.source.strip() else ""
        raise BuildError(f"{shown(path)}, cell {err.cell_index + 1} ({first_line!r}): {err.ename}: {err.evalue}\n"
                         "  fix the cell or the data it reads; the notebook and the book were left as they were"
                         ) from None
    except Exception as err:  # a kernel that died, a missing kernel, unreadable output
        raise BuildError(f"{shown(path)}: could not execute: {type(err).__name__}: {err}") from None
    finally:
        tmp.unlink(missing_ok=True)  # also on Ctrl-C: nothing half-written is left
        os.environ.pop(READ_LOG_ENV, None)
        reads = json.loads(read_log.read_text()) if read_log.exists() else []
        read_log.unlink(missing_ok=True)
    nbformat.validate(nb)
    write_atomic(path, nbformat.writes(nb) + "\n")
    return reads


def execute_stale(force: bool = False, jobs: int | None = None) -> list[str]:
    manifest = load_manifest()
    stale = {p: why for p in notebooks() if (why := why_stale(p, manifest, force))}
    if not stale:
        say("notebooks: all up to date, nothing executed")
        return []
    for path, why in stale.items():
        say(f"executing {shown(path)} ({why})")
    errors = []
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = {pool.submit(execute, p): p for p in stale}
        for future, path in futures.items():
            try:
                manifest[path.name] = notebook_inputs(path, future.result())
            except BuildError as err:
                errors.append(str(err))
    # Record the successful runs even when another failed, so they are not redone.
    manifest = {k: v for k, v in manifest.items() if (NOTEBOOKS_DIR / k).exists()}
    write_json_atomic(MANIFEST, manifest)
    if errors:
        raise BuildError("notebook execution failed:\n" + "\n".join(errors))
    return [p.name for p in stale]


def book_hash() -> str:
    h = hashlib.sha256()
    for f in sorted(set(_files(BOOK_INPUTS)) | set(notebooks())):
        h.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def sphinx(builder: str, work: Path) -> None:
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(REPO), "--path-output", str(work),
           "--builder", builder, "-W", "--keep-going", "-q"]
    # PDF timestamps are the edition's release date, so rebuilding an edition gives the same file.
    epoch = int(datetime.datetime.combine(edition().released, datetime.time(), datetime.UTC).timestamp())
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        if builder == "pdflatex":  # latexmk answers "Nothing to do" after a failed run unless its folder goes
            shutil.rmtree(work / "_build" / "latex", ignore_errors=True)
        raise BuildError(f"jupyter-book {builder} build failed (warnings count as errors):\n"
                         f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


def replace_dir(source: Path, target: Path) -> None:
    new, old = target.with_name(target.name + ".new"), target.with_name(target.name + ".old")
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(source, new)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _stale(output: Path, stamp: Path, digest: str) -> bool:
    """An output must be rebuilt unless it exists and was built from these very inputs."""
    return not output.exists() or not stamp.exists() or stamp.read_text() != digest


def replace_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


@contextlib.contextmanager
def exclusive(build_dir: Path):
    """One build at a time per build folder: a second one waits instead of mixing files."""
    build_dir.mkdir(parents=True, exist_ok=True)
    with (build_dir / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another build is running in {build_dir}; waiting for it…")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build(build_dir: Path, *, force: bool = False, execute_notebooks: bool = True, pdf: bool = True) -> None:
    from .validate import validate

    started = time.monotonic()
    problems = validate(DATA_DIR)
    if problems:
        raise BuildError("data validation failed:\n" + "\n".join(map(str, problems))
                         + "\nfix the data (see data/README.md) and run `make book` again")
    say("data: valid")
    with exclusive(build_dir):
        _build_validated(build_dir, force=force, execute_notebooks=execute_notebooks, pdf=pdf)
    ed = edition()
    say(f"\nEdition {ed.version} built in {time.monotonic() - started:.0f} s:\n"
        f"  HTML: {build_dir / 'html' / 'index.html'}\n"
        + (f"  PDF:  {build_dir / 'pdf' / PDF_NAME}\n" if pdf else ""))


def _build_validated(build_dir: Path, *, force: bool, execute_notebooks: bool, pdf: bool) -> None:
    if execute_notebooks:
        execute_stale(force)
    work = build_dir / ".work"
    digest = book_hash()
    html_path, pdf_path = build_dir / "html", build_dir / "pdf" / PDF_NAME
    html_stale = force or _stale(html_path, work / "html.inputs", digest)
    pdf_stale = pdf and (force or _stale(pdf_path, work / "pdf.inputs", digest))
    # HTML and PDF build side by side, each in its own folder (own doctrees), one per core.
    jobs = [("html", work / "html")] * html_stale + [("pdflatex", work / "pdf")] * pdf_stale
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(sphinx, builder, folder) for builder, folder in jobs]:
            future.result()  # the first failure stops the build here, before anything is replaced
    # Only now, with every step done, replace the published book.
    if html_stale:
        replace_dir(work / "html" / "_build" / "html", html_path)
        (work / "html.inputs").write_text(digest)
    if pdf_stale:
        replace_file(work / "pdf" / "_build" / "latex" / "book.pdf", pdf_path)
        (work / "pdf.inputs").write_text(digest)
    say(f"html: {'built' if html_stale else 'content unchanged, not rebuilt'}")
    if pdf:
        say(f"pdf: {'built' if pdf_stale else 'content unchanged, not rebuilt'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="re-execute every notebook and rebuild the PDF")
    parser.add_argument("--no-execute", action="store_true", help="build from the notebooks as stored")
    parser.add_argument("--no-pdf", action="store_true", help="build the HTML only")
    parser.add_argument("--build-dir", type=Path, default=REPO / "_build")
    args = parser.parse_args(argv)
    try:
        build(args.build_dir.resolve(), force=args.force, execute_notebooks=not args.no_execute, pdf=not args.no_pdf)
    except BuildError as err:
        print(f"\nBUILD FAILED: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

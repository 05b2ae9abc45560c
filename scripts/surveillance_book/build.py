"""The one build entry point: validate, execute what changed, build HTML and PDF, swap in.

Steps, each stopping the build with a message on failure:
1. validate the data package;
2. execute (``execute.py``) with papermill each notebook whose inputs changed since the hashes
   recorded in ``notebooks/manifest.json`` (the notebook's cells, the data,
   the shared package and the lock), in parallel, writing a notebook only
   after its run succeeded; then check that every figure the prose prints has its data rows;
3. build the HTML and the PDF, each only when the book's sources changed, side by
   side in ``_build/.work/html`` and ``_build/.work/pdf`` (Sphinx warnings are errors);
4. copy the results to ``_build/html``, ``_build/pdf`` and ``_build/claims.csv`` only when all
   succeeded, so a failed build leaves the last good book in place; the PDF goes into the HTML tree too
   (``_static/``, linked from every page's download menu, ``downloads.py``), so the HTML links the very
   PDF beside it, opened from disk, served or unzipped from a release.
"""

import argparse
import contextlib
import datetime
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import directory
from .claims import REGISTER_NAME
from .claims import problems as claim_problems
from .console import BuildError, BuildStopped, say
from .downloads import PDF_ENV, PDF_FOLDER
from .edition import edition
from .execute import execute_stale, notebooks
from .paths import DATA_DIR, REPO

PDF_NAME = "high-tech-surveillance-of-immigrants.pdf"
# Everything the HTML and PDF are made from, with the chapter notebooks of the TOC.
# data/ is zipped into every HTML build (and sources.csv makes the bibliography).
BOOK_INPUTS = ["_config.yml", "_toc.yml", "CITATION.cff", "LICENSE-CONTENT", "book/**/*", "data/*",
               "scripts/surveillance_book/*.py", "scripts/surveillance_book/templates/*", "requirements.lock"]


def _files(patterns: list[str]) -> list[Path]:
    found = {p for pattern in patterns for p in REPO.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}
    return sorted(found)


def book_hash() -> str:
    h = hashlib.sha256()
    for f in sorted(set(_files(BOOK_INPUTS)) | set(notebooks())):
        h.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def sphinx(builder: str, work: Path, pdf: bool = True) -> None:
    cmd = [sys.executable, "-m", "surveillance_book.jupyter_book_command", "build", str(REPO),
           "--path-output", str(work), "--builder", builder, "-W", "--keep-going", "-q"]
    # PDF timestamps are the edition's release date, so rebuilding an edition gives the same file.
    epoch = int(datetime.datetime.combine(edition().released, datetime.time(), datetime.UTC).timestamp())
    # The HTML links the PDF only when this build makes one (downloads.py).
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), PDF_ENV: PDF_NAME if pdf else ""}
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        if builder == "pdflatex":  # latexmk answers "Nothing to do" after a failed run unless its folder goes
            shutil.rmtree(work / "_build" / "latex", ignore_errors=True)
        raise BuildError(f"the {builder} build failed (warnings count as errors; its output is above); "
                         "the last good book was left as it was",
                         details=f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}".strip())


def replace_dir(source: Path, target: Path, extra: dict[str, Path] | None = None) -> None:
    """Swap ``target`` for a copy of ``source`` plus the ``extra`` files (path in the tree -> file)."""
    new, old = target.with_name(target.name + ".new"), target.with_name(target.name + ".old")
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(source, new)
    for name, file in (extra or {}).items():
        (new / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, new / name)
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
    from .validate import report, validate

    started = time.monotonic()
    problems = validate(DATA_DIR)
    if problems:
        raise BuildError(f"{len(problems):,} problem(s) in the data (listed above); fix them (see data/README.md) "
                         "and run `make book` again", details="\n".join(report(problems)))
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
    unsourced = claim_problems(notebooks())
    if unsourced:
        raise BuildError(f"{len(unsourced)} printed figure(s) without the rows behind them (listed above); "
                         "glue each with book.glue(key, rows, text)", details="\n".join(unsourced))
    pages = directory.generate(notebooks())
    say(f"directory: {pages['rendered']} page(s) drawn, {pages['unchanged']} unchanged")
    build_and_replace(build_dir, force=force, pdf=pdf)


def build_and_replace(build_dir: Path, *, force: bool = False, pdf: bool = True) -> None:
    """Build the HTML and the PDF whose sources changed, then put them in place of the published ones,
    the PDF inside the HTML tree too (the download menus link it there)."""
    work = build_dir / ".work"
    digest = book_hash()
    html_path, pdf_path = build_dir / "html", build_dir / "pdf" / PDF_NAME
    pdf_in_html = f"{PDF_FOLDER}/{PDF_NAME}"
    # The HTML links a PDF or not (--no-pdf): that is one of its inputs.
    html_digest = f"{digest}\npdf linked: {pdf}"
    html_stale = force or _stale(html_path, work / "html.inputs", html_digest) or (
        pdf and not (html_path / pdf_in_html).is_file())
    pdf_stale = pdf and (force or _stale(pdf_path, work / "pdf.inputs", digest))
    # HTML and PDF build side by side, each in its own folder (own doctrees), one per core.
    jobs = [("html", work / "html")] * html_stale + [("pdflatex", work / "pdf")] * pdf_stale
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(sphinx, builder, folder, pdf) for builder, folder in jobs]:
            future.result()  # the first failure stops the build here, before anything is replaced
    # Only now, with every step done, replace the published book. The HTML gets the PDF built with it
    # (or the published one, when its sources did not change): each swap is one rename.
    new_pdf = work / "pdf" / "_build" / "latex" / "book.pdf"
    if html_stale:
        replace_dir(work / "html" / "_build" / "html", html_path,
                    {pdf_in_html: new_pdf if pdf_stale else pdf_path} if pdf else None)
        replace_file(html_path / "_static" / REGISTER_NAME, build_dir / REGISTER_NAME)
        (work / "html.inputs").write_text(html_digest)
    elif pdf_stale:
        replace_file(new_pdf, html_path / pdf_in_html)
    if pdf_stale:
        replace_file(new_pdf, pdf_path)
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
    except BuildStopped as err:
        return _fail(f"BUILD STOPPED: {err}", err.details, 130)
    except KeyboardInterrupt:
        return _fail(f"BUILD STOPPED: {STOPPED}", "", 130)
    except BuildError as err:
        return _fail(f"BUILD FAILED: {err}", err.details, 1)
    except OSError as err:  # a folder that cannot be written (read-only, full disk, not ours)
        where = f" {err.filename}" if err.filename else ""
        return _fail(f"BUILD FAILED: cannot write{where}: {err.strerror or err}; make it writable (or build "
                     "elsewhere with --build-dir) and run `make book` again", "", 1)
    return 0


STOPPED = "interrupted; the last good book was left as it was; run `make book` again to finish"


def _fail(line: str, details: str, status: int) -> int:
    print(f"{details}\n\n{line}" if details else f"\n{line}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())

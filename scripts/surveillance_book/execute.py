"""Executing the chapter notebooks with papermill, only those whose inputs changed.

Each notebook's inputs are its cells, the lock, and the files its last run read (recorded by
``read_log``); their hashes are kept in ``notebooks/manifest.json``. A notebook is written only after
its run succeeded, with what differs between identical runs removed, so a rerun leaves it unchanged.
"""

import hashlib
import json
import logging
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import FIGURE_METADATA
from .console import BuildError, BuildStopped, say, shown
from .files import write_if_changed
from .paths import NOTEBOOKS_DIR, REPO

MANIFEST = NOTEBOOKS_DIR / "manifest.json"
LOCK = REPO / "requirements.lock"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def notebook_source_hash(path: Path) -> str:
    """Hash of what a notebook asks to run: cell types, sources, tags — not its outputs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [[c["cell_type"], "".join(c["source"]), c.get("metadata", {}).get("tags", [])] for c in nb["cells"]]
    return _digest(json.dumps([cells, nb["metadata"].get("kernelspec")], sort_keys=True).encode())


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


def write_json(path: Path, data: dict) -> None:
    write_if_changed(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


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

    from .read_log import READ_LOG_ENV

    tmp = path.with_name(f".{path.stem}.running.ipynb")
    read_log = path.with_name(f".{path.stem}.reads.json")
    os.environ[READ_LOG_ENV] = str(read_log)  # inherited by the kernel papermill starts
    # papermill's client logs what it also raises ("Kernel died …" when Ctrl-C reaches a kernel first): the
    # build reports the exception, in one line, and prints nothing else.
    logging.getLogger(PAPERMILL_LOGGER).setLevel(logging.CRITICAL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C stops the run (and its kernel) cleanly
    try:
        papermill.execute_notebook(str(path), str(tmp), cwd=str(path.parent), kernel_name="python3",
                                   progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                                   extra_arguments=KERNEL_QUIET)
        nb = nbformat.from_dict(normalise(json.loads(tmp.read_text(encoding="utf-8"))))
    except KeyboardInterrupt:
        raise BuildStopped(f"{shown(path)} was not executed") from None
    except papermill.PapermillExecutionError as err:
        first_line = err.source.strip().splitlines()[0] if err.source.strip() else ""
        raise BuildError(f"{shown(path)}, cell {err.cell_index + 1} ({first_line!r}): {err.ename}: {err.evalue}"
                         ) from None
    except Exception as err:  # a kernel that died, a missing kernel, unreadable output
        raise BuildError(f"{shown(path)}: could not execute: {type(err).__name__}: {err}") from None
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        tmp.unlink(missing_ok=True)  # also on Ctrl-C: nothing half-written is left
        os.environ.pop(READ_LOG_ENV, None)
        reads = json.loads(read_log.read_text()) if read_log.exists() else []
        read_log.unlink(missing_ok=True)
    nbformat.validate(nb)
    write_if_changed(path, nbformat.writes(nb) + "\n")  # unchanged, it keeps its time: Sphinx skips it
    return reads


# The kernel's own log (a warning that it talks over local TCP, an error when papermill interrupts
# it to shut it down) is noise in a build; cell errors still come back through papermill.
KERNEL_QUIET = ["--IPKernelApp.log_level=CRITICAL"]
PAPERMILL_LOGGER = "papermill"


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def execute_stale(force: bool = False, jobs: int | None = None) -> list[str]:
    manifest = load_manifest()
    stale = {p: why for p in notebooks() if (why := why_stale(p, manifest, force))}
    if not stale:
        say("notebooks: all up to date, nothing executed")
        return []
    for path, why in stale.items():
        say(f"executing {shown(path)} ({why})")
    errors, stopped = [], False
    # Idle workers ignore Ctrl-C (else each prints a traceback); a running one stops its notebook.
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1, initializer=_ignore_interrupts) as pool:
        # The longest first, so that the last to finish is a short one: a stored notebook's size stands for its time.
        futures = {p: pool.submit(execute, p) for p in sorted(stale, key=lambda p: -p.stat().st_size)}
        for path in stale:  # results in the book's order
            try:
                manifest[path.name] = notebook_inputs(path, futures[path].result())
            except BuildStopped:
                stopped = True
            except BuildError as err:
                errors.append(f"{err}\n{err.details}".strip())
            except KeyboardInterrupt:  # the running notebooks stop too (same terminal); the rest never start
                stopped = True
                pool.shutdown(wait=True, cancel_futures=True)
                break
    # Record the successful runs even when another failed, so they are not redone.
    manifest = {k: v for k, v in manifest.items() if (NOTEBOOKS_DIR / k).exists()}
    write_json(MANIFEST, manifest)
    if stopped:
        raise BuildStopped("interrupted; the notebooks that finished were kept, the book was left as it was; "
                           "run `make book` again to finish")
    if errors:
        raise BuildError(f"{len(errors)} notebook(s) could not be executed (see above); fix the cell or the data "
                         "it reads; the notebook and the book were left as they were", details="\n".join(errors))
    return [p.name for p in stale]

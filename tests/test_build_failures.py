"""How a build ends when it cannot finish: one last line saying what and what to do, no traceback,
the last good book untouched; and a build that succeeds prints no ERROR (issue 14, item 10)."""

import os
import signal
import subprocess
import time
from pathlib import Path

from clones import build, build_command, fresh_clone
from test_validate import set_cells

from surveillance_book import build as book_build


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def _kernels_in(folder: Path) -> list[int]:
    """Kernel processes still running with their working directory in ``folder``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and "ipykernel" in (proc / "cmdline").read_text() \
                    and Path(os.readlink(proc / "cwd")).is_relative_to(folder):
                found.append(int(proc.name))
        except OSError:
            continue  # ended while we looked
    return found


def test_ctrl_c_while_notebooks_run_stops_with_one_line_and_leaves_them(tmp_path):
    clone = fresh_clone(tmp_path / "book")
    cmd, env = build_command(clone, "--force", "--no-pdf")
    # its own process group, signalled as a terminal signals it on Ctrl-C
    run = subprocess.Popen(cmd, cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    deadline = time.monotonic() + 120
    while not _kernels_in(clone / "notebooks") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _kernels_in(clone / "notebooks"), "no kernel started"
    time.sleep(3)  # inside the notebooks' cells
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, out + err
    assert _last_line(err).startswith("BUILD STOPPED: interrupted;"), err
    assert "Traceback" not in err and "ERROR" not in err and "Error" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not (clone / "_build" / "html").exists()  # no half book published
    time.sleep(2)
    assert _kernels_in(clone / "notebooks") == [], "kernels left running"
    changed = subprocess.run(["git", "status", "--porcelain", "--", "notebooks/*.ipynb"], cwd=clone,
                             capture_output=True, text=True, check=True).stdout
    assert changed == "", changed  # every notebook whole: its old or its new run, never half of one
    assert not list((clone / "notebooks").glob(".*"))  # no temporary files left


def test_a_build_that_succeeds_prints_no_error_or_warning(tmp_path):
    clone = fresh_clone(tmp_path / "book")
    result = build(clone, "--force", "--no-pdf")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    printed = result.stdout + result.stderr
    assert "ERROR" not in printed and "WARNING" not in printed, printed
    assert result.stderr == "", result.stderr


def test_a_build_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the build folder should be")
    result = build(book_build.REPO, "--no-execute", "--no-pdf", "--build-dir", str(blocker / "_build"))
    assert result.returncode == 1
    assert _last_line(result.stderr) == (
        f"BUILD FAILED: cannot write {blocker / '_build'}: Not a directory; make it writable (or build elsewhere "
        "with --build-dir) and run `make book` again")
    assert "Traceback" not in result.stderr


def test_a_notebook_that_cannot_be_written(monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "notebooks/.overview.ipynb.tmp")

    monkeypatch.setattr(book_build, "build", read_only)
    assert book_build.main(["--no-pdf"]) == 1
    assert _last_line(capsys.readouterr().err) == (
        "BUILD FAILED: cannot write notebooks/.overview.ipynb.tmp: Permission denied; make it writable "
        "(or build elsewhere with --build-dir) and run `make book` again")


def test_bad_data_lists_the_problems_then_ends_with_one_line(data_copy, monkeypatch, capsys):
    set_cells(data_copy, "contracts.csv", 5, amount_usd="-5")
    monkeypatch.setattr(book_build, "DATA_DIR", data_copy)
    assert book_build.main(["--no-pdf"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].endswith('field "amount_usd": "-5" is below the minimum 0')
    assert err[-1] == ("BUILD FAILED: 1 problem(s) in the data (listed above); fix them (see data/README.md) "
                       "and run `make book` again")

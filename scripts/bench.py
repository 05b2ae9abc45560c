"""`make bench`: time and peak memory of the build in the situations a maintainer meets.

Runs in a scratch copy of the committed repository (the working tree is not touched):
a cold build (every notebook executed, HTML and PDF), a no-op rebuild, a rebuild after
one CSV changed, after one notebook changed, and the baseline: plain `jupyter-book build`
with `execute_notebooks: force`, HTML then PDF. Each is the median of BENCH_RUNS runs
(default 3); peak memory is the largest total resident memory of the whole process tree.

Then the scale series: synthetic, schema-valid data packages ``BENCH_SCALES`` times as long as the real one
(default 1,10,50; ``scripts/make_scale_data.py``, seeded, written into the scratch copy only), each stage
timed on its own — validate, chapters, directory pages, HTML, PDF — after `make book`'s own cold build and
rebuilds after one row changed: a row no chapter prints, then one the chapters print (timed: HTML and PDF
build side by side there, so the cold build is less than the stages' sum). A stage that runs past
``BENCH_STAGE_TIMEOUT`` seconds (default 900) is reported as such. Before and after each size, a fixed
Python loop is timed, a rough gauge of the machine's speed: on a shared machine the same build took 211 s
in one hour and 352 s in the next.

``BENCH_PARTS=scale`` runs the scale series only; ``BENCH_PARTS=builds`` the build situations only.
"""

import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PARTS = set(os.environ.get("BENCH_PARTS", "builds,scale").split(","))


def tree_rss(root_pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def measure(cmd: list[str], cwd: Path, env: dict, timeout: float | None = None,
            may_fail: bool = False) -> tuple[float, int]:
    """Wall seconds (inf past ``timeout``) and peak memory; a failure stops the bench, or with ``may_fail``
    is reported on stderr and measured as NaN, so one failing stage does not lose a whole series."""
    start = time.monotonic()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0

    def sample():
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            if timeout and time.monotonic() - start > timeout:
                process.kill()
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = process.communicate()
    sampler.join()
    if timeout and time.monotonic() - start > timeout:
        return float("inf"), peak
    if process.returncode != 0:
        message = f"bench: {' '.join(cmd)} failed:\n{err[-3000:]}"
        if not may_fail:
            sys.exit(message)
        print(message, file=sys.stderr, flush=True)
        return math.nan, peak
    return time.monotonic() - start, peak


def scratch_copy() -> Path:
    target = Path(tempfile.mkdtemp(prefix="bench-")) / "repo"
    subprocess.run(["git", "clone", "-q", str(REPO), str(target)], check=True)
    shared = REPO.parent / "shared"
    if shared.exists() and not (target.parent / "shared").exists():
        os.symlink(shared, target.parent / "shared")
    return target


def edit_one_fact(path: Path, column: str) -> None:
    """Reword one row's free-text column: a real, still valid, content change."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0][column] += " (edited for the benchmark)"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    if "builds" in PARTS:
        builds()
    if "scale" in PARTS:
        scale_series()
    return 0


def builds() -> None:
    repo = scratch_copy()
    # The copy's own package must be imported, by the build and by the kernels it starts.
    env = {**os.environ, "PYTHONPATH": str(repo / "scripts")}
    build = [str(VENV_BIN / "python"), "scripts/build_book.py"]
    baseline_config = repo / "_bench_force.yml"
    config = (repo / "_config.yml").read_text().replace('execute_notebooks: "off"', "execute_notebooks: force")
    baseline_config.write_text(config)
    jb = [str(VENV_BIN / "jupyter-book"), "build", ".", "--config", str(baseline_config), "--path-output",
          str(repo / "_baseline"), "-q"]

    def cold():
        shutil.rmtree(repo / "_build", ignore_errors=True)
        return measure(build + ["--force"], repo, env)

    def no_op():
        measure(build, repo, env)  # the book is built before a no-op is timed
        return measure(build, repo, env)

    def after(edit, path):
        original = path.read_bytes()
        edit()
        try:
            return measure(build, repo, env)
        finally:
            path.write_bytes(original)
            measure(build, repo, env)  # back to the committed state, not timed

    def csv_changed(table: str, column: str):
        path = repo / "data" / table
        return lambda: after(lambda: edit_one_fact(path, column), path)

    manifest = json.loads((repo / "notebooks" / "manifest.json").read_text())
    readers = {t: sum(f"data/{t}" in entry for entry in manifest.values()) for t in ("concerns.csv", "events.csv")}

    def notebook_changed():
        nb = repo / "notebooks" / "cloud.ipynb"
        return after(lambda: nb.write_text(nb.read_text().replace("# Parameters:", "# Parameters (edited):", 1)), nb)

    def baseline():
        shutil.rmtree(repo / "_baseline", ignore_errors=True)
        html = measure(jb + ["--builder", "html"], repo, env)
        pdf = measure(jb + ["--builder", "pdflatex"], repo, env)
        return html[0] + pdf[0], max(html[1], pdf[1])

    results = {}
    chapters = len(manifest)
    for name, run in [("cold build (all notebooks, HTML, PDF)", cold), ("no-op make book", no_op),
                      (f"one CSV changed: concerns ({readers['concerns.csv']}/{chapters} read it)",
                       csv_changed("concerns.csv", "summary")),
                      (f"one CSV changed: events ({readers['events.csv']}/{chapters} read it)",
                       csv_changed("events.csv", "description")),
                      ("one notebook changed (cloud)", notebook_changed),
                      ("baseline: jupyter-book, execute force", baseline)]:
        runs = [run() for _ in range(RUNS)]
        results[name] = (statistics.median(t for t, _ in runs), max(m for _, m in runs))
        print(f"  measured: {name}", file=sys.stderr, flush=True)
    base = results["baseline: jupyter-book, execute force"][0]
    cold_time = results["cold build (all notebooks, HTML, PDF)"][0]
    print(f"\nmake bench: median of {RUNS} runs on {os.cpu_count()} cores\n")
    print(f"{'scenario':45} {'wall s':>8} {'× baseline':>11} {'× cold':>8} {'peak MB':>9}")
    for name, (seconds, peak) in results.items():
        print(f"{name:45} {seconds:8.1f} {seconds / base:11.2f} {seconds / cold_time:8.2f} {peak / 2**20:9.0f}")
    shutil.rmtree(repo.parent, ignore_errors=True)


SCALES = [int(f) for f in os.environ.get("BENCH_SCALES", "1,10,50").split(",")]
STAGE_TIMEOUT = float(os.environ.get("BENCH_STAGE_TIMEOUT", "900"))
STAGES = {
    "validate": "from surveillance_book.validate import validate; assert not validate()",
    "chapters": "from surveillance_book.execute import execute_stale; execute_stale(True)",
    "directory": "from surveillance_book import directory; from surveillance_book.execute import notebooks; "
                 "directory.generate(notebooks())",
    "html": "from pathlib import Path; from surveillance_book.build import sphinx; "
            "sphinx('html', Path('_build/.work/html'), False)",
    "pdf": "from pathlib import Path; from surveillance_book.build import sphinx; "
           "sphinx('pdflatex', Path('_build/.work/pdf'))",
}

# The one-row changes timed after the cold build, in turn: (name, table, free-text column edited, what it is).
ONE_ROW = [("one row changed", "relationships", "detail", "a row no chapter prints"),
           ("shown row changed", "contracts", "purpose", "a row the chapters print")]

# What a stage makes, removed before it is timed alone (the chapters are re-executed whatever they hold).
STAGE_OUTPUT = {"directory": ["book/directory"], "html": ["_build/.work/html"], "pdf": ["_build/.work/pdf"]}


def reference_seconds(steps: int = 20_000_000) -> float:
    """How long this machine now takes for a fixed piece of Python: on a shared machine it varies from one hour
    to the next, and every time measured here with it."""
    started, total = time.perf_counter(), 0
    for step in range(steps):
        total += step
    return time.perf_counter() - started


def scale_series() -> None:
    """Each stage's time and peak memory on data packages SCALES times as long, and a one-row change."""
    python = str(VENV_BIN / "python")
    rows, loops = [], []
    for factor in SCALES:
        repo = scratch_copy()
        env = {**os.environ, "PYTHONPATH": str(repo / "scripts")}
        measure([python, "scripts/make_scale_data.py", "--factor", str(factor), "--seed", "1", "--out",
                 str(repo.parent / "data")], repo, env)
        shutil.rmtree(repo / "data")
        shutil.move(repo.parent / "data", repo / "data")
        lines = sum(len(p.read_text().splitlines()) - 1 for p in (repo / "data").glob("*.csv"))
        loop_before = reference_seconds()
        # `make book` as a maintainer runs it: cold (HTML and PDF side by side, one a core), then one row changed
        timings = {"cold build": measure([python, "scripts/build_book.py"], repo, env, STAGE_TIMEOUT, may_fail=True)}
        # a row no chapter prints (a tie's detail: its profile and the HTML change), then one the chapters
        # print (a contract's purpose: every chapter that reads contracts runs again, two are read again)
        for name, table, column, _ in ONE_ROW:
            edit_one_fact(repo / "data" / f"{table}.csv", column)
            timings[name] = measure([python, "scripts/build_book.py"], repo, env, STAGE_TIMEOUT, may_fail=True)
        for stage, code in STAGES.items():  # then each stage alone, from nothing
            for done in STAGE_OUTPUT.get(stage, []):
                shutil.rmtree(repo / done, ignore_errors=True)
            timings[stage] = measure([python, "-c", code], repo, env, STAGE_TIMEOUT, may_fail=True)
        rows.append((factor, lines, timings))
        loops.append((factor, loop_before, reference_seconds()))
        print(f"  measured: scale x{factor}", file=sys.stderr, flush=True)
        shutil.rmtree(repo.parent, ignore_errors=True)
    print(f"\nscale series (synthetic data; a stage past {STAGE_TIMEOUT:.0f} s is 'inf', one that failed "
          "'nan'): seconds / peak MB\n")
    names = [*STAGES, "cold build", *(name for name, *_ in ONE_ROW)]
    print(f"{'data':>6} {'rows':>7} " + " ".join(f"{n:>16}" for n in names))
    for factor, lines, timings in rows:
        cells = " ".join(f"{t:9.1f} /{m / 2**20:5.0f}" for t, m in (timings[n] for n in names))
        print(f"{'x' + str(factor):>6} {lines:7d} {cells}")
    base = rows[0][2]
    for factor, _, timings in rows[1:]:
        failed = [n for n in STAGES if math.isnan(timings[n][0]) or math.isnan(base[n][0])]
        growth = {n: timings[n][0] / max(base[n][0], 0.01) for n in STAGES if n not in failed}
        worst = max(growth, key=growth.get, default=None)
        verdict = "" if worst is None else (
            f"slowest growth {worst} ×{growth[worst]:.1f} for ×{factor // rows[0][0]} the rows "
            f"({'linear or better' if growth[worst] <= factor // rows[0][0] * 1.25 else 'worse than linear'})")
        print(f"x{factor}: {verdict}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    for factor, before, after in loops:
        print(f"x{factor}: the machine ran a fixed Python loop in {before:.2f} s before and {after:.2f} s after "
              "(a rough gauge of this machine's speed, which on a shared machine varies, and the times with it)")
    last_factor, _, last = rows[-1]
    print(f"targets at x{last_factor}: cold build {last['cold build'][0]:.0f} s (target < 300); one row changed: "
          + ", ".join(f"{what} {last[name][0]:.0f} s" for name, _, _, what in ONE_ROW) + " (target < 60)")


if __name__ == "__main__":
    sys.exit(main())

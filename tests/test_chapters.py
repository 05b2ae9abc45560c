"""Every chapter: thin (targets of the thin-chapters issue), the same invariants, the same rules."""

import ast
import importlib
import json
import pkgutil
import re
import subprocess
import sys

import papermill
import pytest
from notebook_outputs import glued

import surveillance_book
from surveillance_book.chapter import ROWS_METADATA, Chapter, row_ids
from surveillance_book.charts import VEGALITE_MIME
from surveillance_book.execute import notebooks
from surveillance_book.paths import NOTEBOOKS_DIR, REPO

CHAPTERS = notebooks()
IDS = [p.stem for p in CHAPTERS]
ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")  # {eval}`prose.key`, {cite:p}`ids`
GLUED = re.compile(r"\{eval\}`prose\.([^`]+)`")
MAX_LINES, MAX_TOTAL, MAX_CELL, MAX_DEFS, MIN_WORDS_PER_LINE = 150, 700, 25, 3, 5


def cells(path, kind: str) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind]


def code_lines(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def defined(path) -> list[str]:
    return [d.name for src in cells(path, "code") for d in ast.walk(ast.parse(src))
            if isinstance(d, ast.FunctionDef | ast.ClassDef)]


def package_names() -> set[str]:
    names = set()
    for mod in pkgutil.walk_packages(surveillance_book.__path__, "surveillance_book."):
        module = importlib.import_module(mod.name)
        names |= {n for n, v in vars(module).items() if callable(v) and getattr(v, "__module__", "") == mod.name}
    return names


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_a_chapter_is_thin(path):
    lines = [code_lines(src) for src in cells(path, "code")]
    assert sum(lines) <= MAX_LINES, f"{sum(lines)} code lines"
    assert max(lines) <= MAX_CELL, f"a code cell of {max(lines)} lines"
    assert len(defined(path)) <= MAX_DEFS, defined(path)
    words = sum(len(ROLE.sub("x", src).split()) for src in cells(path, "markdown"))
    assert words >= MIN_WORDS_PER_LINE * sum(lines), f"{words} prose words for {sum(lines)} code lines"


def test_the_chapters_together_are_thin_and_define_nothing_twice_or_of_the_package():
    assert sum(code_lines(src) for p in CHAPTERS for src in cells(p, "code")) <= MAX_TOTAL
    seen: dict[str, str] = {}
    shadowing = package_names()
    for path in CHAPTERS:
        for name in set(defined(path)):
            assert name not in seen, f"{name} defined in {seen.get(name)} and {path.stem}: move it to the package"
            assert name not in shadowing, f"{path.stem} defines {name}, which the package already has"
            seen[name] = path.stem


def test_the_stored_notebooks_are_small():
    assert sum(p.stat().st_size for p in CHAPTERS) < 7e6


def test_ruff_checks_the_notebooks():
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert not any("notebooks" in p for p in config.get("exclude", []) + config.get("extend-exclude", []))
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "notebooks"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_prose_types_no_figures_and_uses_only_glued_keys(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for text in cells(path, "markdown"):
        prose = ROLE.sub("", text)
        assert not re.search(r"\d", prose), prose
    used = {m for text in cells(path, "markdown") for m in GLUED.findall(text)}
    assert used, "the prose uses no glued figure"
    assert "{glue:" not in "".join(cells(path, "markdown")), "use {eval}`prose.key`, which JupyterLab shows too"
    assert used <= set(glued(nb)), used - set(glued(nb))


def chart_outputs(nb: dict) -> list[dict]:
    return [o for c in nb["cells"] for o in c.get("outputs", []) if VEGALITE_MIME in o.get("data", {})]


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_charts_are_named_for_their_chapter_with_tooltips_and_rows(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    charts = chart_outputs(nb)
    assert charts
    prefix = path.stem.replace("_", "-") + "-"
    for out in charts:
        text = "".join(out["data"]["text/plain"])
        assert text.startswith(f"Chart {prefix}"), text
        assert '"tooltip"' in json.dumps(out["data"][VEGALITE_MIME]), text
        assert "text/html" not in out["data"], f"{text}: stored twice"
        assert sum(k.startswith("image/") for k in out["data"]) == 1, f"{text}: one image, stored once"
        assert out["metadata"][ROWS_METADATA]["rows"], f"{text}: no rows recorded"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chart_tooltips_name_the_directory_pages_of_what_they_draw(path):
    """Issue 12: a tooltip cannot hold a link, so it names the page, as text."""
    from surveillance_book.figures.figure import PAGES_TIP

    book = Chapter(path.stem, as_of="2019-01-31")
    addresses = {f"book/directory/{folder}/{i}.html" for table, folder, key in
                 (("organizations", "org", "org_id"), ("systems", "system", "system_id"))
                 for i in book.everything(table)[key]}
    for out in chart_outputs(json.loads(path.read_text(encoding="utf-8"))):
        spec = out["data"][VEGALITE_MIME]
        named = [p for rows in spec.get("datasets", {}).values() for r in rows
                 for p in str(r.get("page", r.get("pages", ""))).split("; ") if p]
        assert f'"title": "{PAGES_TIP}"' in json.dumps(spec), "".join(out["data"]["text/plain"])
        assert named and set(named) <= addresses, set(named) - addresses


def shown_rows(nb: dict) -> set[tuple[str, str]]:
    """Every (table, id) a chapter's glued values and figures say they show."""
    return {(r["table"], r["id"]) for c in nb["cells"] for o in c.get("outputs", [])
            for r in o.get("metadata", {}).get(ROWS_METADATA, {}).get("rows", [])}


def known_ids(table: str, as_of: str) -> set[str]:
    return set(row_ids(Chapter("test", as_of=as_of).known(table), table))


@pytest.fixture(scope="module")
def early_runs(tmp_path_factory) -> dict[str, dict]:
    runs = {}
    for path in CHAPTERS:
        out = tmp_path_factory.mktemp(path.stem) / path.name
        papermill.execute_notebook(str(path), str(out), parameters={"as_of": "2018-08-01"}, cwd=str(NOTEBOOKS_DIR),
                                   kernel_name="python3", progress_bar=False)
        runs[path.stem] = json.loads(out.read_text(encoding="utf-8"))
    return runs


@pytest.mark.parametrize("as_of", ["2018-08-01", "2019-01-31"])
def test_every_chapter_classifies_every_fact_the_same_way(as_of, early_runs):
    runs = early_runs if as_of == "2018-08-01" else {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in CHAPTERS}
    for chapter, nb in runs.items():
        rows = shown_rows(nb)
        assert rows, f"{chapter} records no rows"
        for table in {t for t, _ in rows}:
            shown = {i for t, i in rows if t == table}
            unknown = shown - known_ids(table, as_of)
            assert not unknown, f"{chapter} at {as_of} shows {table} rows not known by then: {sorted(unknown)}"

"""Each chapter reruns under papermill with other parameters, and the output follows them."""

import json
import re

import papermill
import pytest
from notebook_outputs import glued

from surveillance_book.charts import VEGALITE_MIME
from surveillance_book.data import load
from surveillance_book.execute import notebooks
from surveillance_book.paths import NOTEBOOKS_DIR

CHAPTERS = notebooks()


def outputs(nb: dict) -> list[str]:
    """Every output of every code cell, as comparable text (chart HTML, glued text, tables)."""
    return [json.dumps(o.get("data", o.get("text")), sort_keys=True)
            for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]


def rerun(path, tmp_path, **parameters) -> dict:
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters=parameters, cwd=str(NOTEBOOKS_DIR),
                               kernel_name="python3", progress_bar=False)
    return json.loads(out.read_text())


def test_there_are_chapters():
    assert CHAPTERS, "no chapter notebooks found in _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_parameters_cell_declares_the_book_parameters(path):
    nb = json.loads(path.read_text())
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1
    source = "".join(cells[0]["source"])
    for name in ("as_of", "highlight", "data_dir"):
        assert f"{name} = " in source


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_earlier_as_of_changes_the_glued_figures(path, tmp_path):
    stored = json.loads(path.read_text())
    early = rerun(path, tmp_path, as_of="2018-06-30")
    assert glued(early)["as_of"] != glued(stored)["as_of"]
    changed = {k for k, v in glued(early).items() if glued(stored).get(k) != v} - {"as_of"}
    assert changed, "no figure of the text depends on as_of"
    assert outputs(early) != outputs(stored)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_highlight_changes_the_charts(path, tmp_path):
    stored = json.loads(path.read_text())
    other = rerun(path, tmp_path, highlight="")  # no highlight at all
    charts = [(a, b) for a, b in zip(outputs(stored), outputs(other), strict=True) if VEGALITE_MIME in a]
    assert charts, "the chapter has no chart"
    assert any(a != b for a, b in charts), "no chart depends on highlight"


def documented_command(path) -> dict[str, str]:
    """The papermill command the chapter's parameters cell shows its readers, as parameters."""
    nb = json.loads(path.read_text())
    source = "".join(next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))["source"])
    # the command may continue over several comment lines, each but the last ending in a backslash
    lines = [line.lstrip("# ").rstrip() for line in source.splitlines() if line.startswith("#")]
    start = next(i for i, line in enumerate(lines) if line.startswith(".venv/bin/papermill"))
    parts = [lines[start]]
    while parts[-1].endswith("\\"):
        parts[-1] = parts[-1].removesuffix("\\").rstrip()
        parts.append(lines[start + len(parts)])
    command = " ".join(parts)
    assert "-p " in command, command
    assert f"notebooks/{path.name} " in command, "the command must rerun this very chapter"
    return dict(re.findall(r"-p (\S+) (\S+)", command))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_the_command_shown_on_the_page_runs_and_changes_the_chapter(path, tmp_path):
    parameters = documented_command(path)
    assert set(parameters) == {"as_of", "highlight"}
    assert parameters["highlight"] in set(load("organizations").org_id), "the example names a real organization"
    stored = json.loads(path.read_text())
    rerun_nb = rerun(path, tmp_path, **parameters)
    assert glued(rerun_nb)["highlight"] != glued(stored)["highlight"]
    assert outputs(rerun_nb) != outputs(stored)


@pytest.mark.parametrize("parameters, message", [
    ({"as_of": "2019-02-30"}, "as_of '2019-02-30' is not a date written YYYY-MM-DD"),
    ({"highlight": "no-such-organization"}, "highlight 'no-such-organization' is not an org_id"),
])
def test_a_bad_parameter_stops_the_chapter_with_one_line(parameters, message, tmp_path):
    path = CHAPTERS[0]
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        rerun(path, tmp_path, **parameters)
    assert failure.value.ename == "ParameterError"
    assert message in failure.value.evalue


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
@pytest.mark.parametrize("as_of", ["1900-01-01", "2100-12-31"])
def test_every_chapter_renders_at_any_date(path, as_of, tmp_path):
    nb = rerun(path, tmp_path, as_of=as_of)
    values = glued(nb)
    if as_of == "1900-01-01":  # nothing stated yet: every figure of the prose says so
        parameters = ("as_of", "highlight", "highlight_family")
        assert {v for k, v in values.items() if k not in parameters} <= {"(not known by this date)"}

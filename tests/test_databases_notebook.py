"""The databases chapter: hedges survive and the parameters matter. (No typed digits, glued keys, chart
names and tooltips are checked for every chapter in test_chapters.py.)"""

import json

import pytest
from notebook_outputs import glued as glued_values

from surveillance_book.charts import VEGALITE_MIME
from surveillance_book.paths import NOTEBOOKS_DIR

NOTEBOOK = NOTEBOOKS_DIR / "databases.ipynb"


def _text(value) -> str:
    """Notebook files store long strings as lists of lines."""
    return "".join(value) if isinstance(value, list) else value


def _charts(nb: dict) -> dict[str, str]:
    """Chart name -> its stored Vega-Lite spec, as JSON text."""
    found = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = _text(out.get("data", {}).get("text/plain", ""))
            if text.startswith("Chart "):
                found[text.split(":")[0].removeprefix("Chart ")] = json.dumps(out["data"][VEGALITE_MIME])
    return found


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def early(tmp_path_factory) -> dict:
    """The chapter run with a cut-off before most facts were stated and another organization emphasised."""
    import papermill

    out = tmp_path_factory.mktemp("databases") / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), cwd=str(NOTEBOOKS_DIR), kernel_name="python3",
                               parameters={"as_of": "2018-06-30", "highlight": "gemalto"}, progress_bar=False)
    return json.loads(out.read_text(encoding="utf-8"))


def test_hedges_reach_the_prose(stored):
    glued = glued_values(stored)
    assert glued["hart_identities"].startswith("at least ")
    assert glued["hart_transactions"].startswith("at least ")
    assert glued["hart_modality_count"].startswith("at least ")
    assert "–" in glued["ident_transactions"]  # a range, not one number
    assert glued["hart_phase1"].startswith("scheduled ")
    assert glued["hart_builder"].endswith(" is to build it")  # the building is planned, not done
    assert glued["hart_contract_award"].startswith("an award of $")  # the kind of amount, in plain words


def test_an_early_cut_off_runs_and_says_what_is_not_known(early, stored):
    glued = glued_values(early)
    assert glued["as_of"] == "30 June 2018"
    assert glued["hart_identities"] == "(not known by this date)"
    assert glued["hart_phase1"] == "(not known by this date)"  # stated only in a later document
    # an event counts from when it was stated: the 2017 executive order was, IDENT's 1994 design
    # is known to the book only from the August 2018 report
    assert glued["sc_reactivated"] == glued_values(stored)["sc_reactivated"] == "January 2017"
    assert glued["ident_designed"] == "(not known by this date)"
    assert set(_charts(early)) < set(_charts(stored))


def test_highlight_changes_the_colours(early, stored):
    assert "'gemalto'" in _charts(early)["databases-timeline"]
    assert "'northrop-grumman'" in _charts(stored)["databases-timeline"]

"""The presence matrix, on the rows the chapters draw: biometric traits per system, roles per database."""

import json
import re

import pandas as pd
import pytest
import vl_convert
from IPython.display import Markdown

from surveillance_book import charts
from surveillance_book.chapter import Chapter, row_ids
from surveillance_book.figures import Figure
from surveillance_book.figures.presence import HOLLOW, presence
from surveillance_book.paths import DATA_DIR

TRAITS = ["fingerprints", "palm prints", "face", "iris", "DNA", "voice", "scars and tattoos", "other modalities",
          "biometrics (unspecified)"]


def chapter(section="biometrics", **kw) -> Chapter:
    return Chapter(section, **({"as_of": "2019-01-31", "data_dir": DATA_DIR} | kw))


def traits(book: Chapter) -> pd.DataFrame:
    return book.system_data[book.system_data.data_family == "biometric"]


def modalities(book: Chapter, rows=None, **kw):
    """The biometrics chapter's matrix: systems against traits, by role."""
    choices = {"row_order": ["hart", "ident"], "column_order": TRAITS, "future": ["planned capacity"],
               "mark_order": ["stores", "collects", "planned capacity", "matches"], "row_title": "System",
               "column_title": "Biometric trait", "mark_title": "What the system does with it"} | kw
    return presence(traits(book) if rows is None else rows, book, name="modalities",
                    title="Which systems hold and compare which biometric traits", row="system_id",
                    column="data_type", mark="role", **choices)


def roles(book: Chapter):
    """The databases chapter's matrix: relationships and owners (two tables) by database, hedged."""
    databases = ["ident", "hart", "ngi", "abis"]
    ties = book.relationships[book.relationships.relation.isin(["builds", "maintains", "supplies algorithm to"])
                              & book.relationships.object_system_id.isin(databases)]
    ties = ties.assign(table="relationships", org=ties.subject_org_id, system=ties.object_system_id,
                       role=ties.relation.astype(str))
    owners = book.systems[book.systems.system_id.isin(databases)]
    owners = owners.assign(table="systems", org=owners.owner_id, system=owners.system_id, role="owns or runs")
    rows = pd.concat([owners, ties], ignore_index=True)
    return rows, presence(rows, book, name="roles", title="Who owns, builds and supplies the databases",
                          row="org", column="system", mark="role", hedge="hedge", column_order=databases,
                          highlight_by=["org"], mark_title="Role")


@pytest.fixture(scope="module")
def book():
    return chapter(highlight="nec")


@pytest.fixture(scope="module")
def fig(book):
    return modalities(book)


@pytest.fixture(scope="module")
def ties():
    return roles(chapter("databases", highlight="northrop-grumman"))


def layers(spec: dict):
    """Every unit spec with a mark, through layers and facets."""
    if "mark" in spec:
        yield spec
    for child in spec.get("layer", []) + ([spec["spec"]] if "spec" in spec else []):
        yield from layers(child)


def data(spec: dict) -> list[dict]:
    (values,) = spec["datasets"].values()  # one data set: one row per cell
    return values


def axis(spec: dict, channel: str) -> dict:
    return next(u["encoding"][channel] for u in layers(spec) if "axis" in u["encoding"].get(channel, {}))


# --- the contract ---------------------------------------------------------------------------------


def test_a_figure_named_after_the_section_keeping_the_rows(book, fig):
    assert isinstance(fig, Figure)
    assert fig.name == "biometrics-modalities"
    assert fig.rows.attrs["table"] == "system_data"
    assert fig.output.png.startswith(b"\x89PNG")


def test_every_mark_has_a_tooltip_with_the_row_ids(book, fig, ties):
    for spec in (fig.spec, ties[1].spec):
        marked = list(layers(spec))
        assert len(marked) == 2  # the highlight's outline and the symbols
        for unit in marked:
            assert {"field": "row_ids", "title": "Row", "type": "nominal"} in unit["encoding"]["tooltip"]
    ids = set(row_ids(traits(book)))
    shown = {i for cell in data(fig.spec) for i in cell["row_ids"].split("; ")}
    assert shown == ids


def test_description_names_every_cell_drawn(book, fig):
    for cell in data(fig.spec):
        assert f"{cell['row_label']} — " in fig.output.description
        assert f"{cell['column_label']}: {cell['what']}" in fig.output.description
    assert "Hollow symbols: planned capacity." in fig.output.description


def test_source_line_comes_from_the_rows(book, fig):
    assert charts.source_line(fig.spec) == f"Source: {book.source_line(traits(book))}"
    narrow = traits(book)[traits(book).primary_source_id == "mijente-2018"].head(3)
    assert charts.source_line(modalities(book, narrow).spec) == f"Source: {book.source_line(narrow)}"


def test_highlight_outlines_cells_and_bolds_labels(book, fig):
    plain = modalities(chapter())
    assert plain.spec != fig.spec
    assert len(list(layers(plain.spec))) == 1  # no outline layer
    marked = {(c["row_key"], c["column_key"]) for c in data(fig.spec) if c["hl"] == "nec"}
    assert marked and all(r in book.highlighted for r, _ in marked)
    assert "NeoScan" in axis(fig.spec, "y")["axis"]["labelFontWeight"]["expr"]
    elsewhere = modalities(chapter(highlight="palantir"))  # Palantir's systems hold no biometric trait here
    assert {c["hl"] for c in data(elsewhere.spec)} == {"other"}
    assert len(list(layers(elsewhere.spec))) == 1
    assert axis(elsewhere.spec, "y")["axis"]["labelFontWeight"] == "normal"


def test_nothing_known_before_the_first_fact():
    early = chapter(as_of="1900-01-01")
    out = modalities(early, what="which system holds which biometric trait")
    assert isinstance(out, Markdown)
    assert "which system holds which biometric trait" in out.data and "1 January 1900" in out.data


def test_spec_is_the_same_on_every_call(book, fig):
    assert json.dumps(modalities(book).spec, sort_keys=True) == json.dumps(fig.spec, sort_keys=True)


# --- presence matrix ------------------------------------------------------------------------------


def test_each_pair_is_one_cell_however_many_rows_state_it(book, fig):
    rows = traits(book)
    pairs = [(c["row_key"], c["column_key"]) for c in data(fig.spec)]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == set(zip(rows.system_id, rows.data_type, strict=True))
    assert rows.duplicated(["system_id", "data_type"]).any()  # IDENT stores and matches faces: two rows
    face = next(c for c in data(fig.spec) if (c["row_key"], c["column_key"]) == ("ident", "face"))
    assert face["what"] == "stores, matches" and face["n"] == 2
    assert f"{len(set(pairs))} cells filled" in fig.output.description
    twice = pd.concat([rows, rows])  # the same rows given twice still draw each pair once
    assert len(data(modalities(book, twice).spec)) == len(pairs)


def symbol_scales(spec: dict) -> dict:
    unit = next(u for u in layers(spec) if "shape" in u["encoding"])
    return {channel: dict(zip(unit["encoding"][channel]["scale"]["domain"],
                              unit["encoding"][channel]["scale"]["range"], strict=True))
            for channel in ("shape", "fill", "stroke")}


def test_a_planned_capacity_is_hollow_and_a_stored_trait_filled(fig):
    scales = symbol_scales(fig.spec)
    assert scales["fill"]["planned capacity"] == HOLLOW
    assert scales["fill"]["stores"] == scales["stroke"]["stores"] != HOLLOW
    assert len(set(scales["shape"].values())) == len(scales["shape"])  # every kind its own shape
    assert len(set(scales["stroke"].values())) == len(scales["stroke"])  # and its own colour
    legend = next(u for u in layers(fig.spec) if "shape" in u["encoding"])["encoding"]["shape"]["legend"]
    assert legend["title"][1].startswith("hollow: planned capacity")


def test_the_key_says_what_the_frames_mark(book, fig, ties):
    # The highlighted cells are framed: the key says so (the text names the highlight); no highlight, no frame,
    # no line.
    for spec in (fig.spec, ties[1].spec):
        legend = next(u for u in layers(spec) if "shape" in u["encoding"])["encoding"]["shape"]["legend"]
        assert legend["title"][-1].endswith("framed: highlighted")
    plain = modalities(chapter(highlight=None))
    legend = next(u for u in layers(plain.spec) if "shape" in u["encoding"])["encoding"]["shape"]["legend"]
    assert not any("framed" in t for t in legend["title"])


def test_a_planned_role_is_hollow_with_its_hedge_in_the_legend(ties):
    rows, fig = ties
    scales = symbol_scales(fig.spec)
    assert scales["fill"]["builds (planned)"] == HOLLOW and scales["fill"]["owns or runs"] != HOLLOW
    assert scales["shape"]["supplies algorithm to (planned)"] == scales["shape"]["supplies algorithm to"]
    owners = [c for c in data(fig.spec) if c["what"] == "owns or runs"]
    assert {c["row_ids"] for c in owners} == set(rows.system_id[rows.table == "systems"])  # systems' own ids
    assert {c["row_key"] for c in data(fig.spec) if c["hl"] != "other"} == {"northrop-grumman"}


def test_the_orders_given_are_kept(book):
    fig = modalities(book, row_order=["eid", "hart", "ident"], column_order=list(reversed(TRAITS)))
    rows_drawn = list(dict.fromkeys(c["row_key"] for c in data(fig.spec)))
    assert rows_drawn[:3] == ["eid", "hart", "ident"]
    columns = list(dict.fromkeys(c["column_key"] for c in sorted(
        data(fig.spec), key=lambda c: axis(fig.spec, "x")["sort"].index(c["column_axis"]))))
    given = [t for t in reversed(TRAITS) if t in set(traits(book).data_type)]
    assert columns[:len(given)] == given and len(columns) > len(given)  # the others ("tattoos") after them
    y = axis(fig.spec, "y")["sort"]
    assert [y.index(book.name(s)) for s in ["eid", "hart", "ident"]] == [0, 1, 2]


def test_labels_are_never_cut(book, fig, ties):
    for spec in (fig.spec, ties[1].spec):
        svg = vl_convert.vegalite_to_svg(json.dumps(spec))
        assert "…" not in svg  # Vega ends a label it cuts with an ellipsis
        shown = " ".join(re.findall(r">([^<>]+)<", svg))
        for cell in data(spec):
            for line in (cell["row_axis"] + "\n" + cell["column_axis"]).split("\n"):
                assert line in shown
    for channel, field in (("y", "row_axis"), ("x", "column_axis")):
        longest = max(len(line) for cell in data(fig.spec) for line in cell[field].split("\n"))
        assert axis(fig.spec, channel)["axis"]["labelLimit"] >= longest * 11 * 0.6  # 11 px type, 0.6 em a letter

"""The sizes figure: metric rows as bars, one panel with its own scale per unit, hedges drawn and written."""

import json

import pandas as pd
import pytest
import vl_convert
from IPython.display import Markdown

from surveillance_book import charts
from surveillance_book.chapter import Chapter, row_ids
from surveillance_book.figures import Figure
from surveillance_book.figures.fonts import text_width
from surveillance_book.figures.sizes import LABEL_FONT, LABEL_PX, sizes
from surveillance_book.paths import DATA_DIR
from surveillance_book.text import HEDGE_WORDS, value_range

AS_OF = "2019-01-31"
SIZE_UNITS = ["people", "identities", "transactions per day"]
BROKER_SIZES = ["clear-plate-detections", "vigilant-lpr-records", "trss-monitoring-capacity"]
APP_STAGES = {"dhs-cloud-apps-hosted": "Already in the cloud", "dhs-cloud-apps-migrating": "Being migrated"}


# --- the rows the chapters draw ------------------------------------------------------------------------
def database_rows(book):
    m = book.metrics
    return m[m.subject_system_id.isin(["ident", "hart"]) & m.unit.isin(SIZE_UNITS)]


def broker_rows(book):
    m = book.metrics
    return m[m.metric_id.isin(BROKER_SIZES)].sort_values("metric_id", key=lambda s: s.map(BROKER_SIZES.index))


def authorization_rows(book):
    m = book.metrics
    return m[m.measure.str.startswith("Authorizations held")].sort_values("value_low", ascending=False)


def application_rows(book):
    m = book.metrics
    return m[m.metric_id.isin(list(APP_STAGES))].assign(stage=lambda d: d.metric_id.map(APP_STAGES))


def databases_size(book):
    return sizes(database_rows(book), book, name="size", title="IDENT against HART",
                 units={"people": "identities"})


CHARTS = {  # name -> (section, default highlight, how the chapter calls sizes)
    "databases-size": ("databases", "northrop-grumman", databases_size),
    "data-brokers-scale": ("data_brokers", "thomson-reuters",
                           lambda b: sizes(broker_rows(b), b, name="scale", title="What the products hold")),
    "cloud-authorizations": ("cloud", "amazon",
                             lambda b: sizes(authorization_rows(b), b, name="authorizations",
                                             title="Authorizations")),
    "cloud-applications": ("cloud", None, lambda b: sizes(application_rows(b), b, name="applications",
                                                          title="Applications", label="stage")),
}


@pytest.fixture(scope="module", autouse=True)
def quick_png():
    """Rendering a PNG takes seconds; the spec is what these tests read. One test renders for real."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts.vl_convert, "vegalite_to_png", lambda spec, scale: b"\x89PNG stub")
        patch.setattr(charts, "compact_png", lambda png: png)
        yield


@pytest.fixture(scope="module")
def figures():
    out = {}
    for name, (section, highlight, draw) in CHARTS.items():
        book = Chapter(section, as_of=AS_OF, highlight=highlight, data_dir=DATA_DIR)
        out[name] = (book, draw(book))
    return out


# --- reading the spec --------------------------------------------------------------------------------
def mark_layers(spec):
    """Every unit spec with a mark, with the encodings it inherits from its layer and its data rows resolved
    from the top-level datasets."""
    found = []

    def walk(node, inherited):
        if isinstance(node, dict):
            if "mark" in node:
                found.append(({**node, "encoding": {**inherited, **node.get("encoding", {})}},
                              spec["datasets"][node["data"]["name"]]))
            inherited = {**inherited, **node.get("encoding", {})} if "layer" in node else inherited
            for value in node.values():
                walk(value, inherited)
        elif isinstance(node, list):
            for value in node:
                walk(value, inherited)

    walk(spec, {})
    return found


def panels(spec):
    """The layered panels, one per unit, in drawing order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "layer" in node:
                found.append(node)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def panel_rows(spec, panel):
    return [r for layer in panel["layer"] for r in spec["datasets"][layer["data"]["name"]]]


def mark_type(layer):
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def layers_drawing(spec, row_id, predicate):
    return [layer for layer, data in mark_layers(spec) if predicate(layer) and any(r["row"] == row_id for r in data)]


# --- the contract ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CHARTS)
def test_returns_a_figure_named_by_section(figures, name):
    book, fig = figures[name]
    assert isinstance(fig, Figure)
    assert fig.name == name and fig.name.startswith(book.section.replace("_", "-") + "-")
    assert fig.rows.attrs["table"] == "metrics"
    assert fig.output.png.startswith(b"\x89PNG")


@pytest.mark.parametrize("name", CHARTS)
def test_every_mark_has_a_tooltip_with_the_row_id(figures, name):
    _, fig = figures[name]
    layers = mark_layers(fig.spec)
    assert layers
    for layer, data in layers:
        tooltip = layer["encoding"]["tooltip"]
        assert {"field": "row", "title": "Row", "type": "nominal"} in tooltip
        assert all(r["row"] for r in data)


@pytest.mark.parametrize("name", CHARTS)
def test_description_names_every_row_drawn(figures, name):
    book, fig = figures[name]
    rows = fig.rows
    drawn = {r["row"] for _, data in mark_layers(fig.spec) for r in data}
    assert drawn == set(row_ids(rows))
    labels = rows.stage if "stage" in rows else rows.subject_system_id.fillna(rows.subject_org_id).map(book.name)
    for label, low, high, qualifier, unit in zip(labels, rows.value_low, rows.value_high, rows.qualifier,
                                                 rows.unit, strict=True):
        assert f"{label}, {value_range(low, high, qualifier)} {unit}" in fig.output.description


@pytest.mark.parametrize("name", CHARTS)
def test_source_line_comes_from_the_rows(figures, name):
    book, fig = figures[name]
    subtitle = charts.source_line(fig.spec)
    assert subtitle == f"Source: {book.source_line(fig.rows)}"
    for source in set(fig.rows.source_id) | set(fig.rows.primary_source_id.dropna()):
        assert book.source_label(source) in subtitle


def hl_values(fig):
    return {r["row"]: r["hl"] for _, data in mark_layers(fig.spec) for r in data}


def test_highlight_marks_the_subjects_of_the_highlighted_organization(figures):
    book, fig = figures["databases-size"]
    marked = hl_values(fig)
    hart = set(database_rows(book)[lambda d: d.subject_system_id == "hart"].metric_id)
    assert hart and {r for r, hl in marked.items() if hl == "northrop-grumman"} == hart
    plain_book = Chapter("databases", as_of=AS_OF, data_dir=DATA_DIR)
    plain = databases_size(plain_book)
    assert set(hl_values(plain).values()) == {"other"}
    assert json.dumps(plain.spec, sort_keys=True) != json.dumps(fig.spec, sort_keys=True)
    # Greyscale: the highlighted figures are written in bold, the others not.
    bold = [r["row"] for layer, data in mark_layers(fig.spec) if mark_type(layer) == "text"
            and layer["mark"].get("fontWeight") == "bold" for r in data]
    assert set(bold) == hart


def test_highlight_not_in_the_rows_highlights_nothing():
    book = Chapter("databases", as_of=AS_OF, highlight="palantir", data_dir=DATA_DIR)
    assert set(hl_values(databases_size(book)).values()) == {"other"}


@pytest.mark.parametrize("name", CHARTS)
def test_nothing_known_early(name):
    section, highlight, draw = CHARTS[name]
    book = Chapter(section, as_of="1900-01-01", highlight=highlight, data_dir=DATA_DIR)
    out = draw(book)
    assert isinstance(out, Markdown) and "1 January 1900" in out.data


def test_the_spec_compiles(figures):
    """Vega-Lite compiles the most involved chart (the PNG itself is rendered by charts.show)."""
    vega = vl_convert.vegalite_to_vega(figures["databases-size"][1].spec)
    assert vega["marks"]


@pytest.mark.parametrize("name", CHARTS)
def test_every_panel_fits_the_landscape_width(figures, name):
    _, fig = figures[name]
    for panel in panels(fig.spec):
        extent = panel["encoding"]["y"]["axis"]["maxExtent"]
        assert 360 <= panel["width"] + extent <= 450 and extent >= 40


def test_spec_is_deterministic(figures):
    book, fig = figures["cloud-applications"]
    again = CHARTS["cloud-applications"][2](book)
    assert json.dumps(again.spec, sort_keys=True) == json.dumps(fig.spec, sort_keys=True)


# --- what a sizes chart must show -----------------------------------------------------------------------
def x_scale(spec, panel):
    scales = {json.dumps(layer["encoding"]["x"]["scale"]) for layer in panel["layer"]
              if "scale" in layer["encoding"].get("x", {})}
    assert len(scales) == 1  # one explicit scale per panel, whichever layers state it
    return json.loads(scales.pop())["domain"]


def test_two_units_give_two_panels_with_independent_x_scales(figures):
    _, fig = figures["databases-size"]
    found = panels(fig.spec)
    assert len(found) == 2
    assert fig.spec["vconcat"][0]["resolve"]["scale"]["x"] == "independent"
    domains = [x_scale(fig.spec, p) for p in found]
    assert domains[0] != domains[1]
    titles = [list(dict.fromkeys(layer["encoding"]["x"]["title"] for layer in p["layer"]
                                 if "title" in layer["encoding"].get("x", {}))) for p in found]
    assert titles == [["Identities (millions)"], ["Transactions per day (thousands)"]]


@pytest.mark.parametrize("name", CHARTS)
def test_no_panel_mixes_units(figures, name):
    _, fig = figures[name]
    found = panels(fig.spec)
    for panel in found:
        assert len({r["panel"] for r in panel_rows(fig.spec, panel)}) == 1
    assert len({r["panel"] for p in found for r in panel_rows(fig.spec, p)}) == len(found)


def test_units_are_not_merged_unless_the_chapter_says_so():
    book = Chapter("databases", as_of=AS_OF, data_dir=DATA_DIR)
    fig = sizes(database_rows(book), book, name="size", title="Sizes")
    units = [{r["unit"] for r in panel_rows(fig.spec, p)} for p in panels(fig.spec)]
    assert units == [{"people"}, {"transactions per day"}, {"identities"}]


def test_a_range_row_draws_low_and_high(figures):
    book, fig = figures["databases-size"]
    row = book.row("metrics", "ident-daily-transactions").iloc[0]
    assert row.value_low < row.value_high
    ranges = [(layer, data) for layer, data in mark_layers(fig.spec)
              if layer["encoding"].get("x2", {}).get("field") == "high_x"]
    assert len(ranges) == 1
    layer, data = ranges[0]
    assert layer["encoding"]["x"]["field"] == "low_x"
    (drawn,) = [r for r in data if r["row"] == "ident-daily-transactions"]
    assert drawn["low_x"] * 1e3 == row.value_low and drawn["high_x"] * 1e3 == row.value_high


@pytest.mark.parametrize("name, row_id", [("databases-size", "hart-identities-capacity"),
                                          ("data-brokers-scale", "clear-plate-detections"),
                                          ("data-brokers-scale", "vigilant-lpr-records")])
def test_a_lower_bound_is_open_ended(figures, name, row_id):
    _, fig = figures[name]
    arrows = layers_drawing(fig.spec, row_id, lambda layer: mark_type(layer) == "point"
                            and layer["mark"]["shape"] == "triangle-right")
    dashes = layers_drawing(fig.spec, row_id, lambda layer: mark_type(layer) == "rule"
                            and "strokeDash" in layer["mark"])
    assert len(arrows) == 1 and len(dashes) == 1
    (drawn,) = [r for r in fig.spec["datasets"][arrows[0]["data"]["name"]] if r["row"] == row_id]
    assert arrows[0]["encoding"]["x"]["field"] == "edge" and drawn["edge"] > drawn["high_x"]
    # The exact figures are not drawn open-ended.
    exact = [r for _, data in mark_layers(fig.spec) for r in data if r["qualifier"] == "exact"]
    assert not {r["row"] for r in exact} & {r["row"] for r in fig.spec["datasets"][arrows[0]["data"]["name"]]}


@pytest.mark.parametrize("name", CHARTS)
def test_every_value_label_with_its_hedge_is_in_the_spec(figures, name):
    _, fig = figures[name]
    texts = {r["row"]: r["text"] for layer, data in mark_layers(fig.spec) if mark_type(layer) == "text"
             for r in data}
    for metric_id, low, high, qualifier, unit in fig.rows[["metric_id", "value_low", "value_high", "qualifier",
                                                           "unit"]].itertuples(index=False):
        assert texts[metric_id].startswith(f"{value_range(low, high, qualifier)} {unit}")
        assert texts[metric_id].startswith(HEDGE_WORDS[qualifier])
    hedged = [t for t in texts.values() if t.split()[0] in {"over", "more", "at"}]
    assert hedged or set(fig.rows.qualifier) == {"exact"}


def test_a_future_capacity_is_not_drawn_as_present(figures):
    book, fig = figures["databases-size"]
    for row_id in ("hart-identities-capacity", "hart-daily-transactions-capacity"):
        bars = layers_drawing(fig.spec, row_id, lambda layer: mark_type(layer) == "bar"
                              and layer["encoding"].get("x", {}).get("field") == "bar_end")
        assert len(bars) == 1 and bars[0]["mark"]["fill"] == "white" and "strokeDash" in bars[0]["mark"]
    present = layers_drawing(fig.spec, "ident-identities", lambda layer: mark_type(layer) == "bar")
    assert len(present) == 1 and "fill" not in present[0]["mark"]
    texts = {r["row"]: r["text"] for layer, data in mark_layers(fig.spec) if mark_type(layer) == "text"
             for r in data}
    assert texts["hart-identities-capacity"].endswith("(capacity)")
    assert not texts["ident-identities"].endswith(")")


def test_an_upper_bound_is_closed_at_its_ceiling_and_a_planned_hedge_is_hollow():
    book = Chapter("cloud", as_of=AS_OF, data_dir=DATA_DIR)
    rows = authorization_rows(book).copy()
    first, second = rows.metric_id.iloc[:2]
    rows.loc[rows.metric_id == first, "qualifier"] = "up to"
    rows = rows.assign(hedge=["planned" if m == second else "" for m in rows.metric_id])
    fig = sizes(rows, book, name="t", title="t")
    ticks = layers_drawing(fig.spec, first, lambda layer: mark_type(layer) == "tick")
    assert len(ticks) == 1 and not layers_drawing(fig.spec, first, lambda layer: mark_type(layer) == "point")
    hollow = layers_drawing(fig.spec, second, lambda layer: layer["mark"].get("fill") == "white")
    assert len(hollow) == 1
    texts = {r["row"]: r["text"] for layer, data in mark_layers(fig.spec) if mark_type(layer) == "text"
             for r in data}
    assert texts[first].startswith("up to ") and texts[second].endswith("(planned)")
    assert "upper bound" in fig.output.description


def test_bars_keep_the_chapters_order_and_long_names_wrap(figures):
    _, fig = figures["cloud-authorizations"]
    (panel,) = panels(fig.spec)
    order = panel["encoding"]["y"]["sort"]
    assert order == list(authorization_rows(Chapter("cloud", as_of=AS_OF)).subject_org_id.map(
        Chapter("cloud", as_of=AS_OF).name))
    _, brokers = figures["data-brokers-scale"]
    labels = [r["label"] for p in panels(brokers.spec) for r in panel_rows(brokers.spec, p)]
    assert all(text_width(line, LABEL_FONT, bold=True) <= LABEL_PX for label in labels for line in label.split("\n"))
    assert not any(label.endswith("…") for label in labels)  # wrapped, not cut


def test_a_label_longer_than_three_lines_is_wrapped_in_full_and_fits_its_column():
    # A long name is never cut, however many lines it takes, and the label column is as wide as its widest
    # line in the PNG's font (in bold, the highlight's weight), so Vega's labelLimit cuts nothing either.
    book = Chapter("cloud", as_of=AS_OF, data_dir=DATA_DIR)
    long_name = ("Front-end biometric capture devices procured, run and maintained by the airlines, airports and "
                 "cruise lines in the Biometric Exit program, WWWW MMMM")
    rows = application_rows(book).assign(stage=[long_name, "Being migrated"])
    fig = sizes(rows, book, name="t", title="t", label="stage")
    (panel,) = panels(fig.spec)
    labels = {r["label"] for r in panel_rows(fig.spec, panel)}
    wrapped = next(label for label in labels if label.startswith("Front-end"))
    lines = wrapped.split("\n")
    assert len(lines) > 3 and " ".join(lines).replace("- ", "-") == long_name  # every word, none cut
    assert "…" not in wrapped
    axis = panel["encoding"]["y"]["axis"]
    assert all(text_width(line, LABEL_FONT, bold=True) <= axis["labelLimit"] - 8 for line in lines)


def test_two_bars_with_one_label_in_a_panel_are_refused():
    book = Chapter("cloud", as_of=AS_OF, data_dir=DATA_DIR)
    with pytest.raises(ValueError, match="share a label"):
        sizes(application_rows(book).assign(stage="same"), book, name="t", title="t", label="stage")


def test_rows_filtered_to_nothing_keep_the_nothing_known_note():
    book = Chapter("cloud", as_of=AS_OF, data_dir=DATA_DIR)
    rows = book.metrics[book.metrics.metric_id == "no-such-row"]
    assert isinstance(rows, pd.DataFrame) and rows.attrs["table"] == "metrics"
    out = sizes(rows, book, name="t", title="t", what="cloud figures")
    assert isinstance(out, Markdown) and "cloud figures" in out.data


@pytest.mark.parametrize("name", CHARTS)
def test_the_chart_says_when_its_figures_were_stated(figures, name):
    """A size is true of its date; the printed chart, read on its own, says which (from the rows' as_of)."""
    book, fig = figures[name]
    dates = sorted(set(fig.rows.as_of))
    said = (f"Figures as stated in {dates[0]:%B %Y}." if len(dates) == 1 else
            f"Figures as stated between {dates[0]:%B %Y} and {dates[-1]:%B %Y}.")
    assert said in json.dumps(fig.output.spec, ensure_ascii=False)
    assert said in fig.output.description

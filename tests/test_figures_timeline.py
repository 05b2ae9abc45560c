"""The timeline figure: one function for the four chapters that draw dated events."""

import json
import struct

import pandas as pd
import pytest
import vl_convert
from IPython.display import Markdown

from surveillance_book import charts
from surveillance_book.chapter import Chapter
from surveillance_book.figures import Figure
from surveillance_book.figures.timeline import MIN_BAR_PX, timeline
from surveillance_book.paths import DATA_DIR

AS_OF = "2019-01-31"


def _databases(events):  # the databases chapter: its databases and Secure Communities, without the lawsuit
    return events[events.system_id.isin(["ident", "hart", "secure-communities"]) & events.kind.ne("lawsuit")]


# The four timelines the chapters draw today: section, rows chosen, keyword choices.
CHARTS = {
    "overview": ("overview", lambda e: e, {"color_by": "section", "numbered": True}),
    "databases": ("databases", _databases, {}),
    "biometrics": ("biometrics", lambda e: e[e.section == "biometrics"], {}),
    "data_brokers": ("data_brokers", lambda e: e[e.section == "data_brokers"], {}),
}


def draw(chart: str, *, as_of: str = AS_OF, highlight: str | None = None, **choices):
    section, choose, keywords = CHARTS[chart]
    book = Chapter(section, as_of=as_of, highlight=highlight, data_dir=DATA_DIR)
    rows = choose(book.events)
    return book, rows, timeline(rows, book, name="timeline", title="Dated events", **(keywords | choices))


@pytest.fixture(scope="module")
def figures():
    return {chart: draw(chart) for chart in CHARTS}


@pytest.fixture(scope="module")
def highlighted():
    return {highlight: draw(chart, highlight=highlight) for chart, highlight in
            (("data_brokers", "giant-oak"), ("data_brokers", "northrop-grumman"), ("overview", "palantir"))}


def drawn(fig: Figure) -> pd.DataFrame:
    """The rows of data the chart's marks draw."""
    (values,) = fig.spec["datasets"].values()
    return pd.DataFrame(values)


def layers(fig: Figure) -> list[dict]:
    return fig.spec["layer"]


def png_width(png: bytes) -> int:
    return struct.unpack(">I", png[16:20])[0]


@pytest.mark.parametrize("chart", CHARTS)
def test_figure_is_named_by_section_and_keeps_its_rows(figures, chart):
    book, rows, fig = figures[chart]
    assert isinstance(fig, Figure)
    assert fig.name == f"{book.section.replace('_', '-')}-timeline"
    assert fig.rows.attrs["table"] == "events"
    assert sorted(fig.rows.event_id) == sorted(rows.event_id)


@pytest.mark.parametrize("chart", CHARTS)
def test_every_mark_has_a_tooltip_with_the_row_id(figures, chart):
    _, rows, fig = figures[chart]
    for layer in layers(fig):
        assert {"field": "row", "title": "Row", "type": "nominal"} in layer["encoding"]["tooltip"]
    assert sorted(drawn(fig).row) == sorted(rows.event_id)


@pytest.mark.parametrize("chart", CHARTS)
def test_description_names_every_event_with_its_date(figures, chart):
    _, rows, fig = figures[chart]
    for when, description in zip(fig.rows.when, fig.rows.description, strict=True):
        assert f"{when} — {description}" in fig.output.description
    assert fig.output.description.startswith(f"Timeline of {len(rows)} dated events")


@pytest.mark.parametrize("chart", CHARTS)
def test_source_line_comes_from_the_rows(figures, chart):
    book, rows, fig = figures[chart]
    subtitle = charts.source_line(fig.spec)
    assert subtitle == f"Source: {book.source_line(rows)}"
    for source_id in set(rows.source_id) | set(rows.primary_source_id.dropna()):
        assert book.source_label(source_id) in subtitle


def test_source_line_differs_with_the_rows(figures):
    assert "ACLU (2013)" in charts.source_line(figures["biometrics"][2].spec)
    assert "ACLU (2013)" not in charts.source_line(figures["data_brokers"][2].spec)


def test_rows_are_sorted_by_date_then_id_unless_the_chapter_orders_them(figures):
    fig = figures["data_brokers"][2]
    assert fig.rows.date.is_monotonic_increasing
    for _, same_day in fig.rows.groupby(["date", "date_precision"], sort=False):
        assert list(same_day.event_id) == sorted(same_day.event_id)
    # review of the PDF: "January 2018, 2018, January 2018, February 2018" — a year first, then its months
    whole = figures["overview"][2].rows
    in_2018 = whole[whole.date.dt.year == 2018]
    assert list(in_2018.date_precision) == sorted(in_2018.date_precision, key=["year", "month"].index)
    assert in_2018.date_precision.nunique() == 2  # the data still hold both, or this no longer tests
    assert list(drawn(fig).row) == list(fig.rows.event_id)
    _, _, by_section = draw("overview", order=["section", "date", "event_id"])
    assert by_section.rows.section.cat.codes.is_monotonic_increasing  # the sections in the book's order
    assert not figures["overview"][2].rows.section.cat.codes.is_monotonic_increasing  # by date by default
    assert list(drawn(by_section).row) == list(by_section.rows.event_id)


def test_highlight_changes_the_spec_and_shows_in_grey_too(figures, highlighted):
    plain_fig = figures["data_brokers"][2]
    book, rows, fig = highlighted["giant-oak"]
    assert json.dumps(fig.spec, sort_keys=True) != json.dumps(plain_fig.spec, sort_keys=True)
    marked = drawn(fig).set_index("row").hl
    # Giant Oak's own events and those of GOST, the system it owns
    giant_oak = {e for e, o, s in zip(rows.event_id, rows.org_id, rows.system_id, strict=True)
                 if book.is_highlighted(o, s)}
    assert {"giant-oak-contracts-2018", "hsi-gost-2016"} <= giant_oak
    assert {r for r, h in marked.items() if h == "giant-oak"} == giant_oak
    assert set(drawn(plain_fig).hl) == {"other"}
    bars, *_, labels = layers(fig)
    (accent,) = bars["encoding"]["stroke"]["condition"]
    assert accent["value"] == charts.ACCENT and "'giant-oak'" in accent["test"]
    # not by colour alone: a thicker outline and a bold label
    assert bars["encoding"]["strokeWidth"]["condition"]["value"] > bars["encoding"]["strokeWidth"]["value"]
    assert "bold" in labels["mark"]["fontWeight"]["expr"]


def test_highlighted_bars_are_framed_in_a_dark_line_so_they_stand_out_in_grey(figures, highlighted):
    # the accent fill and a thicker outline in the same colour can print as any other grey: a dark frame cannot
    for key in ("giant-oak", "palantir"):
        fig = highlighted[key][2]
        frames = [layer for layer in layers(fig)
                  if any(key in str(step.get("filter")) for step in layer.get("transform", []))]
        (frame,) = frames
        mark = frame["mark"]
        assert mark["type"] == "bar" and mark["filled"] is False
        red, green, blue = (int(mark["stroke"][i:i + 2], 16) for i in (1, 3, 5))
        assert max(red, green, blue) < 64  # near black, whatever the bar's colour
        assert mark["xOffset"] < 0 < mark["x2Offset"] and mark["yOffset"] < 0 < mark["y2Offset"]  # round the bar
    assert all("transform" not in layer for layer in layers(figures["data_brokers"][2]))  # no highlight, no frame


def test_highlight_not_in_the_rows_marks_none(highlighted):
    assert set(drawn(highlighted["northrop-grumman"][2]).hl) == {"other"}


def test_highlight_with_colour_by_column(highlighted):
    fig = highlighted["palantir"][2]
    stroke = layers(fig)[0]["encoding"]["stroke"]
    assert stroke["field"] == "key" and stroke["condition"][0]["value"] == charts.ACCENT
    assert set(drawn(fig).key[drawn(fig).hl == "palantir"]) == {"case management"}


@pytest.mark.parametrize("chart", CHARTS)
def test_nothing_known_at_an_early_date(chart):
    book, rows, fig = draw(chart, as_of="1900-01-01")
    assert rows.empty
    assert isinstance(fig, Markdown) and "Nothing in the data" in fig.data


@pytest.mark.parametrize("chart", ["overview", "databases"])  # packed lanes and legend; a broken axis
def test_spec_is_the_same_on_every_call(figures, chart):
    _, _, again = draw(chart)
    assert json.dumps(again.spec, sort_keys=True) == json.dumps(figures[chart][2].spec, sort_keys=True)


def test_a_year_precision_bar_spans_the_whole_year(figures):
    bars = drawn(figures["databases"][2]).set_index("row")
    designed = bars.loc["ident-designed-1994"]  # "1994", the year only
    assert (designed.start_year, designed.end_year) == (1994.0, 1995.0)
    assert (designed.x_from, designed.x_to) == (1994.0, 1995.0)
    contract = bars.loc["hart-contract-2018"]  # "February 2018": the month only
    assert contract.start_year == round(2018 + 31 / 365, 4) and contract.end_year == round(2018 + 59 / 365, 4)
    assert layers(figures["databases"][2])[0]["encoding"]["x2"] == {"field": "x_to"}


def test_a_hedged_date_is_drawn_hollow_and_keeps_its_hedge(figures):
    fig = figures["data_brokers"][2]
    bars = drawn(fig).set_index("row")
    assert bars.loc["giant-oak-ice-services-2014"].hedged  # "at least 2014"
    assert not bars.loc["hsi-gost-2016"].hedged
    fill = layers(fig)[0]["encoding"]["fill"]
    assert fill["condition"][0] == {"test": "datum.hedged", "value": "white"}  # before any other colour
    assert bars.loc["giant-oak-ice-services-2014"].label.startswith("at least 2014 — ")
    scheduled = drawn(figures["databases"][2]).set_index("row").loc["hart-phase1-operational-2019"]
    assert scheduled.hedged and scheduled.when == "April 2019 (scheduled)"


@pytest.mark.parametrize("chart", ["databases", "biometrics", "data_brokers"])
def test_every_label_is_in_the_spec_in_full(figures, chart):
    _, _, fig = figures[chart]
    bars = drawn(fig)
    for label, when, event in zip(bars.label, bars.when, bars.event, strict=True):
        assert label.replace("\n", " ") == f"{when} — {event}"  # wrapped, not shortened
    text = layers(fig)[1]["mark"]
    assert text["lineBreak"] == "\n" and not text.get("limit")
    assert all("…" not in label for label in bars.label)


@pytest.mark.parametrize("chart", CHARTS)
def test_labels_fit_the_width_of_the_png(figures, chart):
    # Vega grows the image when a mark overflows the chart; without the title (whose source line
    # may be long) the image is the chart's width, its 5 px padding and a bar's outline.
    _, _, fig = figures[chart]
    spec = {k: v for k, v in fig.spec.items() if k != "title"}
    width = png_width(vl_convert.vegalite_to_png(json.dumps(spec), scale=1))
    assert width <= spec["width"] + 10 + 6


def test_numbered_timeline_adds_matching_numbers_to_the_rows(figures):
    fig = figures["overview"][2]
    assert list(fig.rows.number) == list(range(1, len(fig.rows) + 1))
    labels = drawn(fig).set_index("row").label
    for event_id, number, when, description in zip(fig.rows.event_id, fig.rows.number, fig.rows.when,
                                                   fig.rows.description, strict=True):
        assert labels[event_id] == str(number)
        assert f"{number}. {when} — {description}" in fig.output.description


def test_numbered_bars_in_one_lane_do_not_collide(figures):
    bars = drawn(figures["overview"][2])
    assert bars.bar_top.nunique() < len(bars)  # packed: fewer lanes than events
    for _, lane in bars.groupby("bar_top"):
        ordered = lane.sort_values("x_from")
        assert (ordered.x_from.iloc[1:].to_numpy() >= ordered.x_to.iloc[:-1].to_numpy()).all()


def test_far_apart_events_get_a_broken_axis(figures):
    fig = figures["overview"][2]
    scale = layers(fig)[0]["encoding"]["x"]["scale"]
    domain, pixels = scale["domain"], scale["range"]
    assert domain[0] == 1994 and len(domain) == 4  # two pieces: 1994, and 2008 on
    assert domain[1] < domain[2]
    assert "'//'" in layers(fig)[0]["encoding"]["x"]["axis"]["labelExpr"]
    assert "leaves out 1995 to 2007" in fig.output.description
    # the recent piece gets most of the width: a month there is wider than on an axis from 1994 to 2020
    per_year = (pixels[3] - pixels[2]) / (domain[3] - domain[2])
    assert per_year > 1.5 * pixels[-1] / (domain[-1] - domain[0])
    bars = drawn(fig)
    assert ((bars.x_to - bars.x_from) * per_year >= MIN_BAR_PX - 0.01)[bars.x_from >= domain[2]].all()


def test_break_can_be_turned_off_and_is_absent_for_close_events(figures):
    _, _, fig = draw("overview", break_years=None)
    assert len(layers(fig)[0]["encoding"]["x"]["scale"]["domain"]) == 2
    assert len(layers(figures["biometrics"][2])[0]["encoding"]["x"]["scale"]["domain"]) == 2


def test_colour_by_uses_section_colours_and_needs_one_for_every_value(figures):
    stroke = layers(figures["overview"][2])[0]["encoding"]["stroke"]
    domain, colours = stroke["scale"]["domain"], stroke["scale"]["range"]
    assert dict(zip(domain, colours, strict=True))["data brokers"] == charts.SECTION_COLORS["data_brokers"]
    with pytest.raises(ValueError, match="no colour"):
        draw("overview", colors={"databases": "#000000"})


def test_a_single_event_draws():
    book, rows, fig = draw("overview", as_of="2013-06-30")
    assert len(rows) == 1 and isinstance(fig, Figure)
    assert len(drawn(fig)) == 1

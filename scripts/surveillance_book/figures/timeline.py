"""Timelines of dated events: each event a bar over the whole period its date stands for.

A date known only to the year is drawn across that year, one known to the month across the month, so
a wide bar means a vague date, not a long event. A date the source hedges ("at least 2014", "scheduled")
is drawn hollow and keeps its hedge in the label. When the events fall into periods many years apart
(1994, then 2008 on), the years between are left out of the axis and the break is marked // on it, so
the recent months stay wide enough to read.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from .. import charts
from ..chapter import Chapter, row_ids
from ..data import period_end
from ..text import HEDGE_WORDS, hedge, month
from .figure import PAGES_TIP, Figure, directory_pages, nothing_known, plain
from .fonts import text_width
from .layout import wrap_px

FONT_SIZE = 11
LINE_HEIGHT = 13
BAR_HEIGHT = 9
LANE_HEIGHT = 17  # numbered timelines: one lane of bars with their numbers
MIN_BAR_PX = 5  # a month in a long span is ~2 px wide; widened (about its middle) so it shows, hollow or not
BREAK_PX = 30  # room given to the years left out
MIN_SEGMENT_PX = 48  # a lone year before a break still gets room for its bar and label
OUTLINE, OUTLINE_GAP = "#111111", 3  # the frame round a highlighted bar, and its distance from the bar (px)
NUMBER_GAP = OUTLINE_GAP + 4  # px from a bar's end to its number, clear of the frame


def timeline(rows: pd.DataFrame, book: Chapter, *, name: str, title: str, order: Sequence[str] | None = None,
             color_by: str | None = None, colors: dict[str, str] | None = None, numbered: bool = False,
             width: int = 420, break_years: int | None = 8, what: str = "dated events") -> Figure | Markdown:
    """Dated events on one time axis, each a bar over the period its date stands for, labelled in full or numbered.

    ``rows`` are events (``book.events`` or a selection). They are drawn by date (an event known only to
    its year before the months of that year, as its bar starts with the year), then event id, unless
    ``order`` names the columns to sort by (``["section", "date", "event_id"]``). Each bar is coloured
    by the chapter's section, or by the ``color_by`` column with ``colors`` (value -> colour, by default
    ``charts.SECTION_COLORS``) and a legend. ``numbered=True`` writes a number beside each bar instead of
    the label, packs bars that do not collide into one lane, and adds the ``number`` column to
    ``Figure.rows`` for the rows table. A gap of ``break_years`` or more between events is left out of
    the axis (``None``: never). ``Figure.rows`` also gets ``when``: the date as the chart writes it,
    with its hedge ("at least 2014", "April 2019 (scheduled)").
    """
    if rows.empty:
        return nothing_known(book, what, rows)
    rows = _in_order(rows, order)
    when = [_when(d, p, h) for d, p, h in zip(rows.date, rows.date_precision, rows.hedge, strict=True)]
    shown = rows.assign(when=when)
    if numbered:
        shown = shown.assign(number=range(1, len(shown) + 1))
    events = _events(shown, book, color_by)
    # numbered: room right of the axis for the number of an event that ends with it
    room = text_width(str(len(events)), bold=True) + NUMBER_GAP + 4 if numbered else 0
    axis = _TimeAxis.fit(events.start_year, events.end_year, width - room, break_years)
    events = _drawn_span(events, axis)
    events, height = _pack_numbered(events, axis) if numbered else _stack_labelled(events, width)
    chart = _chart(events, book, axis, color_by=color_by, colors=colors, numbered=numbered, width=width)
    chart = chart.properties(width=width, height=height)
    return Figure(chart, shown, book, name=name, title=title, description=_description(events, axis))


def _when(date: pd.Timestamp, precision, caution) -> str:
    """The date as the source gives it, with its hedge: "at least 2014", "April 2019 (scheduled)"."""
    text = month(date, str(precision))
    if pd.isna(caution):
        return text
    return hedge(text, str(caution)) if str(caution) in HEDGE_WORDS else f"{text} ({caution})"


def _decimal_year(dates: pd.Series) -> pd.Series:
    # Dates as decimal years (2018.5 is mid-2018): a quantitative axis can be broken into pieces.
    start = pd.to_datetime(dates.dt.year.astype(str) + "-01-01")
    return (dates.dt.year + (dates - start).dt.days / (365 + dates.dt.is_leap_year)).round(4)


def _events(shown: pd.DataFrame, book: Chapter, color_by: str | None) -> pd.DataFrame:
    """One row per bar: its period, label, hedge, highlight and the texts its tooltip shows."""
    # The bar runs to the end of the last day of the period: 2018 at year precision ends on 1 January 2019.
    ends = pd.Series([period_end(d, str(p)) + pd.Timedelta(days=1)
                      for d, p in zip(shown.date, shown.date_precision, strict=True)], index=shown.index)
    who = [", ".join(book.name(i) for i in ids if isinstance(i, str))
           for ids in zip(shown.org_id, shown.system_id, strict=True)]
    events = pd.DataFrame({
        "row": row_ids(shown, data_dir=book.data_dir),
        "when": shown.when,
        "event": shown.description.astype(str),
        "text": [f"{w} — {d}" for w, d in zip(shown.when, shown.description, strict=True)],
        "caution": shown.hedge.astype("string").fillna("stated"),
        "hedged": shown.hedge.notna(),
        "who": who,
        "hl": book.marks(shown.org_id, shown.system_id),
        "pages": directory_pages(book, shown.org_id, shown.system_id),
        "start_year": _decimal_year(shown.date),
        "end_year": _decimal_year(ends),
    }, index=shown.index)
    if "number" in shown:
        events["number"] = shown.number.astype(str)
    if color_by:
        events["key"] = shown[color_by].astype(str).str.replace("_", " ")  # "data brokers" in the legend
    return events.reset_index(drop=True)


@dataclass(frozen=True)
class _TimeAxis:
    """A piecewise year scale: each run of years with events gets a piece, the long gaps between none."""

    domain: list[float]  # [start, end] of each piece, in years
    range: list[float]  # the pixels they map to
    breaks: list[float]  # the middle of each gap, in years, where // is written

    @classmethod
    def fit(cls, starts: pd.Series, ends: pd.Series, width: int, break_years: int | None) -> "_TimeAxis":
        pieces: list[list[int]] = []
        for first, last in sorted(zip(np.floor(starts).astype(int), np.ceil(ends).astype(int), strict=True)):
            if pieces and (break_years is None or first - pieces[-1][1] < break_years):
                pieces[-1][1] = max(pieces[-1][1], last)
            else:
                pieces.append([first, last])
        lengths = [last - first for first, last in pieces]
        pixels = _share(width - BREAK_PX * (len(pieces) - 1), lengths)
        domain, scale_range, breaks, x = [], [], [], 0.0
        for (first, last), px in zip(pieces, pixels, strict=True):
            if domain:
                breaks.append((domain[-1] + first) / 2)
            domain += [float(first), float(last)]
            scale_range += [round(x, 2), round(x + px, 2)]
            x += px + BREAK_PX
        return cls(domain, scale_range, breaks)

    def px(self, years) -> np.ndarray:
        return np.interp(years, self.domain, self.range)

    def piece(self, years) -> np.ndarray:
        """Index into ``domain`` of the start of the piece each year falls in."""
        return np.clip(np.searchsorted(self.domain, years, side="right") // 2 * 2, 0, len(self.domain) - 2)

    def ticks(self) -> tuple[list[int], list[int], list[int]]:
        """Grid years, the years labelled (as many as fit) and those labelled from their tick rightwards
        (the first year after a //, whose label must show)."""
        grid = []
        for first, last, left, right in zip(self.domain[::2], self.domain[1::2], self.range[::2], self.range[1::2],
                                            strict=True):
            per_year = (right - left) / (last - first)
            step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if s * per_year >= 2 * text_width("2000") or s == 100)
            grid += [y for y in range(int(first), int(last) + 1) if y % step == 0 or y in (first, last)]
        after_break = [int(y) for y in self.domain[2::2]]
        first, last = grid[0], grid[-1]  # Vega draws these flush with the ends of the axis
        taken = [(x - text_width("//") / 2, x + text_width("//") / 2) for x in self.px(self.breaks)]
        labelled = []
        for year in dict.fromkeys([first, *after_break, last, *grid]):  # the must-haves first
            x, w = float(self.px(year)), text_width(str(year))
            extent = (x, x + w) if year == first or year in after_break else (x - w, x) if year == last \
                else (x - w / 2, x + w / 2)
            if all(extent[1] + 6 <= a or extent[0] >= b + 6 for a, b in taken):
                labelled.append(year)
                taken.append(extent)
        return grid, sorted(labelled), after_break

    def left_out(self) -> list[tuple[int, int]]:
        """The runs of years the axis leaves out, first and last year."""
        return [(int(self.domain[i]), int(self.domain[i + 1]) - 1) for i in range(1, len(self.domain) - 1, 2)]


def _share(total: float, lengths: list[int]) -> list[float]:
    """Pixels per piece in proportion to its years, each at least MIN_SEGMENT_PX."""
    small = [n * total / sum(lengths) < MIN_SEGMENT_PX for n in lengths]
    rest = total - MIN_SEGMENT_PX * sum(small)
    big = sum(n for n, s in zip(lengths, small, strict=True) if not s)
    return [MIN_SEGMENT_PX if s else n * rest / big for n, s in zip(lengths, small, strict=True)]


def _drawn_span(events: pd.DataFrame, axis: _TimeAxis) -> pd.DataFrame:
    # A bar narrower than MIN_BAR_PX is widened about its middle, inside its piece of the axis;
    # start_year/end_year keep the true period.
    middle = (events.start_year + events.end_year) / 2
    piece = axis.piece(middle)
    low, high = np.take(axis.domain, piece), np.take(axis.domain, piece + 1)
    per_year = (np.take(axis.range, piece + 1) - np.take(axis.range, piece)) / (high - low)
    length = np.maximum(events.end_year - events.start_year, MIN_BAR_PX / per_year)
    x_from = np.clip(middle - length / 2, low, high - length)
    return events.assign(x_from=x_from.round(4), x_to=(x_from + length).round(4))


def _stack_labelled(events: pd.DataFrame, width: int) -> tuple[pd.DataFrame, int]:
    """One event per row: its full label, wrapped to the chart's width, above its bar."""
    lines = [wrap_px(t, width - 2, FONT_SIZE, hl != "other") for t, hl in zip(events.text, events.hl, strict=True)]
    heights = [LINE_HEIGHT * len(ls) + BAR_HEIGHT + 14 for ls in lines]
    tops = np.cumsum([0, *heights[:-1]]) + 2
    bar_top = tops + np.array([LINE_HEIGHT * len(ls) + 3 for ls in lines])
    placed = events.assign(label=["\n".join(ls) for ls in lines], label_y=tops, bar_top=bar_top,
                           bar_bottom=bar_top + BAR_HEIGHT)
    return placed, int(tops[-1] + heights[-1])


def _pack_numbered(events: pd.DataFrame, axis: _TimeAxis) -> tuple[pd.DataFrame, int]:
    """Numbered bars, each in the first lane where it and its number do not collide with another."""
    starts, ends = axis.px(events.x_from), axis.px(events.x_to)
    lane_ends: list[float] = []
    lanes = []
    for start, end, number in zip(starts, ends, events.number, strict=True):
        room = end + NUMBER_GAP + text_width(number, bold=True) + 6
        lane = next((i for i, last in enumerate(lane_ends) if last <= start), len(lane_ends))
        lane_ends[lane:lane + 1] = [room]
        lanes.append(lane)
    bar_top = np.array(lanes) * LANE_HEIGHT + 6
    placed = events.assign(label=events.number, label_y=bar_top + BAR_HEIGHT / 2, bar_top=bar_top,
                           bar_bottom=bar_top + BAR_HEIGHT)
    return placed, int(len(lane_ends) * LANE_HEIGHT + 6)


def _chart(events: pd.DataFrame, book: Chapter, axis: _TimeAxis, *, color_by, colors, numbered,
           width: int) -> alt.LayerChart:
    base = alt.Chart(plain(events)).encode(tooltip=[
        alt.Tooltip("when:N", title="When"), alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("who:N", title="Who, what"), alt.Tooltip("caution:N", title="Hedge on the date"),
        alt.Tooltip("row:N", title="Row"), alt.Tooltip("pages:N", title=PAGES_TIP)])
    scale = alt.Scale(domain=axis.domain, range=axis.range, nice=False, zero=False)
    x = alt.X("x_from:Q", scale=scale, axis=_x_axis(axis, events.hedged.any(), (events.hl != "other").any(),
                                                    int(axis.range[-1])))
    stroke = _stroke(events, book, color_by, colors, width)
    # Hollow: a hedged date; the accent, a thicker outline and a bold label: the highlight, also in grey.
    fill = {"condition": [{"test": "datum.hedged", "value": "white"}, *stroke.get("condition", [])],
            **{k: v for k, v in stroke.items() if k != "condition"}}
    bold = _bold_if_highlight(book)
    bars = base.mark_bar(cornerRadius=2).encode(
        x=x, x2="x_to:Q", y=alt.Y("bar_top:Q", scale=None, axis=None), y2="bar_bottom:Q",
        stroke=stroke, fill=fill, strokeWidth=_if_highlight(book, 3, 1.5))
    layers = [bars, *_outline(base, book, x)]
    if numbered:  # the number just right of its bar
        labels = base.mark_text(align="left", baseline="middle", dx=NUMBER_GAP, fontSize=FONT_SIZE, color="#333",
                                fontWeight=bold).encode(
            x=alt.X("x_to:Q", scale=scale), y=alt.Y("label_y:Q", scale=None, axis=None), text="label:N")
    else:  # the label above its bar, from the left edge, so the whole width is there for it
        labels = base.mark_text(align="left", baseline="top", fontSize=FONT_SIZE, lineHeight=LINE_HEIGHT,
                                lineBreak="\n", color="#333", fontWeight=bold).encode(
            x=alt.value(0), y=alt.Y("label_y:Q", scale=None, axis=None), text="label:N")
    return alt.layer(*layers, labels)


def _outline(base: alt.Chart, book: Chapter, x: alt.X) -> list[alt.Chart]:
    """A dark frame a few pixels round each highlighted bar: in grey the accent may look like any other colour,
    a frame does not (a hedged, hollow bar keeps its accent outline inside it)."""
    if not book.highlight:
        return []
    return [base.mark_bar(filled=False, stroke=OUTLINE, strokeWidth=1.5, cornerRadius=3, xOffset=-OUTLINE_GAP,
                          x2Offset=OUTLINE_GAP, yOffset=-OUTLINE_GAP, y2Offset=OUTLINE_GAP).encode(
        x=x, x2="x_to:Q", y=alt.Y("bar_top:Q", scale=None, axis=None), y2="bar_bottom:Q").transform_filter(
        f"datum.hl === {charts.vega_literal(book.highlight)}")]


def _x_axis(axis: _TimeAxis, any_hedged: bool, any_highlighted: bool, width: int) -> alt.Axis:
    grid, labelled, after_break = axis.ticks()
    is_break = f"indexof({axis.breaks}, datum.value) >= 0"
    key = ["bar = the period the date gives"] + (["hollow = date hedged by the source"] if any_hedged else []) \
        + (["framed = highlighted"] if any_highlighted else []) + (["// = years left out"] if axis.breaks else [])
    return alt.Axis(
        values=sorted(grid + axis.breaks), format="d", labelAngle=0, labelOverlap=False, gridColor="#eeeeee",
        labelExpr=f"{is_break} ? '//' : indexof({labelled}, datum.value) >= 0 ? datum.label : ''",
        gridOpacity={"condition": {"test": is_break, "value": 0}, "value": 1},
        tickOpacity={"condition": {"test": is_break, "value": 0}, "value": 1},
        labelFontWeight={"condition": {"test": is_break, "value": "bold"}, "value": "normal"},
        # set here, the alignment replaces Vega's flush ends: the first label and those after a // read
        # from their tick rightwards, the last one leftwards, so none sticks out of the chart
        labelAlign={"condition": [{"test": f"indexof({[grid[0], *after_break]}, datum.value) >= 0", "value": "left"},
                                  {"test": f"datum.value === {grid[-1]}", "value": "right"}], "value": "center"},
        title=wrap_px("; ".join(key), width, 11), titleFontWeight="normal", titleFontSize=11)


def _stroke(events: pd.DataFrame, book: Chapter, color_by, colors, width: int) -> dict:
    """The colour of each bar: its value of ``color_by`` (with a legend) or the section's; the accent when
    highlighted."""
    color = charts.SECTION_COLORS[book.section]
    if not color_by:
        paint = charts.highlight_color("hl", book.highlight, color)
        paint = dict(paint if isinstance(paint, dict) else paint.to_dict())
        if isinstance(paint.get("condition"), dict):  # one condition; the fill adds "hollow" before it
            paint["condition"] = [paint["condition"]]
        return paint
    palette = {str(k).replace("_", " "): v for k, v in (colors or charts.SECTION_COLORS).items()}
    missing = sorted(set(events.key) - set(palette))
    if missing:
        raise ValueError(f"no colour for {color_by} {missing}: pass colors={{value: colour}}")
    shown = [k for k in palette if k in set(events.key)]
    # as many columns as fit the chart's width (each as wide as the widest entry), so the legend wraps
    entry = 16 + max(text_width(k) for k in shown) + 10
    legend = alt.Legend(title=None, orient="top", symbolType="square", columns=max(1, int(width // entry)))
    by_key = alt.Stroke("key:N", scale=alt.Scale(domain=shown, range=[palette[k] for k in shown]), legend=legend)
    stroke = by_key.to_dict()
    if book.highlight:
        stroke["condition"] = [{"test": f"datum.hl === {charts.vega_literal(book.highlight)}", "value": charts.ACCENT}]
    return stroke


def _if_highlight(book: Chapter, yes, no):
    if not book.highlight:
        return alt.value(no)
    return alt.condition(f"datum.hl === {charts.vega_literal(book.highlight)}", alt.value(yes), alt.value(no))


def _bold_if_highlight(book: Chapter) -> alt.ExprRef | str:
    # fontWeight is a mark property, not a channel: an expression per datum
    if not book.highlight:
        return "normal"
    return alt.expr(f"datum.hl === {charts.vega_literal(book.highlight)} ? 'bold' : 'normal'")


def _description(events: pd.DataFrame, axis: _TimeAxis) -> str:
    """What a screen reader gets: every event with its date and hedge, and what the marks mean."""
    items = [(f"{n}. " if "number" in events else "") + t + (" (highlighted)" if hl != "other" else "")
             for n, t, hl in zip(events.get("number", events.row), events.text, events.hl, strict=True)]
    gaps = "".join(f" The axis leaves out {a} to {b}." if a < b else f" The axis leaves out {a}."
                   for a, b in axis.left_out())
    return (f"Timeline of {len(events)} dated events; each bar spans the period its date gives (the whole "
            f"year when only the year is known), and a date the source hedges is drawn hollow.{gaps} "
            + "; ".join(items) + ".")


# A date known to the year comes before one known to a month of that year, which comes before its days.
PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


def _in_order(rows: pd.DataFrame, order: Sequence[str] | None) -> pd.DataFrame:
    if order:
        return rows.sort_values(list(order), kind="stable")
    rank = rows.date_precision.map(PRECISION_RANK).fillna(len(PRECISION_RANK))
    return rows.assign(_rank=rank).sort_values(["date", "_rank", "event_id"], kind="stable").drop(columns="_rank")

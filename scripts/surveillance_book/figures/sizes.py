"""Sizes: quantities from data/metrics.csv, one small panel per unit, one bar per row.

Figures in different units ("detections", "records", "identities per month") are never put on one
axis: each unit gets its own panel and its own x scale, so no bar can be read against another unit.
The way a figure is stated is drawn, not only written:

- a stated figure is a solid bar from zero;
- a range (``value_low`` < ``value_high``) is a solid bar to the low end and a pale segment to the high end;
- a lower bound ("over", "more than", "at least") runs on as a dashed line to an arrowhead at the panel's
  edge: the true figure may lie further out;
- an upper bound ("up to") is a pale bar closed by a bar at the ceiling: the true figure may be lower;
- a capacity of something not yet in operation (the measure or note says "capacity", the subject system
  is planned or in development, or the chapter adds a ``hedge`` column saying "planned") is a hollow dashed
  bar, not drawn as a present count.

Every bar carries its figure as stated ("at least 500 million identities") above it, and the key under the
panels says when the figures were stated, so a printed chart read on its own is not taken for today's.
"""

import textwrap
from collections.abc import Mapping

import altair as alt
import pandas as pd
from IPython.display import Markdown

from .. import charts
from ..chapter import Chapter, row_ids
from ..text import count, month, value_range
from .figure import PAGES_TIP, Figure, directory_pages, nothing_known, plain
from .fonts import text_width

LOWER_BOUNDS = ("over", "more than", "at least")
UPPER_BOUNDS = ("up to",)
FUTURE_HEDGES = ("planned", "scheduled", "may", "potentially")  # not (yet) a present quantity
FUTURE_STATUSES = ("planned", "in development")
SCALE_WORDS = ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands"))
WIDTH = 440  # axis labels plus plot, in px: landscape, prints at full column width
BAR = 14  # bar thickness, px
LABEL_PX, LABEL_FONT = 160, 12  # a bar's label wraps to lines of at most this many px (as wide as it takes)
LINE_PX = 14  # one line of a label
DRAWN = ("row", "label", "subject_name", "measure", "unit", "panel", "qualifier", "figure", "text", "period",
         "as_of", "hl", "pages", "bar_end", "low_x", "high_x", "edge")  # the columns the chart needs
TOOLTIP = {"subject_name": "Subject", "measure": "Measure", "figure": "Figure as stated", "period": "Period",
           "as_of": "Stated by", "row": "Row", "pages": PAGES_TIP}
KEY = {  # what each way of drawing means, for the key under the panels and the description
    "range": "Pale segment: a range; the figure lies between its two ends.",
    "lower bound": "Dashed line to an arrowhead: a lower bound; the true figure may lie further out.",
    "upper bound": "Pale bar closed by a bar: an upper bound; the true figure may be lower.",
    "future": "Hollow dashed bar: a capacity or plan, not a present count.",
}


def sizes(rows: pd.DataFrame, book: Chapter, *, name: str, title: str, label: str | None = None,
          units: Mapping[str, str] | None = None, headings: Mapping[str, str] | None = None,
          what: str = "figures of size") -> Figure | Markdown:
    """Rows of ``book.metrics`` as bars, one small panel with its own scale per unit, hedges drawn and written.

    ``label`` names a column of ``rows`` holding each bar's label (default: the subject's short name, or
    the measure when two bars of a panel share a subject). ``units`` maps unit spellings the chapter reads
    as one unit to it ({"people": "identities"}: IDENT's people are identity records); ``headings`` maps a
    unit to its panel heading (default: the measure the panel's rows share). Rows keep the chapter's order."""
    if not len(rows):
        return nothing_known(book, what, rows)
    bars = _bars(rows, book, label, units or {})
    # One label column for all panels, so that their plots line up and can be read one under another.
    # as wide as the widest line of any label, in bold (the highlight's weight), and the label's padding
    extent = round(max(text_width(line, LABEL_FONT, bold=True) for text in bars.label
                       for line in text.split("\n"))) + 12
    panels = [_panel(bars[bars.panel == unit], book, (headings or {}).get(unit, _heading(bars, unit)), extent)
              for unit in dict.fromkeys(bars.panel)]
    key = [_stated(rows), *[KEY[k] for k in KEY if bars[k].any()]]  # a figure out of context keeps its date
    chart = alt.vconcat(*panels, spacing=22).resolve_scale(x="independent", y="independent")
    # the key as a bottom title of an inner block, so charts.show's title stays on top
    chart = alt.vconcat(chart.properties(title=alt.TitleParams(
        key, orient="bottom", anchor="start", fontSize=11, fontWeight="normal", color="#444", offset=12)))
    return Figure(chart, rows, book, name=name, title=title, description=_description(bars, key))


def _stated(rows: pd.DataFrame) -> str:
    """When the figures were stated: a size is true of its date, and a printed chart may be read alone."""
    first, last = (f"{d:%B %Y}" for d in (rows.as_of.min(), rows.as_of.max()))
    return f"Figures as stated in {first}." if first == last else f"Figures as stated between {first} and {last}."


def _bars(rows: pd.DataFrame, book: Chapter, label: str | None, units: Mapping[str, str]) -> pd.DataFrame:
    """One record per row: what to draw (scaled), how it is stated, and its label."""
    subject = rows.subject_system_id.fillna(rows.subject_org_id).astype(object)
    qualifier = rows.qualifier.astype(object).where(rows.qualifier.notna(), "exact")
    low, high = rows.value_low.astype(float), rows.value_high.astype(float)
    bars = pd.DataFrame({
        "row": row_ids(rows, data_dir=book.data_dir),
        "subject": [book.name(s) for s in subject],
        "subject_name": [book.full_name(s) for s in subject],
        "measure": rows.measure.astype(str),
        "unit": rows.unit.astype(str),
        "panel": [units.get(u, u) for u in rows.unit.astype(str)],
        "qualifier": qualifier,
        "low": low, "high": high,
        "period": [month(p, str(q)) if pd.notna(p) else ""
                   for p, q in zip(rows.period, rows.period_precision, strict=True)],
        "as_of": [f"{d:%B %Y}" for d in rows.as_of],
        "hl": book.marks(rows.subject_system_id, rows.subject_org_id),
        "pages": directory_pages(book, rows.subject_system_id, rows.subject_org_id),
    }, index=rows.index)
    bars["lower bound"] = qualifier.isin(LOWER_BOUNDS)
    bars["upper bound"] = qualifier.isin(UPPER_BOUNDS)
    bars["range"] = (low < high) & ~bars["upper bound"]
    bars["future"] = _future(rows, book, qualifier)
    bars["figure"] = [f"{value_range(lo, hi, q)} {u}"
                      for lo, hi, q, u in zip(low, high, qualifier, bars.unit, strict=True)]
    bars["text"] = bars.figure + _future_words(rows, bars.future, qualifier)
    bars["label_text"] = rows[label].astype(str) if label else _default_labels(bars)
    bars["label"] = [_wrap(text) for text in bars.label_text]
    return _scaled(bars)


def _future(rows: pd.DataFrame, book: Chapter, qualifier: pd.Series) -> pd.Series:
    """Whether a row is a capacity or plan rather than something that exists now: its measure or note
    says "capacity", its system is planned or in development, or it is hedged as a plan."""
    said = (rows.measure.fillna("") + " " + rows.note.fillna("")).str.contains("capacity", case=False)
    status = book.everything("systems").set_index("system_id").status.astype(str)
    planned_system = rows.subject_system_id.map(status).isin(FUTURE_STATUSES)
    return (said | planned_system | _hedges(rows).isin(FUTURE_HEDGES) | qualifier.isin(FUTURE_HEDGES)).astype(bool)


def _hedges(rows: pd.DataFrame) -> pd.Series:
    # A hedge the chapter adds as a column (metrics have none of their own): "planned", "scheduled", …
    return rows.hedge.astype(object) if "hedge" in rows else pd.Series("", index=rows.index, dtype=object)


def _future_words(rows: pd.DataFrame, future: pd.Series, qualifier: pd.Series) -> list[str]:
    # The chapter's hedge when it gave one; "potentially" already reads in the figure; otherwise a capacity.
    return [("" if q in FUTURE_HEDGES else f" ({h})" if h in FUTURE_HEDGES else " (capacity)") if f else ""
            for f, h, q in zip(future, _hedges(rows), qualifier, strict=True)]


def _default_labels(bars: pd.DataFrame) -> pd.Series:
    # The subject's name tells bars apart unless a panel has two rows on one subject (DHS's hosted and
    # migrating applications): then the measure does.
    shared = bars.duplicated(["panel", "subject"], keep=False)
    return bars.subject.where(~shared, bars.measure)


def _wrap(text: str) -> str:
    """Long names ("Vigilant Solutions commercial license-plate reader database") on as many lines of at most
    LABEL_PX as they need, broken at spaces and hyphens, never cut: a word wider than that stands on its own
    line (and the labels' column widens for it)."""
    for chars in range(len(text), 0, -1):
        lines = textwrap.wrap(text, chars, break_long_words=False) or [text]
        if all(text_width(line, LABEL_FONT, bold=True) <= LABEL_PX for line in lines):
            return "\n".join(lines)
    return "\n".join(textwrap.wrap(text, 1, break_long_words=False)) or text


def _scaled(bars: pd.DataFrame) -> pd.DataFrame:
    """Values in the panel's scale word (millions, …), and each panel's right edge."""
    out = []
    for unit in dict.fromkeys(bars.panel):
        panel = bars[bars.panel == unit].copy()
        if panel.label.duplicated().any():
            raise ValueError(f"two bars in the {unit!r} panel share a label; pass label= a column that "
                             "tells them apart")
        top = float(panel.high.max())
        divisor, word = next(((d, w) for d, w in SCALE_WORDS if top >= d), (1.0, ""))
        name = unit[0].upper() + unit[1:]
        panel["axis_title"] = f"{name} ({word})" if word else name
        for column in ("low", "high"):
            panel[f"{column}_x"] = panel[column] / divisor
        # Room past the largest figure for a lower bound's open end to run on, so it reads as open.
        panel["edge"] = top / divisor * (1.3 if panel["lower bound"].any() else 1.06)
        panel["bar_end"] = panel.high_x.where(panel["upper bound"], panel.low_x)
        out.append(panel)
    return pd.concat(out)


def _heading(bars: pd.DataFrame, unit: str) -> str | None:
    measures = bars[bars.panel == unit].measure.unique()
    if len(measures) == 1:
        return str(measures[0])
    return None if bars.panel.nunique() == 1 else unit[0].upper() + unit[1:]


def _panel(panel: pd.DataFrame, book: Chapter, heading: str | None, extent: int) -> alt.LayerChart:
    """One unit: its bars, their hedges, their figures, on its own x scale."""
    # Each band holds the figure above its bar and its label, however many lines that takes.
    band = max(40, LINE_PX * int(panel.label.str.count("\n").max() + 1) + 16)
    # Plain dicts for axes, scales and tooltips: Altair copies its objects, every unset property included, at
    # each step of building a chart, and dicts are cheaper to copy.
    y = alt.Y("label:N", sort=list(panel.label), title=None, axis=dict(
        labelLimit=extent, minExtent=extent, maxExtent=extent, ticks=False, domain=False, labelPadding=8,
        labelFontSize=LABEL_FONT, labelLineHeight=LINE_PX, labelExpr="split(datum.label, '\\n')",
        labelFontWeight=_bold_labels(panel), labelOffset=_centred(panel)))
    tooltip = [{"field": field, "type": "nominal", "title": title} for field, title in TOOLTIP.items()]
    data = plain(panel[list(DRAWN)])
    layers = [draw(alt.Chart(data[mask])) for mask, draw in _marks(panel, book) if mask.any()]  # none empty
    chart = alt.layer(*layers).encode(y=y, tooltip=tooltip)  # shared by every layer
    if heading:
        chart = chart.properties(title=alt.TitleParams(textwrap.wrap(heading, 70), fontSize=12, anchor="start",
                                                       fontWeight="bold", lineHeight=15))
    return chart.properties(width=WIDTH - extent, height=band * len(panel))


def _marks(panel: pd.DataFrame, book: Chapter) -> list:
    """(rows, how to draw them) for each way a figure can be stated; see the module docstring."""
    color = charts.highlight_color("hl", book.highlight, charts.SECTION_COLORS[book.section])
    x = alt.X("bar_end:Q", title=panel.axis_title.iloc[0],  # the panel's own scale, set explicitly
              scale={"domain": [0, float(panel.edge.iloc[0])], "nice": False},
              axis={"format": ",~f", "tickCount": 5, "grid": True})
    zero = alt.X2Datum(0)

    def width(yes: float, no: float) -> alt.StrokeWidthValue:
        # outline width and label weight, besides colour, mark the highlight: it survives greyscale printing
        return charts.when_highlighted(alt.StrokeWidthValue, book.highlight, yes, no)
    present = ~panel.future & ~panel["upper bound"]
    future = panel.future & ~panel["upper bound"]

    def figures(chart: alt.Chart, weight: str) -> alt.Chart:
        return chart.mark_text(align="left", baseline="bottom", dx=1, dy=-(BAR // 2 + 2), fontSize=11,
                               fontWeight=weight, color="#222").encode(x=alt.XDatum(0), text="text:N")

    return [
        (present, lambda c: c.mark_bar(height=BAR, stroke="#222").encode(
            x=x, x2=zero, color=color, strokeWidth=width(2, 0))),
        (future, lambda c: c.mark_bar(height=BAR, fill="white", strokeDash=[4, 2]).encode(
            x=x, x2=zero, stroke=color, strokeWidth=width(2.5, 1.5))),
        (panel["upper bound"], lambda c: c.mark_bar(height=BAR, fillOpacity=0.35).encode(x=x, x2=zero, color=color)),
        (panel["upper bound"], lambda c: c.mark_tick(thickness=3, size=BAR + 8).encode(x=x, color=color)),
        (panel.range, lambda c: c.mark_bar(height=BAR, fillOpacity=0.35, strokeWidth=1).encode(
            x="low_x:Q", x2="high_x:Q", color=color, stroke=color)),
        (panel["lower bound"], lambda c: c.mark_rule(strokeDash=[4, 3], strokeWidth=2).encode(
            x="high_x:Q", x2="edge:Q", color=color)),
        (panel["lower bound"], lambda c: c.mark_point(shape="triangle-right", filled=True, size=110,
                                                      opacity=1).encode(x="edge:Q", color=color)),
        # The figure as stated, above its bar; bold when highlighted (greyscale-safe).
        (panel.hl.eq("other"), lambda c: figures(c, "normal")),
        (panel.hl.ne("other"), lambda c: figures(c, "bold")),
    ]




def _bold_labels(panel: pd.DataFrame) -> dict | str:
    bold = list(panel.label[panel.hl != "other"])
    if not bold:
        return "normal"
    return {"condition": {"test": f"indexof({charts.vega_literal(bold)}, datum.value) >= 0", "value": "bold"},
            "value": "normal"}


def _centred(panel: pd.DataFrame) -> dict | int:
    # A label of several lines hangs down from its bar; lift it by half its extra lines to centre it.
    lines = panel.label.str.count("\n")
    tests = [{"test": f"indexof({charts.vega_literal(list(panel.label[lines == n]))}, datum.value) >= 0",
              "value": -n * LINE_PX / 2} for n in sorted(set(lines) - {0})]
    return {"condition": tests, "value": 0} if tests else 0


def _description(bars: pd.DataFrame, key: list[str]) -> str:
    panels = list(dict.fromkeys(bars.panel))
    lead = (f"{count(len(panels)).capitalize()} small bar charts, one per unit, each on its own scale and not "
            "comparable with each other." if len(panels) > 1 else "Bar chart.")
    parts = [f"{bars[bars.panel == p].axis_title.iloc[0]}: "
             + "; ".join(f"{r.label_text}, {r.text}" for r in bars[bars.panel == p].itertuples()) + "."
             for p in panels]
    return " ".join([lead, *parts, *key])

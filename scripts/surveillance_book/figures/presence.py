"""Presence matrix: which row item has which column item, and in what way.

One cell per distinct (row, column) pair, however many rows of the table say so: IDENT appears
twice with "face" in system_data (it stores and matches faces), and the matrix draws that as one
cell holding two symbols, never as two cells or a count of two. Each kind of presence (the
``mark`` column: a role, a relation, a kind of document) has its own shape and colour, so the
grid reads in greyscale; a presence that is hedged or still to come ("planned", a "required
capacity") is drawn hollow and says so in the legend.
"""

from collections.abc import Iterable, Mapping, Sequence

import altair as alt
import pandas as pd
from IPython.display import Markdown

from .. import charts
from ..chapter import Chapter, row_ids
from ..text import and_list
from .figure import PAGES_TIP, Figure, directory_pages, nothing_known, plain
from .fonts import text_width

SHAPES = ["circle", "square", "diamond", "triangle-up", "cross", "triangle-down", "triangle-right", "wedge"]
STATED = {"", "stated", "exact"}  # hedge values that mean the source states the fact plainly
SYMBOL_SIZE, SLOT = 80, 14  # symbol area (px²) and the distance between two symbols sharing a cell
FONT_SIZE, LINE, MAX_WIDTH, ROW_WIDTH = 11, 12, 450, 210  # px: labels, their line height, grid, row labels
# (grid, row labels and padding at most about 740 px: 11 px type prints at 7 pt or more, charts.printed_pt)
ROW_STEP, DENSE, DENSE_STEP = 22, 20, 16  # px per row; above DENSE rows, DENSE_STEP px (prints at 7 pt+)
MAX_LINES = 5  # column labels wrapped on more lines than this are angled instead
HOLLOW, GRID = "white", "#d9d9d9"


def presence(rows: pd.DataFrame, book: Chapter, *, name: str, title: str, row: str, column: str, mark: str,
             row_order: Iterable | None = None, column_order: Iterable | None = None,
             mark_order: Iterable | None = None, future: Sequence[str] = (), hedge: str | None = None,
             highlight_by: Sequence[str] | None = None, group: str | None = None,
             row_title: str | None = None, column_title: str | None = None, mark_title: str | None = None,
             labels: Mapping[str, str] | None = None, what: str | None = None) -> Figure | Markdown:
    """A grid with a symbol where a row item has a column item; the symbol's shape and colour say how.

    ``row``, ``column``: the columns of ``rows`` holding the items (ids are named with book.name, or
    ``labels``); ``mark``: the column saying what kind of presence a row states; ``future``: kinds that
    are a capability to come ("required capacity"), ``hedge``: a column whose words ("planned") hedge a
    row; both are drawn hollow. ``group``: a column that splits the rows into labelled blocks;
    ``highlight_by``: the id columns the highlight is looked up in (default: row and column)."""
    if not len(rows):
        return nothing_known(book, what or title[0].lower() + title[1:], rows)
    highlight_by = list(highlight_by or [row, column])
    cells, entries = _cells(rows, book, row=row, column=column, mark=mark, future=future, hedge=hedge,
                            highlight_by=highlight_by, group=group, mark_order=mark_order)
    cells = cells.assign(row_label=cells.row_key.map(_names(cells.row_key, book, labels or {})),
                         column_label=cells.column_key.map(_names(cells.column_key, book, labels or {})))
    rows_in = _order(cells.row_key, row_order)
    columns_in = _order(cells.column_key, column_order)
    cells = cells.assign(r=cells.row_key.map({k: i for i, k in enumerate(rows_in)}),
                         c=cells.column_key.map({k: i for i, k in enumerate(columns_in)}))
    cells = cells.sort_values(["r", "c"], kind="stable").drop(columns=["r", "c"]).reset_index(drop=True)
    titles = {"row": row_title or row, "column": column_title or column, "mark": mark_title or mark}
    bold = {"x": column in highlight_by, "y": row in highlight_by}  # bold labels where the highlight is looked up
    chart = _chart(cells, entries, book, _layout(cells, rows_in, columns_in), titles, group, bold)
    return Figure(chart, rows, book, name=name, title=title,
                  description=_description(cells, entries, titles))


# --- data: one cell per distinct pair ---------------------------------------------------------------


def _ids(rows: pd.DataFrame, book: Chapter) -> list[str]:
    """Each row's id; rows the chapter gathered from several tables carry a ``table`` column."""
    if "table" not in rows or rows.attrs.get("table"):
        return row_ids(rows, data_dir=book.data_dir)
    ids = pd.Series("", index=rows.index, dtype=object)
    for table, part in rows.groupby("table", sort=False):
        ids[part.index] = row_ids(part, str(table), book.data_dir)
    return list(ids)


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str)


def _cells(rows, book, *, row, column, mark, future, hedge, highlight_by, group, mark_order):
    """One row per distinct (row, column) pair with its presences in slots p0, p1, …; and the legend
    entries, in order, as (presence text, kind, why it is hollow: the hedge or the future kind, or "")."""
    kinds = _text(rows[mark])
    hedges = _text(rows[hedge]) if hedge else pd.Series("", index=rows.index)
    hedged = ~hedges.isin(STATED)
    presences = pd.Series([f"{k} ({h})" if x else k for k, h, x in zip(kinds, hedges, hedged, strict=True)],
                          index=rows.index, dtype=object)
    frame = pd.DataFrame({
        "row_key": _text(rows[row]), "column_key": _text(rows[column]), "presence": presences,
        "kind": kinds, "hollow": hedges.where(hedged, kinds.where(kinds.isin(list(future)), "")),
        "row_id": _ids(rows, book),
        "hl": book.marks(*(rows[c] for c in highlight_by)),
        "pages": directory_pages(book, *(rows[c] for c in highlight_by)),
        "group": _text(rows[group]) if group else "",
    })
    kind_order = _order(frame.kind, mark_order)
    frame["k"] = frame.kind.map({k: i for i, k in enumerate(kind_order)})
    frame["position"] = range(len(frame))  # pairs keep the order of the rows; symbols the order of kinds
    frame = frame.sort_values(["k", "hollow"], kind="stable")  # within a kind, the stated one first
    entries = list(dict.fromkeys(zip(frame.presence, frame.kind, frame.hollow, strict=True)))
    pairs = frame.groupby(["row_key", "column_key"], sort=False)
    cells = pairs.agg(presences=("presence", lambda p: list(dict.fromkeys(p))),
                      row_ids=("row_id", lambda i: "; ".join(dict.fromkeys(i))),
                      hl=("hl", lambda h: book.highlight if (h != "other").any() else "other"),
                      pages=("pages", lambda p: "; ".join(dict.fromkeys(q for v in p for q in v.split("; ") if q))),
                      group=("group", "first"), position=("position", "min")).reset_index()
    cells = cells.sort_values("position").drop(columns="position").reset_index(drop=True)
    slots = max(map(len, cells.presences))
    for j in range(slots):
        cells[f"p{j}"] = [p[j] if j < len(p) else "" for p in cells.presences]
    cells["n"] = cells.presences.map(len)
    cells["what"] = cells.presences.map(", ".join)
    return cells.drop(columns="presences"), entries


def _names(keys: pd.Series, book: Chapter, labels: Mapping[str, str]) -> dict[str, str]:
    """Each item's name (the chapter's label, else book.name), made unique: two items never share a row."""
    name = {k: labels.get(k) or book.name(k) for k in dict.fromkeys(keys)}
    clashes = pd.Series(name, dtype=object).duplicated(keep=False)
    return {k: f"{v} ({k})" if clashes[k] else v for k, v in name.items()}


def _order(values: pd.Series, given: Iterable | None) -> list:
    """The order given (items not drawn dropped), then the other items in order of first appearance."""
    present = list(dict.fromkeys(values))
    first = [v for v in dict.fromkeys(str(g) for g in ([] if given is None else given)) if v in set(present)]
    return first + [v for v in present if v not in set(first)]


def longest_line(labels) -> float:
    return max((text_width(line) for label in labels for line in str(label).split("\n")), default=0)


def wrap(label: str, width: float) -> str:
    """The label in as few lines of at most ``width`` px as it takes (a longer word keeps its own line),
    the lines as even as they can be ("Privacy and immigration / advocates (not named)"), joined by newlines."""
    def greedy(limit: float) -> list[str]:
        lines: list[str] = []
        for word in label.split():
            if lines and text_width(f"{lines[-1]} {word}") <= limit:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        return lines

    lines = greedy(width)
    limit = text_width(label) / max(len(lines), 1)
    while len(even := greedy(limit)) > len(lines):
        limit += 4
    return "\n".join(even) or label


# --- layout and chart --------------------------------------------------------------------------------


def _layout(cells: pd.DataFrame, rows_in: list, columns_in: list) -> dict:
    """Sizes and axis labels: rows wrapped; columns wrapped across the cell when every word fits, else
    angled on one line; rows tall enough for their lines."""
    slots = int(cells.n.max())
    need = max(slots * SLOT + 10, ROW_STEP)  # room for the symbols side by side
    row_names = dict(zip(cells.row_key, cells.row_label, strict=True))
    column_names = dict(zip(cells.column_key, cells.column_label, strict=True))
    step = max(need, min(MAX_WIDTH / len(columns_in), max(2 * need, longest_line(column_names.values()) + 8)))
    words = [w for label in column_names.values() for w in label.split()]
    across = {k: wrap(column_names[k], step - 6) for k in columns_in}
    depth = max(a.count("\n") for a in across.values())
    fits = longest_line(words) + 6 <= step and depth < MAX_LINES
    # Vega draws a label's lines downwards from its anchor, even on a top axis: shorter labels get blank
    # lines in front so that every label ends just above the grid
    across = {k: "\n" * (depth - a.count("\n")) + a for k, a in across.items()}
    rows_axis = {k: wrap(row_names[k], ROW_WIDTH) for k in rows_in}
    lines = max(a.count("\n") + 1 for a in rows_axis.values())
    row_step = ROW_STEP if len(rows_in) <= DENSE else DENSE_STEP
    return {"slots": slots, "step": step, "angle": 0 if fits else -40,
            "columns": across if fits else {k: column_names[k] for k in columns_in},
            "rows": rows_axis, "row_step": max(row_step, lines * LINE + 6) if lines > 1 else row_step}


def _chart(cells, entries, book, layout, titles, group, bold_axes):
    # the key says what the frames mark, as the other figures' keys do
    # No name in the key: Vega-Lite writes key titles into an expression unescaped (a backslash breaks it);
    # the chapter's text names the highlight.
    framed = "framed: highlighted" if book.highlight in set(cells.hl) else None
    titles = titles | {"framed": framed}
    if not group:
        return _grid(cells, entries, book, layout, titles, bold_axes, row_title=titles["row"])
    # one block of rows per group, stacked: each block its own data, so no facet has to merge layers
    # of different data (Vega-Lite warns about that), and only the first block carries the column labels
    blocks = [_grid(cells[cells.group == name], entries, book, layout, titles, bold_axes, row_title=None,
                    heading=name, columns_axis=i == 0)
              for i, name in enumerate(dict.fromkeys(cells.group))]
    return alt.vconcat(*blocks, spacing=4).resolve_scale(x="shared", shape="shared", fill="shared",
                                                         stroke="shared")


def _grid(cells, entries, book, layout, titles, bold_axes, *, row_title, heading=None, columns_axis=True):
    rows_axis, columns_axis_labels = layout["rows"], layout["columns"]
    rows_axis = {k: v for k, v in rows_axis.items() if k in set(cells.row_key)}
    cells = cells.assign(row_axis=cells.row_key.map(rows_axis), column_axis=cells.column_key.map(columns_axis_labels))
    bold = {axis: [label for key, label in labels.items() if bold_axes[axis] and book.is_highlighted(key)]
            for axis, labels in (("x", columns_axis_labels), ("y", rows_axis))}
    columns = list(columns_axis_labels.values())
    cell = alt.Scale(paddingInner=0, paddingOuter=0)  # cells touch, so the grid lines are their edges
    x_axis = _axis(columns, bold["x"], orient="top", angle=layout["angle"]) if columns_axis else alt.Axis(
        orient="top", labels=False, ticks=False, domain=False, grid=True, gridColor=GRID, tickBand="extent", title=None)
    x = alt.X("column_axis:N", sort=columns, title=titles["column"] if columns_axis else None,
              scale=alt.Scale(domain=columns, paddingInner=0, paddingOuter=0), axis=x_axis)
    y = alt.Y("row_axis:N", sort=list(rows_axis.values()), title=row_title, scale=cell,
              axis=_axis(list(rows_axis.values()), bold["y"], orient="left"))
    tooltip = [alt.Tooltip("row_label:N", title=titles["row"]),
               alt.Tooltip("column_label:N", title=titles["column"]),
               alt.Tooltip("what:N", title=titles["mark"]), alt.Tooltip("row_ids:N", title="Row"),
               alt.Tooltip("pages:N", title=PAGES_TIP)]
    base = alt.Chart(plain(cells)).encode(x=x, y=y, tooltip=tooltip)
    symbols = _symbols(base, entries, layout, book.section, titles["mark"], titles.get("framed"))
    if book.highlight in set(cells.hl):  # outlined cells: the highlight shows in greyscale too
        outline = base.mark_rect(fill=None, strokeWidth=2).encode(
            stroke=charts.highlight_color("hl", book.highlight, "transparent"))
        symbols = alt.layer(outline, symbols)
    title = {"title": alt.TitleParams(heading, anchor="start", fontSize=FONT_SIZE, fontWeight="bold",
                                      offset=2)} if heading else {}
    return symbols.properties(width=alt.Step(layout["step"]), height=alt.Step(layout["row_step"]),
                              view=alt.ViewBackground(stroke=GRID), **title)


def _axis(labels: list[str], bold: list[str], *, orient: str, angle: float = 0) -> alt.Axis:
    """Labels on as many lines as the wrap gave, never cut (labelLimit above the longest line), the
    highlighted items in bold; grid lines on the cell edges. Labels on top are raised by their extra lines,
    which Vega draws downwards."""
    weight = (alt.expr(f"indexof({charts.vega_literal(bold)}, datum.value) >= 0 ? 'bold' : 'normal'") if bold
              else "normal")
    depth = max(label.count("\n") for label in labels) if orient == "top" and not angle else 0
    extra = {"labelAlign": "left", "labelBaseline": "middle"} if angle else {}  # angled: from the column
    if orient == "left" and any("\n" in label for label in labels):  # centre a label's lines on its row
        extra["labelOffset"] = alt.expr(f"-(length(split(datum.label, '\\n')) - 1) * {LINE / 2}")
    if orient == "left":  # the rows' title level, in the corner above their labels: a few rows leave no room
        extra |= {"titleAngle": 0, "titleAlign": "right", "titleBaseline": "bottom", "titleX": -6, "titleY": -6}
    # the limit only says where Vega would cut: generous, so a narrow estimate can never cut a label
    return alt.Axis(orient=orient, labelAngle=angle, labelExpr="split(datum.label, '\\n')",
                    labelLimit=round(longest_line(labels) * 1.5 + 10), labelFontWeight=weight,
                    labelFontSize=FONT_SIZE, labelLineHeight=LINE, labelPadding=6 + depth * LINE, ticks=False,
                    domain=False, grid=True, tickBand="extent", gridColor=GRID, titleFontWeight="normal", **extra)


def _palette(section: str) -> list[str]:
    """The chapter's colour first, then the other sections' colours: never the highlight's accent."""
    own = charts.SECTION_COLORS[section]
    return [own] + [c for c in charts.SECTION_COLORS.values() if c != own]


def _notes(hollow: list[str], framed: str | None) -> list[str]:
    """The key's lines under its title: what hollow and framed mean, on one line when it fits."""
    if not framed:
        return hollow
    one = "; ".join([*hollow, framed])
    return [one] if text_width(one) <= MAX_WIDTH else [*hollow, framed]


def _symbols(base, entries, layout, section, mark_title, framed=None):
    """One symbol per presence, side by side in the cell, from the slots p0, p1, … (folded in the spec,
    so the data keeps one row per pair)."""
    kinds = list(dict.fromkeys(kind for _, kind, _ in entries))
    palette = _palette(section)
    colour = {k: palette[i % len(palette)] for i, k in enumerate(kinds)}
    domain = [p for p, _, _ in entries]
    hollow = list(dict.fromkeys(h for _, _, h in entries if h))
    legend = alt.Legend(orient="bottom", direction="vertical", columns=2 if len(domain) > 3 else 1,
                        title=[mark_title, *_notes([f"hollow: {and_list(hollow)}"] if hollow else [], framed)],
                        titleLimit=MAX_WIDTH, labelLimit=MAX_WIDTH, symbolStrokeWidth=2, titleFontWeight="normal")
    shape = alt.Shape("presence:N", title=legend.title, legend=legend, scale=alt.Scale(
        domain=domain, range=[SHAPES[kinds.index(k) % len(SHAPES)] for _, k, _ in entries]))
    stroke = alt.Stroke("presence:N", title=legend.title, legend=legend, scale=alt.Scale(
        domain=domain, range=[colour[k] for _, k, _ in entries]))
    fill = alt.Fill("presence:N", title=legend.title, legend=legend, scale=alt.Scale(
        domain=domain, range=[HOLLOW if h else colour[k] for _, k, h in entries]))
    # an x offset counts from the start of the column: half a column, then the slot's place in the cell
    dx = f"{layout['step'] / 2} + (toNumber(slice(datum.slot, 1)) - (datum.n - 1) / 2) * {SLOT}"
    folded = base.transform_fold([f"p{j}" for j in range(layout["slots"])], as_=["slot", "presence"])
    return folded.transform_filter(alt.datum.presence != "").transform_calculate(dx=dx).mark_point(
        size=SYMBOL_SIZE, opacity=1, strokeWidth=2, filled=True).encode(
        shape=shape, stroke=stroke, fill=fill, xOffset=alt.XOffset("dx:Q", scale=None))


# --- words -----------------------------------------------------------------------------------------


def _description(cells, entries, titles) -> str:
    """Every row item with what it has, so a screen reader gets the whole grid."""
    lines = [f"{r} — " + "; ".join(f"{c}: {w}" for c, w in zip(g.column_label, g.what, strict=True))
             for r, g in cells.groupby("row_label", sort=False)]
    hollow = list(dict.fromkeys(h for _, _, h in entries if h))
    filled = f"{len(cells)} cell{'s' if len(cells) > 1 else ''} filled"
    return (f"Grid of {titles['row']} (rows) by {titles['column']} (columns), {filled}; "
            f"symbols: {titles['mark']}. " + ". ".join(lines) + "."
            + (f" Hollow symbols: {and_list(hollow)}." if hollow else ""))

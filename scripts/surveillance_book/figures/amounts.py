"""Amounts of money: one bar per amount as the source states it, kept apart by kind, never added up.

The amounts in data/contracts.csv are not all of one kind: a single award, a ceiling that may never be
reached, what a company received over several years, several contracts together, a monthly bill. So:

- each amount is its own bar, coloured by its kind (a fixed order and colour per kind, with a legend);
  bars are never stacked or summed, and a panel that mixes kinds names the kind after each amount;
- every bar carries its amount as stated, hedge included ("nearly $45 million", "potentially …");
- a monthly payment is in its own unit: it gets its own panel and scale, and reads "… a month";
- an amount the sources do not state is listed in a panel of its own, "No amount stated (not zero)",
  never drawn as a bar of zero;
- an amount the book computes (``derived_by_ratio``: a stated amount divided by a stated ratio) is a hollow
  dashed bar labelled "derived", with the rule in its tooltip; it is never stored.

Metric rows in US dollars (data/metrics.csv, unit "USD") are drawn the same way; their measure is their kind.
"""

import re
from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from .. import charts
from ..chapter import Chapter, row_ids
from ..text import HEDGE_WORDS, and_list, count, hedge, money, month
from .figure import PAGES_TIP, Figure, directory_pages, nothing_known, plain
from .fonts import text_width
from .layout import wrap_px

MONTHLY = "monthly payment"  # the one kind in its own unit (dollars a month)
KIND_TITLES = {  # panel heading of each kind of amount (schema vocabulary, not data)
    "awarded": "Value of the award",
    "obligated to date": "Obligated so far",
    "potential ceiling": "Potential ceiling: not money paid",
    "cumulative received": "Received over several years",
    "contracts total": "Contracts together",
    MONTHLY: "Paid each month",
}
KIND_WORDS = {  # the kind after an amount, in a panel that mixes kinds
    "awarded": "awarded", "obligated to date": "obligated", "potential ceiling": "ceiling",
    "cumulative received": "received in total", "contracts total": "contracts together",
}
KIND_COLORS = {  # one colour per kind in every chapter; none is the highlight's magenta; apart in greyscale
    "awarded": "#2c5d8a", "obligated to date": "#79a9d1", "potential ceiling": "#e3b866",
    "cumulative received": "#5e3c7d", "contracts total": "#9a6b16", MONTHLY: "#4d4d4d",
}
WIDTH = 400  # px of the bars' panel: the names sit above the bars, so the panel takes the full width
BAND, BAR = 34, 10  # px per bar (its name above it) and the bar's thickness
FONT = 11  # px of every label; its width is measured in the font (fonts.py), never guessed from a count
LABEL_GAP = 4  # px between a bar's end and its amount
LINE_PX = 14
SHORT_NAME = 12  # a system's name joins a bar's label only when this short ("HART", not a full title)
PER_MONTH = " a month"
ORDERS = ("amount", "time", "given")
LABELS = ("vendor (year)", "vendor, when", "when")
TOOLTIP = [("paid_to", "Paid to"), ("paid_by", "Paid by"), ("purpose", "For"), ("amount", "Amount"),
           ("kind", "Kind of amount"), ("when", "When"), ("note", "Note"), ("row", "Row"), ("pages", PAGES_TIP)]


def amounts(rows: pd.DataFrame, book: Chapter, *, name: str, title: str,
            label: str | Callable = "vendor (year)", panels: str | None = "amount_kind", order: str = "amount",
            unstated: str = "panel", heading: str | None = None, derived: pd.DataFrame | None = None,
            width: int = WIDTH, what: str = "contract amounts") -> Figure | Markdown:
    """Contract (or USD metric) rows as one bar per stated amount, coloured by kind, never added up.

    ``label``: each bar's name — "vendor (year)" ("Northrop Grumman – HART (2018)"), "vendor, when"
    ("Giant Oak, since at least 2014"), "when" ("2017"), a column of ``rows``, or a function of a row.
    ``panels``: "amount_kind" (one panel and scale per kind), None (one panel, one scale), or another
    column ("system_id": one panel per system, one shared scale); monthly payments always get their own.
    ``order``: within a panel, "amount" (largest first), "time" (earliest first) or "given".
    ``unstated``: amounts not stated as a "panel" (one line each) or a "note" (the vendors, in one line).
    ``heading``: the heading of the single panel when ``panels`` is None. ``derived``: computed amounts
    from :func:`derived_by_ratio`, drawn hollow and dashed."""
    _check(rows, panels, order, unstated, label)
    if not len(rows):
        return nothing_known(book, what, rows)
    drawn = _drawn(rows, book, label, panels)
    if derived is not None and len(derived):
        drawn = pd.concat([drawn, _derived(derived, book, drawn)], ignore_index=True)
    panel_order = list(dict.fromkeys(drawn.group))  # panels in the chapter's order, bars sorted within
    drawn = _ordered(drawn, order)
    stated, missing = drawn[drawn.stated], drawn[~drawn.stated]
    kinds = _kinds(rows, stated)
    color = _kind_color(kinds, book)
    groups = _groups(stated, kinds, panels, panel_order, book, heading)
    together = pd.concat([part for _, part, shared in groups if shared] or [stated])  # panels of one scale
    blocks = [_panel(part, book, head, color, width, _scale(together if shared else part, width))
              for head, part, shared in groups]
    if len(missing):
        blocks.append(_unstated(missing, book, width, unstated))
    chart = alt.vconcat(*blocks, spacing=16).resolve_scale(x="independent", y="independent")
    shown = _with_inputs(rows, derived, book)
    return Figure(chart, shown, book, name=name, title=title, description=_description(groups, missing))


def _check(rows: pd.DataFrame, panels, order: str, unstated: str, label) -> None:
    """Editorial choices that cannot be drawn fail at once, with the choices that can."""
    if panels not in (None, "amount_kind") and panels not in rows:
        raise ValueError(f"panels {panels!r}: use 'amount_kind', None, or a column of the rows")
    if order not in ORDERS:
        raise ValueError(f"order {order!r}: use one of {ORDERS}")
    if unstated not in ("panel", "note"):
        raise ValueError(f"unstated {unstated!r}: use 'panel' or 'note'")
    if not callable(label) and label not in LABELS and label not in rows:
        raise ValueError(f"label {label!r}: use one of {LABELS}, a column of the rows or a function of a row")


# --- text for labels and prose -----------------------------------------------------------------------
def amount_text(row, kind: bool = False) -> str:
    """An amount as the source states it, for a label or prose: "nearly $45 million", "reportedly about
    $600,000 a month", "no amount stated"; with ``kind``, the kind after it ("over $46 million (ceiling)")."""
    value, qualifier, kind_of = _amount(row)
    if pd.isna(value):
        return "no amount stated"
    low, high = _get(row, "value_low"), _get(row, "value_high")
    text = (f"{money(low, qualifier)}–{money(high)}" if pd.notna(low) and pd.notna(high) and low != high
            else money(value, qualifier))
    # A payment the source only reports (its note begins "Reportedly") keeps that word.
    text = ("reportedly " if re.match(r"(?i)reportedly\b", _text(_get(row, "note"))) else "") + text
    if kind_of == MONTHLY:
        return text + PER_MONTH
    return f"{text} ({KIND_WORDS[kind_of]})" if kind and kind_of in KIND_WORDS else text


def when(row, book: Chapter, precision: str | None = None, *, events: pd.DataFrame | None = None) -> str:
    """When an amount was announced, or the period it covers, at the precision the source gives (or
    ``precision``, coarser): "February 2018", "2013–2018", "since at least 2014", "through 2022", ""."""
    def at(column: str) -> str:
        date = _get(row, column)
        return month(date, precision or str(_get(row, f"{column}_precision"))) if pd.notna(date) else ""

    if "period" in _fields(row):  # a metric: the period its value refers to
        return at("period")
    if pd.notna(_get(row, "announced")):
        return at("announced")
    start, end = at("period_start"), at("period_end")
    word = _start_hedge(row, book.events if events is None else events) if start else None
    if word:  # the hedge on a start date lives in the matching event ("at least 2014")
        start = hedge(start, word) if word in HEDGE_WORDS else f"{start} ({word})"
    if start and end:
        return f"{start}–{end}"
    return f"since {start}" if start else (f"through {end}" if end else "")


def derived_by_ratio(amount_rows: pd.DataFrame, ratio_rows: pd.DataFrame, book: Chapter) -> pd.DataFrame:
    """Amounts the book computes, never stored: each USD metric divided by each stated "ratio to YEAR",
    for that year, as exact as the ratio ("about"). Pass the result as ``amounts(..., derived=...)``."""
    out = []
    for (_, amount), (_, ratio) in ((a, r) for a in amount_rows.iterrows() for r in ratio_rows.iterrows()):
        year = re.search(r"\d{4}", str(ratio.unit))
        if year is None or not ratio.value_low:
            continue
        value = float(amount.value_low) / float(ratio.value_low)
        ids = row_ids(amount_rows.loc[[amount.name]], data_dir=book.data_dir) + row_ids(
            ratio_rows.loc[[ratio.name]], data_dir=book.data_dir)
        out.append({"row": " ÷ ".join(ids), "from_table": ratio_rows.attrs["table"], "from_ids": "|".join(ids),
                    "amount_usd": value, "qualifier": "approximately", "kind": str(amount.measure),
                    "date": pd.Timestamp(year=int(year.group()), month=1, day=1), "when": year.group(),
                    "how": f"{when(amount, book)} amount ÷ stated ratio {float(ratio.value_low):g}",
                    "subject": amount.subject_system_id if pd.notna(amount.subject_system_id)
                    else amount.subject_org_id})
    return pd.DataFrame(out)


# --- the rows to draw ----------------------------------------------------------------------------------
def _drawn(rows: pd.DataFrame, book: Chapter, label, panels: str | None) -> pd.DataFrame:
    """One record per row: its id, name, amount as stated, kind, highlight and tooltip fields."""
    records = []
    orgs = book.everything("organizations")
    context = {"events": book.events, "companies": set(orgs.org_id[orgs.kind.astype(str) == "company"])}
    for (_, row), row_id in zip(rows.iterrows(), row_ids(rows, data_dir=book.data_dir), strict=True):
        value, _, kind = _amount(row)
        paid_to, paid_by = _parties(row, book)
        records.append({
            "row": row_id, "name": _label(row, book, label, **context), "stated": bool(pd.notna(value)),
            "usd": float(value) if pd.notna(value) else 0.0, "amount": amount_text(row), "kind": kind,
            "paid_to": paid_to, "paid_by": paid_by, "purpose": str(_get(row, "purpose", _get(row, "measure"))),
            "when": when(row, book, events=context["events"]), "note": _text(_get(row, "note")),
            "date": _date(row), "derived": False,
        })
    drawn = pd.DataFrame(records)
    ids = [rows[c] for c in ("vendor_id", "agency_id", "system_id", "subject_system_id", "subject_org_id")
           if c in rows]
    drawn["hl"] = book.marks(*ids).to_numpy()
    drawn["pages"] = directory_pages(book, *ids).to_numpy()
    grouped = panels not in (None, "amount_kind")
    drawn["group"] = rows[panels].astype(object).to_numpy() if grouped else ""
    return drawn


def _derived(derived: pd.DataFrame, book: Chapter, drawn: pd.DataFrame) -> pd.DataFrame:
    # A computed amount reads "derived: about $8.2 million"; it is highlighted when its inputs are.
    first = derived.from_ids.str.split("|").str[0]
    hl = first.map(dict(zip(drawn.row, drawn.hl, strict=True))).fillna("other")
    group = first.map(dict(zip(drawn.row, drawn.group, strict=True))).fillna("")
    return pd.DataFrame({
        "row": derived.row, "name": derived.when, "stated": True, "usd": derived.amount_usd.astype(float),
        "amount": ["derived: " + money(v, q) for v, q in zip(derived.amount_usd, derived.qualifier, strict=True)],
        "kind": derived.kind, "paid_to": "", "paid_by": derived.subject.map(book.name), "purpose": derived.kind,
        "when": derived.when, "note": derived.how, "date": derived.date, "derived": True, "hl": hl,
        "group": group, "pages": directory_pages(book, derived.subject),
    })


def _ordered(drawn: pd.DataFrame, order: str) -> pd.DataFrame:
    if order == "amount":
        return drawn.sort_values(["usd", "name", "row"], ascending=[False, True, True], kind="stable")
    if order == "time":
        return drawn.sort_values(["date", "name", "row"], kind="stable", na_position="last")
    return drawn  # "given": the chapter's order


def _groups(stated: pd.DataFrame, kinds: list[str], panels: str | None, panel_order: list, book: Chapter,
            heading: str | None) -> list:
    """(heading, rows, shared scale) per panel. Monthly payments are always a panel of their own."""
    if panels == "amount_kind":
        return [(f"{_kind_title(k)} ({_unit(k)})", stated[stated.kind == k], False) for k in kinds]
    totals, monthly = stated[stated.kind != MONTHLY], stated[stated.kind == MONTHLY]
    if panels is None:
        one = heading or (f"{_kind_title(kinds[0])} (US dollars)" if len(kinds) == 1
                          else "Amounts as stated, one bar each, not added up (US dollars)")
        groups = [(one, totals, True)] if len(totals) else []
    else:
        groups = [(f"{book.name(g) or 'Other'} (US dollars)", totals[totals.group == g], True)
                  for g in panel_order if (totals.group == g).any()]
    if len(monthly):
        groups.append((f"{_kind_title(MONTHLY)} ({_unit(MONTHLY)})", monthly, False))
    # a panel per system or the like does not say the kind in its heading: every label says it
    return [(h, _kind_words(part, named=panels not in (None, "amount_kind")), shared) for h, part, shared in groups]


def _kind_words(part: pd.DataFrame, named: bool = False) -> pd.DataFrame:
    # In a panel of several kinds the colour is not the only sign of a bar's kind: its label says it too.
    if part.derived.any():  # beside a derived bar, a stated one says so
        part = part.assign(amount=[a if d else f"stated: {a}" for a, d in zip(part.amount, part.derived, strict=True)])
    if part.kind.nunique() < 2 and not named:
        return part
    words = part.kind.map(KIND_WORDS).fillna(part.kind)
    return part.assign(amount=[a if d or k == MONTHLY else f"{a} ({w})"
                               for a, w, k, d in zip(part.amount, words, part.kind, part.derived, strict=True)])


# --- drawing -------------------------------------------------------------------------------------------
def _kinds(rows: pd.DataFrame, stated: pd.DataFrame) -> list[str]:
    """The kinds drawn, in the schema's fixed order of kinds; then any other (a metric's measure)."""
    column = rows.get("amount_kind")
    order = [str(k) for k in column.cat.categories] if column is not None and isinstance(
        column.dtype, pd.CategoricalDtype) else list(KIND_TITLES)
    kinds = [k for k in order if k in set(stated.kind)]
    return kinds + [k for k in dict.fromkeys(stated.kind) if k not in kinds]


def _kind_color(kinds: list[str], book: Chapter) -> alt.Color:
    """Colour by kind: one fixed colour per kind, the kinds in their fixed order, with a legend."""
    spare = iter([charts.SECTION_COLORS[book.section], charts.MUTED] * len(kinds))
    colors = [KIND_COLORS.get(k) or next(spare) for k in kinds]
    return alt.Color("kind:N", title="Kind of amount", scale=alt.Scale(domain=kinds, range=colors),
                     legend=alt.Legend(orient="bottom", direction="horizontal", titleOrient="top", columns=3,
                                       symbolType="square", labelLimit=300))


def _scale(part: pd.DataFrame, width: int) -> tuple[float, list[float]]:
    """The end of the x scale, far enough that every amount's label fits inside the panel, and round ticks
    (1, 2 or 5 times a power of ten), at most five, so that their labels cannot collide."""
    room = np.maximum(width - 4 - LABEL_GAP - _label_widths(part), width * 0.25)
    end = max(float((part.usd.to_numpy() * width / room).max()), 1.0)
    power = 10 ** np.floor(np.log10(end / 3))
    step = min(m * power for m in (1, 2, 5, 10) if end / (m * power) <= 4)
    return end, [float(v) for v in np.arange(0, end + 1e-9, step)]


def _label_widths(part: pd.DataFrame) -> np.ndarray:
    """Width in px of each amount's label as drawn: in the charts' font, bold for the highlight."""
    return np.array([text_width(a, FONT, bold=h != "other") for a, h in zip(part.amount, part.hl, strict=True)],
                    dtype=float).reshape(-1)


def _panel(part: pd.DataFrame, book: Chapter, heading: str, color: alt.Color, width: int,
           scale: tuple[float, list[float]]) -> alt.LayerChart:
    """One panel: each amount's name above its bar, the bar from zero, the amount as stated after it."""
    end, ticks = scale
    base = alt.Chart(plain(part[_columns()])).encode(
        y=alt.Y("row:N", sort=list(part.row), axis=None, title=None), tooltip=_tooltip())
    x = alt.X("usd:Q", stack=None, title=None, scale=alt.Scale(domain=[0, end], nice=False, zero=True),
              axis=alt.Axis(values=ticks, grid=True, labelExpr="replace(format(datum.value, '$~s'), 'G', 'B')"))
    solid = base.mark_bar(height=BAR, yOffset=6, strokeWidth=2.5).encode(
        x=x, color=color, stroke=charts.highlight_color("hl", book.highlight, "transparent"))
    layers = [solid.transform_filter("!datum.derived") if part.derived.any() else solid]
    if part.derived.any():  # computed, not stated: hollow and dashed
        layers.append(base.transform_filter("datum.derived").mark_bar(
            height=BAR, yOffset=6, filled=False, strokeWidth=2, strokeDash=[4, 2]).encode(x=x, color=color))
    layers += _texts(base, book, align="left", baseline="bottom", dy=-1, x=alt.value(0), text="name:N")
    layers += _texts(base, book, align="left", baseline="middle", dx=LABEL_GAP, yOffset=6, x=alt.X("usd:Q", stack=None),
                     text="amount:N")
    subtitle = [f"Hollow, dashed: derived by us ({h}); not stated by the source."
                for h in part.note[part.derived]]
    extra = {"subtitle": subtitle, "subtitleFontSize": 10, "subtitleColor": "#444"} if subtitle else {}
    return alt.layer(*layers).properties(
        width=width, height=alt.Step(BAND), title=alt.TitleParams(heading, fontSize=12, anchor="start", **extra))


def _unstated(missing: pd.DataFrame, book: Chapter, width: int, style: str) -> alt.LayerChart:
    """Amounts the sources do not state, listed as text with a hollow marker: never a bar of zero."""
    if style == "note":
        vendors = missing.paid_to.value_counts(sort=False)
        lines = [f"{count(len(missing)).capitalize()} contracts: "
                 + and_list(f"{v} ({count(n)})" if n > 1 else v for v, n in vendors.items())]
        listed = pd.DataFrame({"row": [", ".join(missing.row)], "text": lines, "hl": [
            book.highlight if (missing.hl != "other").any() else "other"]})
    else:  # "panel"
        lines = [f"{v} — {b}: {_lower_first(p)}" + (f", {w}" if w else "")
                 for v, b, p, w in zip(missing.paid_to, missing.paid_by, missing.purpose, missing.when, strict=True)]
        listed = missing[["row", "hl"]].assign(text=lines)
    bold = listed.hl != "other"  # the highlight's lines are bold, so wider
    wrapped = [wrap_px(t, width - 18, FONT, b) for t, b in zip(listed.text, bold, strict=True)]
    tops = np.cumsum([0] + [len(w) * LINE_PX + 6 for w in wrapped[:-1]]) + 4
    listed = listed.assign(text=["\n".join(w) for w in wrapped], top=tops.astype(float), mid=tops + LINE_PX / 2)
    base = alt.Chart(plain(listed)).encode(tooltip=[alt.Tooltip("text:N", title="No amount stated"),
                                                   alt.Tooltip("row:N", title="Row")])
    marker = base.mark_point(shape="circle", filled=False, size=50, strokeWidth=1.5).encode(
        x=alt.value(6), y=alt.Y("mid:Q", scale=None, axis=None),
        color=charts.highlight_color("hl", book.highlight, charts.SECTION_COLORS[book.section]))
    text = _texts(base, book, align="left", baseline="top", lineBreak="\n", lineHeight=LINE_PX,
                  x=alt.value(16), y=alt.Y("top:Q", scale=None, axis=None), text="text:N")
    heading = "No amount stated (not zero), so not drawn"
    return alt.layer(marker, *text).properties(
        width=width, height=int(tops[-1] + len(wrapped[-1]) * LINE_PX + 4),
        title=alt.TitleParams(heading, fontSize=12, anchor="start"))


def _description(groups: list, missing: pd.DataFrame) -> str:
    """What a screen reader gets: every bar's name and amount as stated, panel by panel, and the unstated."""
    parts = [f"{heading}: " + "; ".join(
        f"{r.name}: {r.amount}" + (" (drawn hollow and dashed, computed by us)" if r.derived else "")
        for r in part.itertuples()) + "." for heading, part, _ in groups]
    lead = ("Bar chart of amounts as the sources state them, one bar per amount, coloured by kind of amount "
            "and never added together.")
    unstated = ("No amount stated (not zero), so not drawn: "
                + "; ".join(f"{r.paid_to} ({_lower_first(r.purpose)})" for r in missing.itertuples())
                + ".") if len(missing) else ""
    return " ".join(p for p in [lead, *parts, unstated] if p)


# --- small helpers -------------------------------------------------------------------------------------
def _columns() -> list[str]:
    return [field for field, _ in TOOLTIP if field != "row"] + ["row", "name", "usd", "hl", "derived"]


def _tooltip() -> list[alt.Tooltip]:
    return [alt.Tooltip(f"{field}:N", title=title) for field, title in TOOLTIP]


def _texts(base: alt.Chart, book: Chapter, **how) -> list[alt.Chart]:
    """A text layer, its highlighted rows in bold: with the outline, the highlight survives greyscale."""
    channels = {k: how.pop(k) for k in ("x", "y", "text") if k in how}
    mark = {"fontSize": FONT, "color": "#222"} | how
    if book.highlight:
        mark["fontWeight"] = alt.expr(f"datum.hl === {charts.vega_literal(book.highlight)} ? 'bold' : 'normal'")
    return [base.mark_text(**mark).encode(**channels)]


def _get(row, column: str, default=pd.NA):
    value = getattr(row, column, default)
    return default if value is None else value


def _fields(row) -> set[str]:
    return set(row.index) if isinstance(row, pd.Series) else set(getattr(row, "_fields", ()))


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _amount(row) -> tuple:
    """(value, qualifier, kind) of a contract row, or of a metric row in US dollars (its measure the kind)."""
    if "amount_kind" in _fields(row):
        return _get(row, "amount_usd"), str(row.qualifier), str(row.amount_kind)
    usd = str(_get(row, "unit", "")) == "USD"
    return (_get(row, "value_low") if usd else pd.NA), str(row.qualifier), str(_get(row, "measure", ""))


def _parties(row, book: Chapter) -> tuple[str, str]:
    if "vendor_id" in _fields(row):
        return book.name(row.vendor_id), book.name(row.agency_id)
    subject = _get(row, "subject_system_id")
    return "", book.name(subject if pd.notna(subject) else _get(row, "subject_org_id"))


def _date(row) -> pd.Timestamp:
    for column in ("announced", "period_start", "period_end", "period"):
        if pd.notna(date := _get(row, column)):
            return date
    return pd.NaT


def _lower_first(text: str) -> str:
    # "Social media vetting" -> "social media vetting", but "ICE contract …" keeps its acronym
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind[:1].upper() + kind[1:])


def _unit(kind: str) -> str:
    return "US dollars a month" if kind == MONTHLY else "US dollars"


def _start_hedge(row, events: pd.DataFrame) -> str | None:
    """The hedge of the event that marks a contract's start (same vendor, system and date), if any."""
    match = events[(events.org_id == _get(row, "vendor_id")) & (events.system_id == _get(row, "system_id"))
                   & (events.date == _get(row, "period_start")) & events.hedge.notna()]
    return str(match.hedge.iloc[0]) if len(match) else None


def _label(row, book: Chapter, label, *, events: pd.DataFrame, companies: set[str]) -> str:
    if callable(label):
        return str(label(row))
    if label in _fields(row):
        return _text(_get(row, label))
    who = book.name(_get(row, "vendor_id")) or _parties(row, book)[1]
    system = book.name(_get(row, "system_id"))
    if label == "vendor (year)":
        text = who + (f" – {system}" if system and len(system) <= SHORT_NAME else "")
        # who pays is named only when it is not a government agency (Palantir paying Amazon)
        text += f", paid by {book.name(row.agency_id)}" if _get(row, "agency_id") in companies else ""
        year = when(row, book, "year", events=events)
        return text + (f" ({year})" if year else "")
    date = when(row, book, events=events)
    if label == "vendor, when":
        return f"{who}, {date}" if date else (f"{who} ({system})" if system else who)
    return date or who  # "when"


def _with_inputs(rows: pd.DataFrame, derived: pd.DataFrame | None, book: Chapter) -> pd.DataFrame:
    """The rows a figure draws, with the rows its derived amounts were computed from (for the sources)."""
    if derived is None or not len(derived):
        return rows
    have = set(row_ids(rows, data_dir=book.data_dir))
    extra = [book.row(t, i) for t, ids in zip(derived.from_table, derived.from_ids, strict=True)
             for i in ids.split("|") if i not in have and t == rows.attrs.get("table")]
    shown = pd.concat([rows, *extra]) if extra else rows.copy()
    shown = shown[~pd.Index(row_ids(shown, data_dir=book.data_dir)).duplicated()]
    shown.attrs = dict(rows.attrs)
    return shown

"""One entity's profile page, as MyST markdown: what the data holds about it, and only that.

Every cell of data is escaped (``text.escape_markdown`` for MyST, ``tables.source_table`` for tables,
``charts.chart_html`` for charts); links are built from ids that passed ``entities.address_problems``.
An entity the data says little about gets a short page: a section with no rows is left out.
"""

import pandas as pd

from ..chapter import Chapter, row_refs
from ..charts import chart_html
from ..figures.amounts import amount_text, amounts, when
from ..figures.figure import Figure
from ..figures.network import network
from ..tables import source_table
from ..text import escape_markdown, value_range
from .entities import FOLDERS, KEYS, Entity, Rows, own_row

PREFIX = "book/directory/"  # where the pages live in the book's sources


def doc(entity_id: str, book: Chapter) -> str | None:
    """The page path (from the book's root, no suffix) of an organization's or system's profile."""
    if "directory_docs" not in book.memo:  # once per data: tables and charts look up every row
        docs = book.memo["directory_docs"] = {}
        for table, folder in FOLDERS.items():  # an organization first, as its id names it everywhere
            for i in book.everything(table)[KEYS[table]]:
                docs.setdefault(str(i), f"{PREFIX}{folder}/{str(i).casefold()}")
    return book.memo["directory_docs"].get(entity_id)


def href(entity_id, book: Chapter, from_doc: str) -> str | None:
    """A relative URL from one page to an entity's profile (None for no entity)."""
    if not isinstance(entity_id, str):
        return None
    target = doc(entity_id, book)
    if target is None:
        return None
    depth = from_doc.count("/")
    return "../" * depth + target + ".html"


def link(entity_id, book: Chapter, here: str) -> str:
    """A MyST link to an entity's profile, its short name as the text."""
    if not isinstance(entity_id, str):
        return ""
    target = doc(entity_id, book)
    text = escape_markdown(book.name(entity_id))
    return f"[{text}](/{target}.md)" if target else text


def _listed(ids, book: Chapter, here: str) -> str:
    return ", ".join(link(i, book, here) for i in ids if isinstance(i, str))


def _facts(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    row = own_row(book, entity)
    # an acronym the source leaves as letters is said to be one: its name is then no "full name"
    facts = [("Kind", escape_markdown(entity.kind)),
             ("Name" if entity.unexpanded_acronym else "Full name", escape_markdown(entity.name))]
    if entity.unexpanded_acronym:
        facts.append(("Acronym", f"{escape_markdown(entity.short)}; {escape_markdown(entity.not_spelled_out)}"))
    elif entity.short and entity.short != entity.name:
        facts.append(("Short name" if entity.table == "organizations" else "Acronym", escape_markdown(entity.short)))
    if entity.table == "organizations":
        facts += [("Part of", link(row.parent_id, book, here)),
                  ("Its subsidiaries and components", _listed(rows.subsidiaries.org_id, book, here)),
                  ("Formerly, or merged into it", _listed(rows.predecessors.org_id, book, here)),
                  ("Became", link(row.successor_id, book, here)),
                  ("Country", escape_markdown(row.country))]
    else:
        facts += [("Owner or operator", link(row.owner_id, book, here)), ("Status", escape_markdown(row.status))]
    facts += [("Systems it owns or operates", _listed(rows.owned.system_id, book, here)),
              ("Note", escape_markdown(row.note))]
    return [f"{name}\n: {value}\n" for name, value in facts if value]


def _table(frame: pd.DataFrame, columns: dict, book: Chapter, entity: Entity, name: str, caption: str,
           links: dict | None = None, here: str = "") -> str:
    shown = frame[list(columns)].rename(columns=columns)
    hrefs = {columns[c]: [href(v, book, here) for v in frame[ids]] for c, ids in (links or {}).items()}
    table = source_table(shown, caption=caption, name=f"tbl-dir-{entity.address.replace('/', '-')}-{name}",
                         rows=row_refs(frame, book.data_dir), links=hrefs)
    return table.data


def _chart(figure) -> str:
    if not isinstance(figure, Figure):
        return ""
    return "```{raw} html\n" + chart_html(figure.spec) + "\n```\n"


def _contracts(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.contracts
    if not len(frame):
        return []
    shown = frame.assign(vendor=book.names(frame.vendor_id), agency=book.names(frame.agency_id),
                         system=book.names(frame.system_id),
                         amount=[amount_text(r, kind=True) for _, r in frame.iterrows()],
                         when=[when(r, book) for _, r in frame.iterrows()])
    out = ["## Contracts\n", "Each amount is shown with its kind and hedge; amounts of different kinds are "
           "never added up.\n"]
    if shown.amount_usd.notna().any():
        out.append(_chart(amounts(frame, book, name=f"profile-{entity.id}-money", title="Contract amounts",
                                  unstated="note")))
    out.append(_table(shown, {"vendor": "vendor", "agency": "agency", "system": "system", "purpose": "purpose",
                              "amount": "amount", "when": "when", "contract_id": "row"},
                      book, entity, "contracts", "Contracts", here=here,
                      links={"vendor": "vendor_id", "agency": "agency_id", "system": "system_id"}))
    return out


def _metrics(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.metrics
    if not len(frame):
        return []
    shown = frame.assign(value=[value_range(r.value_low, r.value_high, r.qualifier) for _, r in frame.iterrows()],
                         period=[when(r, book) for _, r in frame.iterrows()])
    return ["## Figures\n", _table(shown, {"measure": "measure", "value": "value", "unit": "unit",
                                           "period": "period", "metric_id": "row"},
                                   book, entity, "metrics", "Figures stated about it", here=here)]


def _ties(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.ties
    if not len(frame):
        return []
    subject, obj = book.ends(frame)
    shown = frame.assign(subject=book.names(subject), object=book.names(obj), subject_id=subject, object_id=obj,
                         caution=frame.hedge.astype("string").fillna(""))
    figure = network(frame, book, name=f"profile-{entity.id}-ties", title=f"Direct ties of {book.name(entity.id)}",
                     width=560, what="its ties")
    return ["## Ties\n", "What it builds, runs, hosts, supplies, feeds or queries, and who does those to it: "
            "each arrow points from the one who acts to the one acted on.\n", _chart(figure),
            _table(shown, {"subject": "who", "relation": "does", "object": "to what", "detail": "detail",
                           "caution": "hedge", "relationship_id": "row"},
                   book, entity, "ties", "Ties", here=here, links={"subject": "subject_id", "object": "object_id"})]


def _data_types(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.data_types
    if not len(frame):
        return []
    return ["## Data it handles\n", _table(frame, {"data_type": "data", "data_family": "kind", "role": "role"},
                                           book, entity, "data", "Kinds of data", here=here)]


def _events(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.events
    if not len(frame):
        return []
    shown = frame.assign(when=[book.when(r.date, r.date_precision) for _, r in frame.iterrows()],
                         caution=frame.hedge.astype("string").fillna("")).sort_values("date")
    return ["## Dated events\n", _table(shown, {"when": "when", "description": "what", "caution": "hedge",
                                                "event_id": "row"}, book, entity, "events", "Events", here=here)]


def _concerns(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.concerns
    if not len(frame):
        return []
    shown = frame.assign(raised_by=book.names(frame.raised_by_id), about=book.names(frame.system_id))
    return ["## Concerns raised\n", _table(shown, {"raised_by": "raised by", "about": "about", "topic": "topic",
                                                   "summary": "concern", "concern_id": "row"},
                                           book, entity, "concerns", "Concerns", here=here,
                                           links={"raised_by": "raised_by_id", "about": "system_id"})]


def _chapters(chapters: list[str], titles: dict[str, str]) -> list[str]:
    if not chapters:
        return []
    return ["## In the chapters", "\n".join(f"- [{escape_markdown(titles.get(c, c))}](/notebooks/{c}.ipynb)"
                                             for c in chapters)]


def _sources(rows: Rows, entity: Entity, book: Chapter) -> list[str]:
    frames = [f for f in rows.frames().values() if len(f) and "source_id" in f]
    frames.append(own_row(book, entity).to_frame().T)
    keys = book.source_ids(*frames)
    return ["## Sources\n", f"{{cite:p}}`{','.join(keys)}`\n"] if keys else []


def page(entity: Entity, rows: Rows, book: Chapter, chapters: list[str], titles: dict[str, str]) -> str:
    """The profile of one entity as MyST markdown."""
    here = f"{PREFIX}{entity.address}"
    parts = ["---\norphan: true\n---",  # in the web edition only: no table of contents lists it
             f"# {escape_markdown(entity.label)}",
             f"*{escape_markdown(entity.kind.capitalize())} — what the data of this edition holds about it, as "
             f"known by {book.date_text}.*",
             "## What it is", *_facts(entity, rows, book, here)]
    for section in (_contracts, _metrics, _ties, _data_types, _events, _concerns):
        parts += section(entity, rows, book, here)
    parts += _chapters(chapters, titles) + _sources(rows, entity, book)
    return "\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"  # blank lines end raw HTML blocks

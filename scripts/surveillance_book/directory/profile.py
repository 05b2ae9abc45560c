"""One entity's profile page: what the data holds about it, and only that.

Written as HTML (``html.py`` escapes every text, ``charts.chart_html`` every chart); links are built from
ids that passed ``entities.address_problems``. An entity the data says little about gets a short page: a
section with no rows is left out.
"""

import pandas as pd

from ..chapter import Chapter, row_refs
from ..charts import chart_html
from ..figures.amounts import amount_text, amounts, when
from ..figures.figure import Figure
from ..figures.network import network
from ..text import value_range
from . import html as page_html
from .entities import FOLDERS, KEYS, Entity, Rows, own_row

PREFIX = "book/directory/"  # where the pages live in the book's sources
WEB_ONLY = tuple(f"{PREFIX}{folder}/" for folder in FOLDERS.values())  # the profiles' folders: web only


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
    return None if target is None else _relative(from_doc, target)


def _relative(from_doc: str, to_doc: str) -> str:
    """The URL of one page of the book from another (both from the book's root, no suffix)."""
    return "../" * from_doc.count("/") + to_doc + ".html"


def link(entity_id, book: Chapter, here: str) -> str:
    """A link to an entity's profile, its short name as the words (HTML)."""
    if not isinstance(entity_id, str):
        return ""
    target = href(entity_id, book, here)
    words = page_html.text(book.name(entity_id))
    return page_html.link(target, words) if target else words


def _listed(ids, book: Chapter, here: str) -> str:
    return ", ".join(link(i, book, here) for i in ids if isinstance(i, str))


def _facts(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[tuple[str, str]]:
    """What it is, as names and values (HTML); a fact the data leaves blank is left out."""
    row = own_row(book, entity)
    text = page_html.text
    # an acronym the source leaves as letters is said to be one: its name is then no "full name"
    facts = [("Kind", text(entity.kind)), ("Name" if entity.unexpanded_acronym else "Full name", text(entity.name))]
    if entity.unexpanded_acronym:
        facts.append(("Acronym", f"{text(entity.short)}; {text(entity.not_spelled_out)}"))
    elif entity.short and entity.short != entity.name:
        facts.append(("Short name" if entity.table == "organizations" else "Acronym", text(entity.short)))
    if entity.table == "organizations":
        facts += [("Part of", link(row.parent_id, book, here)),
                  ("Its subsidiaries and components", _listed(rows.subsidiaries.org_id, book, here)),
                  ("Formerly, or merged into it", _listed(rows.predecessors.org_id, book, here)),
                  ("Became", link(row.successor_id, book, here)),
                  ("Country", text(row.country))]
    else:
        facts += [("Owner or operator", link(row.owner_id, book, here)), ("Status", text(row.status))]
    facts += [("Systems it owns or operates", _listed(rows.owned.system_id, book, here)), ("Note", text(row.note))]
    return [(name, value) for name, value in facts if value]


def _table(frame: pd.DataFrame, columns: dict, book: Chapter, entity: Entity, name: str, caption: str,
           links: dict | None = None, here: str = "") -> str:
    shown = frame[list(columns)].rename(columns=columns)
    hrefs = {columns[c]: [href(v, book, here) for v in frame[ids]] for c, ids in (links or {}).items()}
    return page_html.table(shown, caption=caption, name=f"tbl-dir-{entity.address.replace('/', '-')}-{name}",
                           rows=row_refs(frame, book.data_dir), links=hrefs)


def _chart(figure) -> str:
    return chart_html(figure.spec) if isinstance(figure, Figure) else ""


def _contracts(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.contracts
    if not len(frame):
        return []
    shown = frame.assign(vendor=book.names(frame.vendor_id), agency=book.names(frame.agency_id),
                         system=book.names(frame.system_id),
                         amount=[amount_text(r, kind=True) for _, r in frame.iterrows()],
                         when=[when(r, book) for _, r in frame.iterrows()])
    out = [page_html.paragraph(page_html.text("Each amount is shown with its kind and hedge; amounts of different "
                                              "kinds are never added up."))]
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
    return [_table(shown, {"measure": "measure", "value": "value", "unit": "unit", "period": "period",
                           "metric_id": "row"}, book, entity, "metrics", "Figures stated about it", here=here)]


def _ties(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.ties
    if not len(frame):
        return []
    subject, obj = book.ends(frame)
    shown = frame.assign(subject=book.names(subject), object=book.names(obj), subject_id=subject, object_id=obj,
                         caution=frame.hedge.astype("string").fillna(""))
    figure = network(frame, book, name=f"profile-{entity.id}-ties", title=f"Direct ties of {book.name(entity.id)}",
                     width=560, what="its ties")
    return [page_html.paragraph(page_html.text(
                "What it builds, runs, hosts, supplies, feeds or queries, and who does those to it: each arrow "
                "points from the one who acts to the one acted on.")), _chart(figure),
            _table(shown, {"subject": "who", "relation": "does", "object": "to what", "detail": "detail",
                           "caution": "hedge", "relationship_id": "row"},
                   book, entity, "ties", "Ties", here=here, links={"subject": "subject_id", "object": "object_id"})]


def _data_types(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.data_types
    if not len(frame):
        return []
    return [_table(frame, {"data_type": "data", "data_family": "kind", "role": "role"},
                   book, entity, "data", "Kinds of data", here=here)]


def _events(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.events
    if not len(frame):
        return []
    shown = frame.assign(when=[book.when(r.date, r.date_precision) for _, r in frame.iterrows()],
                         caution=frame.hedge.astype("string").fillna("")).sort_values("date")
    return [_table(shown, {"when": "when", "description": "what", "caution": "hedge", "event_id": "row"},
                   book, entity, "events", "Events", here=here)]


def _concerns(entity: Entity, rows: Rows, book: Chapter, here: str) -> list[str]:
    frame = rows.concerns
    if not len(frame):
        return []
    shown = frame.assign(raised_by=book.names(frame.raised_by_id), about=book.names(frame.system_id))
    return [_table(shown, {"raised_by": "raised by", "about": "about", "topic": "topic", "summary": "concern",
                           "concern_id": "row"}, book, entity, "concerns", "Concerns", here=here,
                   links={"raised_by": "raised_by_id", "about": "system_id"})]


def _chapters(chapters: list[str], titles: dict[str, str], here: str) -> list[str]:
    return [page_html.bullets([page_html.link(_relative(here, f"notebooks/{c}"), page_html.text(titles.get(c, c)))
                               for c in chapters])] if chapters else []


def _source_keys(rows: Rows, entity: Entity, book: Chapter) -> list[str]:
    frames = [f for f in rows.frames().values() if len(f) and "source_id" in f]
    frames.append(own_row(book, entity).to_frame().T)
    return list(book.source_ids(*frames))


SECTIONS = (("Contracts", _contracts), ("Figures", _metrics), ("Ties", _ties), ("Data it handles", _data_types),
            ("Dated events", _events), ("Concerns raised", _concerns))
CITATIONS = "<!-- citations -->"  # where publish.py puts the citations of the keys listed with the page


def page(entity: Entity, rows: Rows, book: Chapter, chapters: list[str], titles: dict[str, str]) -> dict:
    """The profile of one entity: its title, its sections (id and title, for the page's contents), its
    body as HTML and the keys of the sources it cites. A section with no rows is left out."""
    here = f"{PREFIX}{entity.address}"
    taken: set[str] = set()
    top = page_html.section_id(entity.label, taken)
    sections = [("What it is", [page_html.facts(_facts(entity, rows, book, here))])]
    sections += [(title, made(entity, rows, book, here)) for title, made in SECTIONS]
    sections.append(("In the chapters", _chapters(chapters, titles, here)))
    keys = _source_keys(rows, entity, book)
    sections.append(("Sources", [CITATIONS] if keys else []))
    shown = [(page_html.section_id(title, taken), title, parts) for title, parts in sections if parts]
    intro = page_html.text(f"{entity.kind.capitalize()} — what the data of this edition holds about it, as known "
                           f"by {book.date_text}.")
    body = "\n".join([f'<section id="{top}">', page_html.heading(1, page_html.text(entity.label), top),
                      page_html.paragraph(f"<em>{intro}</em>"),
                      *(page_html.section(anchor, title, parts) for anchor, title, parts in shown), "</section>"])
    return {"title": entity.label, "contents": [[anchor, title] for anchor, title, _ in shown], "body": body,
            "cite": keys}

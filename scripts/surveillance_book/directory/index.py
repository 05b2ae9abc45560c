"""The directory's index page and the glossary, as MyST markdown.

The index lists every entity by kind, one line each, linked to its profile; in HTML a filter box (a few
lines of script in the page, nothing loaded) narrows the list as one types. In the PDF the same page is
the directory appendix: one short entry per entity, with an index entry each, so the PDF has an index.
The glossary is made from the acronyms and short names in the data plus the hand-written terms in
``book/glossary.csv`` (terms that are not an organization or a system).
"""

import csv
from pathlib import Path

from ..text import escape_markdown
from .entities import Entity

FILTER = """```{raw} html
<p class="dir-filter"><label for="dir-filter-box">Filter the directory:</label>
<input type="search" id="dir-filter-box" placeholder="a name, an acronym or a kind" autocomplete="off"></p>
<script>(function () {
  const box = document.getElementById("dir-filter-box");
  box.addEventListener("input", function () {
    const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    document.querySelectorAll(".bd-article section li").forEach(function (item) {
      const text = item.textContent.toLowerCase();
      item.hidden = !words.every(function (w) { return text.includes(w); });
    });
  });
})();</script>
```
"""


def _index_text(text: str) -> str:
    """An index entry's text: the directive's own syntax (";" subentries, a leading "!") and line breaks
    taken out (an index entry is not markdown)."""
    return " ".join(text.replace(";", ",").split()).lstrip("!").strip()


def _index_block(group: list[Entity]) -> list[str]:
    """The index entries of a group of entities, pointing at the group: one heading each (``Entity.heading``,
    the one the chapters' and the glossary's entries use too), and a "see" entry from each other name it
    goes by, written here only (makeindex would print a "see" once for every page it came from)."""
    entries = {f"single: {_index_text(e.heading)}" for e in group}
    entries |= {f"see: {_index_text(n)}; {_index_text(e.heading)}" for e in group for n in e.see_from}
    # one entry each: the argument is one line
    return [f"```{{index}} {n}\n```" for n in sorted(entries, key=lambda n: n.split(": ", 1)[1].casefold())] + [""]


def _entry(entity: Entity, summary: str) -> str:
    """A line of the directory: the name, linked, and whose it is; not its kind, which the heading says."""
    return (f"- [{escape_markdown(entity.label)}](/book/directory/{entity.address}.md)"
            f"{' — ' + escape_markdown(summary) if summary else ''}")


# In print, the lists may close up to end a page fuller (print_edition's \htsShrinkableList): the directory
# ended with a page of two entries.
PRINT_COMPACT = "```{raw} latex\n\\htsShrinkableList\n```"


def index_page(entities: list[Entity], summaries: dict[str, str]) -> str:
    """The directory index: organizations, then systems, each grouped by kind."""
    lines = ["# Directory", "",
             "Every organization and every system in the data of this edition, one line each. In the web "
             "edition each name opens a page with everything the data holds about it: what it is, its "
             "contracts, figures, ties, dated events, concerns, the chapters that discuss it and the "
             "sources.", "", FILTER, "", PRINT_COMPACT]
    for table, heading in (("organizations", "Organizations"), ("systems", "Systems")):
        lines += [f"## {heading}", ""]
        group = [e for e in entities if e.table == table]
        for kind in sorted({e.kind for e in group}):
            members = sorted((e for e in group if e.kind == kind), key=lambda e: e.label.casefold())
            lines += [f"### {escape_markdown(kind.capitalize())}", "", *_index_block(members)]
            lines += [_entry(e, summaries.get(e.id, "")) for e in members] + [""]
    return "\n".join(lines) + "\n"


def glossary_terms(book_dir: Path) -> list[tuple[str, str]]:
    """The hand-written terms (``book/glossary.csv``: term, definition, source_id)."""
    path = book_dir / "glossary.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["term"], row["definition"]) for row in csv.DictReader(handle)]


def glossary(entities: list[Entity], extra: list[tuple[str, str]]) -> dict[str, tuple[str, Entity | None]]:
    """Term -> (definition, the entity it names): every short name or acronym of the data that is not the
    full name, and every acronym the source leaves as letters ("EID"), then the hand-written terms; one
    entry per term, whatever its case (Sphinx's are)."""
    terms: dict[str, tuple[str, Entity | None]] = {}
    seen: set[str] = set()
    for entity in entities:
        listed = entity.short and (entity.short != entity.name or entity.unexpanded_acronym)
        if listed and entity.short.casefold() not in seen:
            seen.add(entity.short.casefold())
            terms[entity.short] = (entity.name, entity)
    for term, definition in extra:
        if term.casefold() not in seen:
            seen.add(term.casefold())
            terms[term] = (definition, None)
    return terms


def glossary_page(terms: dict[str, tuple[str, Entity | None]]) -> str:
    """Every term in one MyST glossary; a term that names an entity links its directory page."""
    lines = ["# Glossary", "",
             "Acronyms and short names used in this book, from the data, and a few other terms.", "",
             "```{glossary}"]
    for term in sorted(terms, key=str.casefold):
        definition, entity = terms[term]
        text = escape_markdown(definition) if entity is None else _definition(term, entity)
        lines += [escape_markdown(term), f"  {text}", ""]
    return "\n".join(lines + ["```"]) + "\n"


def _definition(term: str, entity: Entity) -> str:
    """What a term that names an entity adds to it: what kind of thing it is and whose (from the data), that
    the source gives only the letters, where it does, and its directory page, which says where the book
    discusses it; the full name once, first, or as the link where it holds the term and would say it again
    ("U.S. GAO" for "GAO", "Akira Technologies" for "Akira"). "Immigration and Customs Enforcement. Federal
    agency, part of U.S. Department of Homeland Security (DHS). See it in the directory." The link opens the
    entity's page on the web; in print the words point to its line in the directory appendix, which is true
    there too (the pages themselves are web only)."""
    joint = ", " if entity.table == "organizations" else "; "  # "part of …", "owner or operator: …"
    said = [entity.kind[:1].upper() + entity.kind[1:] + (joint + entity.belongs if entity.belongs else "")]
    if entity.not_spelled_out:
        said.append(entity.not_spelled_out)
    text = "; ".join(escape_markdown(s) for s in said) + "."
    page = f"/book/directory/{entity.address}.md"
    if entity.name == term:
        return f"{text} See it in [the directory]({page})."
    if entity.short_in_name:
        return f"{text} See [{escape_markdown(entity.name)}]({page}) in the directory."
    return f"{escape_markdown(entity.name)}. {text} See it in [the directory]({page})."

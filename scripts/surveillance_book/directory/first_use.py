r"""In each chapter, the first use of every glossary term links to its glossary entry and is indexed; a
name set in bold (a headline about one organization or system, as in the overview's list) links to its
directory page in the web edition (the PDF has no such pages: the bold name stays as it is).

A Sphinx transform, so the notebooks' prose stays plain text for JupyterLab: in a chapter's paragraphs
(not in headings, tables, captions, links, code or glued figures) the first whole-word occurrence of
each term becomes a ``term`` reference, resolved by Sphinx against ``book/directory/glossary.md``, with an
index entry there, so the PDF's index sends a reader to the chapters, not only to the directory.

On the glossary page itself, each term's own index entry (Sphinx puts it inside the term) moves to the head
of the term's definition (``entries_out_of_terms``). The LaTeX writer sets a term as the argument of
``\sphinxlineitem``, which TeX reads before the index entry inside it is written: a control word in the
entry then gets a space ("ARC\sphinxhyphen {}P" for "ARC-P"), and makeindex, comparing the text, files
it apart from the same name in the chapters and the directory: "ARC-P" twice in the PDF's index.
"""

import re
from functools import cache
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

from ..chapter import BOOK_AS_OF, Chapter
from ..files import write_if_changed
from ..paths import DATA_DIR, REPO
from .entities import Entity, entities
from .index import glossary, glossary_terms
from .profile import href

GLOSSARY_DOC = "book/directory/glossary"  # the page written by index.glossary_page

SKIP = (nodes.title, nodes.reference, nodes.literal, nodes.literal_block, nodes.raw, nodes.table, nodes.caption,
        nodes.citation_reference, addnodes.pending_xref, nodes.FixedTextElement)


@cache
def _book() -> Chapter:
    """The data as the directory reads it, once per build."""
    return Chapter("overview", as_of=BOOK_AS_OF, data_dir=DATA_DIR)


@cache
def _everyone() -> list[Entity]:
    return entities(_book())


def _terms_and_names(everyone: list[Entity]) -> tuple[frozenset[str], list[str]]:
    """The glossary's terms (linked and indexed at first use), and those with every other organization's
    and system's name (indexed at first use, so the index sends a reader to the chapters), longest first."""
    terms = glossary(everyone, glossary_terms(REPO / "book"))
    names = set(terms) | {n for e in everyone for n in (e.name, e.short) if len(n) > 2}
    return frozenset(terms), sorted(names, key=lambda n: (-len(n), n))  # "ICE HSI" before "ICE"


@cache
def _words() -> tuple[frozenset[str], re.Pattern | None]:
    """The terms, and a pattern of every word a chapter's first uses look for."""
    terms, words = _terms_and_names(_everyone())
    if not words:
        return terms, None
    return terms, re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")


def _named(everyone: list[Entity]) -> dict[str, Entity]:
    """Name or short name -> the entity, for the names that belong to one organization or system only."""
    seen: dict[str, dict[str, Entity]] = {}
    for entity in everyone:
        for name in {entity.name, entity.short} - {""}:
            seen.setdefault(name, {})[entity.id] = entity
    return {name: next(iter(found.values())) for name, found in seen.items() if len(found) == 1}


@cache
def _by_name() -> dict[str, Entity]:
    return _named(_everyone())


WORDS_FILE = "first-use-words.txt"  # beside Sphinx's doctrees: what the chapters' first uses depend on


def words_text(everyone: list[Entity]) -> str:
    """All the data's part in a chapter's first uses: the terms, the names looked for, and each entity's id and
    index heading by name."""
    terms, words = _terms_and_names(everyone)
    named = sorted((name, e.id, e.heading) for name, e in _named(everyone).items())
    return repr((sorted(terms), words, named)) + "\n"


def write_words(app) -> None:
    """The words file, written when it changed: a chapter depends on it rather than on organizations.csv and
    systems.csv, so that a changed row that names nothing makes Sphinx read no chapter again."""
    write_if_changed(Path(app.doctreedir) / WORDS_FILE, words_text(_everyone()))


def index_heading(name: str) -> str:
    """The index heading a name is filed under: its entity's one heading (``Entity.heading``: "ICE" and
    "Immigration and Customs Enforcement" both under "Immigration and Customs Enforcement (ICE)"), or the
    name itself (a term of ``book/glossary.csv``)."""
    entity = _by_name().get(name)
    return entity.heading if entity is not None else name


def link_bold_names(document: nodes.Node, docname: str) -> None:
    """Each bold name of an organization or a system, a link to its directory page."""
    for strong in list(document.findall(nodes.strong)):
        entity = _by_name().get(strong.astext())
        if entity is None or _skipped(strong.parent):
            continue
        link = nodes.reference("", "", refuri=href(entity.id, _book(), docname), internal=False)
        strong.replace_self(link)
        link += strong


def entries_out_of_terms(document: nodes.Node, heading=None) -> None:
    """Each glossary term's index entries, moved from the term to the start of its definition (its first
    paragraph, where there is one): the same page and target, written by LaTeX as read (see above); a term
    that names an organization or a system filed under that entity's one heading (``heading``: a name ->
    its heading), as an ordinary page of it (the directory's appendix is its main entry)."""
    for term in list(document.findall(nodes.term)):
        entries = [child for child in term.children if isinstance(child, addnodes.index)]
        definition = next((c for c in term.parent.children if isinstance(c, nodes.definition)), None)
        if not entries or definition is None:
            continue
        head = definition[0] if len(definition) and isinstance(definition[0], nodes.paragraph) else definition
        for at, entry in enumerate(entries):
            term.remove(entry)
            if heading is not None:
                entry["entries"] = [_filed(e, heading) for e in entry["entries"]]
            head.insert(at, entry)


def _filed(entry: tuple, heading) -> tuple:
    kind, text, target, main, key = entry
    filed = heading(text)
    return (kind, filed, target, "" if filed != text else main, key if filed == text else None)


def _skipped(node: nodes.Node) -> bool:
    while node is not None:
        if isinstance(node, SKIP) or "claim" in type(node).__name__ or "pasted-text" in node.get("classes", []):
            return True
        node = node.parent
    return False


class FirstUse(SphinxTransform):
    default_priority = 700

    def apply(self, **kwargs) -> None:
        if self.env.docname == GLOSSARY_DOC:
            entries_out_of_terms(self.document, index_heading)
            return
        terms, pattern = _words()
        if pattern is None or not self.env.docname.startswith("notebooks/"):
            return
        self.env.note_dependency(str(Path(self.env.doctreedir) / WORDS_FILE))  # the terms come from the data
        if self.app.builder.format == "html":
            link_bold_names(self.document, self.env.docname)
        done: set = set()  # the terms met, and the headings indexed, in this chapter
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if not isinstance(parent, nodes.paragraph) or _skipped(parent):
                continue
            self._mark_first(text, pattern, terms, done)

    def _mark_first(self, text: nodes.Text, pattern: re.Pattern, terms: frozenset[str], done: set) -> None:
        source, parts, at = str(text), [], 0
        for match in pattern.finditer(source):
            term = match.group(1)
            if term.casefold() in done:
                continue
            done.add(term.casefold())
            shown = self._reference(term) if term in terms else nodes.Text(term)
            heading = index_heading(term)  # an entity is indexed at its first name in the chapter, once
            entry = [] if ("index", heading) in done else self._index(heading)
            done.add(("index", heading))
            parts += [nodes.Text(source[at:match.start()]), *entry, shown]
            at = match.end()
        if parts:
            parts.append(nodes.Text(source[at:]))
            text.parent.replace(text, [p for p in parts if not (isinstance(p, nodes.Text) and not str(p))])

    def _index(self, term: str) -> list[nodes.Node]:
        target = nodes.target("", "", ids=[f"index-{self.env.new_serialno('index')}"])
        self.document.note_explicit_target(target)
        return [addnodes.index(entries=[("single", term, target["ids"][0], "", None)]), target]

    def _reference(self, term: str) -> addnodes.pending_xref:
        return addnodes.pending_xref("", nodes.inline(term, term, classes=["xref", "std", "std-term"]),
                                     refdomain="std", reftype="term", reftarget=term.casefold(),
                                     refdoc=self.env.docname, refexplicit=True, refwarn=True)

"""Claims on the page: every figure the prose prints says where it comes from.

``{eval}`prose.KEY``` pastes a glued phrase (``sphinx_ext.ProseRole``) inside a ``claim`` node. In HTML the
phrase is quietly underlined and takes the focus; focused (by click or Tab) it shows its note: how the book
got the figure, the data rows (linked to the row in this page's tables), their hedges and the sources (linked to the
bibliography). No script: CSS shows the note while focus is inside the claim, so it works from disk.
In the PDF the phrase prints as text and the chapter ends with "Where the figures come from", one line
per figure. What a note says comes from ``claims.note``, the one reading of the rows.
"""

import html
import re
from functools import cache
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform

from . import claims
from .files import write_if_changed
from .paths import DATA_DIR
from .tables import row_anchor

LIST_TITLE = "Where the figures come from"
REFERENCES_DOC = "book/references"


class claim(nodes.inline):  # noqa: N801 - docutils names node classes in lower case
    """A printed claim; ``note`` is its ``claims.Note``, ``shown`` the rows this page's tables show."""


@cache
def facts() -> claims.Facts:
    """The data's facts, read once per build (the notes and the claims register share them)."""
    return claims.Facts(DATA_DIR)


@cache
def _chapter(path: str, mtime: float) -> claims.ChapterClaims:
    return claims.read(Path(path))


NOTES_DATA = "notes-data"  # a folder beside Sphinx's doctrees: what each chapter's notes show of the data


def notes_data_file(doctreedir, notebook: Path) -> Path:
    return Path(doctreedir) / NOTES_DATA / f"{notebook.stem}.txt"


def notes_data(notebook: Path, known: claims.Facts) -> str:
    """Everything the notes of a chapter's claims show, the data's part included (the rows' readings, hedges,
    values and sources, and the sources' labels), as text."""
    notes = [claims.note(c, known) for c in _chapter(str(notebook), notebook.stat().st_mtime).claims]
    labels = {s: known.source_label(s) for note in notes for s in note.sources}
    return "\n".join(map(repr, notes)) + f"\n{labels!r}\n"


def write_notes_data(app) -> None:
    """Per chapter, what its notes show of the data, written when it changed: a chapter's page depends on it,
    not on every data file, so that a changed row makes Sphinx read again only the chapters whose notes show
    it (or none: a row behind no printed figure)."""
    from .execute import notebooks

    known = facts()
    for notebook in notebooks():
        write_if_changed(notes_data_file(app.doctreedir, notebook), notes_data(notebook, known))


def wrap(pasted: list[nodes.Node], key: str, document) -> list[nodes.Node]:
    """The pasted phrase inside its claim node (unchanged when the page is not a chapter notebook)."""
    source = Path(document["source"])
    if source.suffix != ".ipynb":
        return pasted
    env = document.settings.env
    env.note_dependency(str(notes_data_file(env.doctreedir, source)))  # a changed row changes a note, not the notebook
    chapter = _chapter(str(source), source.stat().st_mtime)
    found = next((c for c in chapter.claims if c.key == key), None)
    if found is None:
        return pasted
    # in the node's attributes, which survive the copies Sphinx makes of a doctree
    return [claim("", "", *pasted, key=key, note=claims.note(found, facts()), shown=set(chapter.shown_rows))]


# --- HTML ---------------------------------------------------------------------------------------------
def _source_links(self, source_ids: list[str]) -> str:
    refs = self.builder.get_relative_uri(self.builder.current_docname, REFERENCES_DOC)
    known = facts()
    return "; ".join(f'<a href="{html.escape(refs)}#{nodes.make_id("cite-" + s)}">'
                     f"{html.escape(known.source_label(s))}</a>" for s in source_ids)


def _row_html(fact: claims.RowFact, shown: set) -> str:
    where = f"data/{fact.table}.csv, row {fact.id}"
    if (fact.table, fact.id) in shown:
        where = f'<a href="#{row_anchor(fact.table, fact.id)}">{html.escape(where)}</a>'
    else:
        where = html.escape(where)
    hedge = f" ({html.escape(fact.hedge)})" if fact.hedge else ""
    return f'<span class="claim-row">“{html.escape(fact.statement)}”{hedge} — {where}</span>'


def visit_claim_html(self, node: claim) -> None:
    number = self.document.setdefault("claim_count", 0) + 1
    self.document["claim_count"] = number
    node["note_id"] = f"claim-note-{number}"
    # a focusable span, not a <button> (which would not wrap with the sentence) nor a link to the note
    # (following it moves the focus away, and the note closes)
    self.body.append(f'<span class="claim"><span class="claim-figure" tabindex="0" role="button" '
                     f'aria-describedby="{node["note_id"]}">')


def depart_claim_html(self, node: claim) -> None:
    note: claims.Note = node["note"]
    parts = [f'<span class="claim-how">{html.escape(note.how)}</span>']
    parts += [_row_html(f, node["shown"]) for f in note.rows]
    if note.more:
        counted = ", ".join(f"{n} more of data/{t}.csv" for t, n in note.more.items())
        register = self.builder.get_relative_uri(self.builder.current_docname, "_static/claims.csv")
        register = register.removesuffix(".html")  # a file, not a page
        parts.append(f'<span class="claim-row">and {html.escape(counted)} (all listed in '
                     f'<a href="{html.escape(register)}">claims.csv</a>)</span>')
    if note.sources:
        parts.append(f'<span class="claim-sources">Sources: {_source_links(self, note.sources)}</span>')
    self.body.append(f'</span><span class="claim-note" id="{node["note_id"]}">{"".join(parts)}</span></span>')


# --- LaTeX --------------------------------------------------------------------------------------------
def _pass(self, node) -> None:
    pass


# Typewriter marks as the data and the source labels write them, and the printer's marks the PDF sets
STRAIGHT_QUOTES = (
    (re.compile(r"(?<![\w,.;:!?)\]’”])'"), "‘"),  # an opening single quote: at the start, after a space or "("
    (re.compile(r"'"), "’"),  # any other: a closing quote or an apostrophe (Palantir's)
    (re.compile(r'(?<![\w,.;:!?)\]’”])"'), "“"),
    (re.compile(r'"'), "”"),
    (re.compile(r"(?<![\w-])(\d{4})-(\d{4})(?![\w-])"), r"\1–\2"),  # years 2013-2018, not an id's
)
INNER_QUOTES = str.maketrans("“”", "‘’")  # quotes inside the quoted figure


def typographic(text: str) -> str:
    """Curly quotes and apostrophes, and an en dash between the years of a range: how the PDF's list of
    where the figures come from prints a text (the data are not changed; ids are left as they are)."""
    for pattern, mark in STRAIGHT_QUOTES:
        text = pattern.sub(mark, text)
    return text


def list_line(note: claims.Note) -> str:
    """One line of a chapter's "Where the figures come from" list: the figure, quoted, then the rows by
    table (counted, when there are more than a note lists), then the sources; with the printer's quotes."""
    return f"“{typographic(note.claim.text).translate(INNER_QUOTES)}” — {typographic(_provenance(note))}"


def _provenance(note: claims.Note) -> str:
    claim_ = note.claim
    line = ""
    if claim_.kind not in claims.FIGURE_KINDS:
        return line + note.how
    if claim_.kind == "computed":
        line += f"computed by the book ({claim_.rule}) from "
    by_table: dict[str, list[str]] = {}
    for fact in note.rows:
        by_table.setdefault(fact.table, []).append(fact.id + (f" ({fact.hedge})" if fact.hedge else ""))
    if note.more:
        counts = {t: len(ids) for t, ids in by_table.items()}
        for table, n in note.more.items():
            counts[table] = counts.get(table, 0) + n
        line += f"{sum(counts.values())} rows (" + ", ".join(f"data/{t}.csv {n}" for t, n in counts.items()) + ")"
    else:
        line += "; ".join(f"data/{t}.csv: {', '.join(ids)}" for t, ids in by_table.items())
    if note.sources:
        line += "; sources: " + "; ".join(facts().source_label(s) for s in note.sources)
    return line + "."


class FiguresList(SphinxTransform):
    """PDF only: a chapter with printed claims ends with the list of where its figures come from."""

    default_priority = 800

    def apply(self, **kwargs) -> None:
        if self.app.builder.format != "latex":
            return
        found = list(self.document.findall(claim))
        sections = [s for s in self.document.children if isinstance(s, nodes.section)]
        if not found or not sections:
            return
        seen, items = set(), nodes.enumerated_list(enumtype="arabic")
        for node in found:
            if node["key"] not in seen:
                seen.add(node["key"])
                items += nodes.list_item("", nodes.paragraph("", "", *_breakable(list_line(node["note"]))))
        section = nodes.section(ids=[nodes.make_id(f"figures-{self.env.docname}")])
        section += nodes.title(text=LIST_TITLE)
        section += nodes.paragraph(text="Each figure printed in this chapter, in order, with the data rows "
                                        "(table and row id in data/) and the sources it comes from.")
        # ragged-right: a justified line of ids and titles shows wide gaps
        section += [_latex(r"\begin{RaggedRight}\htsShrinkableList"), items, _latex(r"\end{RaggedRight}")]
        sections[0] += section


def _latex(text: str) -> nodes.raw:
    return nodes.raw("", text, format="latex")


def _breakable(line: str) -> list[nodes.Node]:
    """The line's text, with a place to break after each "/" (long paths and ids of rows)."""
    pieces: list[nodes.Node] = []
    for i, part in enumerate(line.split("/")):
        if i:
            pieces += [nodes.Text("/"), _latex(r"\allowbreak{}")]
        if part:
            pieces.append(nodes.Text(part))
    return pieces


def setup(app) -> None:
    app.connect("builder-inited", write_notes_data)
    app.add_node(claim, html=(visit_claim_html, depart_claim_html), latex=(_pass, _pass),
                 text=(_pass, _pass))
    app.add_transform(FiguresList)

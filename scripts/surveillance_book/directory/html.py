"""A profile page's body as HTML: the one place where the directory's data meets HTML.

The profiles are written as HTML, not as MyST for Sphinx to read (``publish`` puts each body into a page
Sphinx built once): with data 50 times as long there are thousands, and Sphinx spent most of the web
edition's build on them. The markup is the markup Sphinx writes for the book's other pages (sections with
links to themselves, definition lists, captioned tables), so the theme styles a profile like any page.
Every text is set as Sphinx sets text (its smartquotes: ’ “ ” – …) and then escaped (``html.escape``).
"""

import html

import pandas as pd
from docutils.nodes import make_id
from docutils.utils.smartquotes import smartyPants

from ..tables import cell_text, column_header, csv_download_link, row_anchor

SMARTQUOTES = "qDe"  # Sphinx's smartquotes_action: quotes, en and em dashes, ellipses


def text(value) -> str:
    """Words from the data, set and escaped."""
    return html.escape(smartyPants(cell_text(value), SMARTQUOTES, "en"))


def link(href: str, words: str) -> str:
    """A link inside the book (``href`` relative to the page) around words already escaped."""
    return f'<a class="reference internal" href="{html.escape(href)}">{words}</a>'


def section_id(title: str, taken: set[str]) -> str:
    """A section's id as Sphinx makes it from its title, unique on the page."""
    base = make_id(title) or "section"
    found, n = base, 0
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    taken.add(found)
    return found


def heading(level: int, words: str, anchor: str) -> str:
    return (f'<h{level}>{words}<a class="headerlink" href="#{anchor}" title="Link to this heading">#</a>'
            f"</h{level}>")


def section(anchor: str, title: str, parts: list[str]) -> str:
    """A section of the page: its heading (level 2) and its parts, each already HTML."""
    shown = [p for p in parts if p]  # a figure with nothing known gives no chart
    return "\n".join([f'<section id="{anchor}">', heading(2, text(title), anchor), *shown, "</section>"])


def paragraph(words: str) -> str:
    return f"<p>{words}</p>"


def facts(pairs: list[tuple[str, str]]) -> str:
    """Names and values (values already HTML) as a definition list."""
    items = "".join(f"<dt>{text(name)}</dt><dd><p>{value}</p>\n</dd>\n" for name, value in pairs)
    return f'<dl class="simple myst">\n{items}</dl>'


def bullets(items: list[str]) -> str:
    return '<ul class="simple">\n' + "".join(f"<li><p>{item}</p></li>\n" for item in items) + "</ul>"


def table(frame: pd.DataFrame, *, caption: str, name: str, rows: list[dict] | None = None,
          links: dict[str, list] | None = None) -> str:
    """The rows as a captioned table with a CSV download, like the chapters' tables (``tables.source_table``):
    ``rows`` gives each row an anchor (``tables.row_anchor``), ``links`` one address (or None) per row for
    the cells of a column."""
    anchor = html.escape(name)
    head = "".join(f'<th class="head"><p>{text(column_header(c))}</p></th>\n' for c in frame.columns)
    hrefs = [list((links or {}).get(c, [None] * len(frame))) for c in frame.columns]  # per column, per row
    body = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = [link(hrefs[c][i], text(value)) if hrefs[c][i] and cell_text(value) else text(value)
                 for c, value in enumerate(row)]
        if rows:
            cells[0] = f'<span id="{html.escape(row_anchor(rows[i]["table"], rows[i]["id"]))}"></span>' + cells[0]
        body.append(f'<tr class="row-{"odd" if i % 2 else "even"}">'
                    + "\n".join(f"<td><p>{c}</p></td>" for c in cells) + "\n</tr>\n")
    return ('<div class="pst-scrollable-table-container">'
            f'<table class="longtable table" id="{anchor}">\n'
            f'<caption><span class="caption-text">{text(caption)}</span><a class="headerlink" href="#{anchor}" '
            'title="Link to this table">#</a></caption>\n'
            f'<thead>\n<tr class="row-odd">{head}</tr>\n</thead>\n<tbody>\n{"".join(body)}</tbody>\n</table>\n</div>\n'
            + csv_download_link(frame, name))

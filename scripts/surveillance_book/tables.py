"""Tables of the rows behind each chart.

Each table is displayed with two representations: ``text/markdown``, a MyST ``{table}`` directive
that myst-nb turns into a numbered, captioned table in HTML and PDF (``_config.yml`` ranks it above
``text/html`` for the HTML builders), and ``text/html``, a plain escaped HTML table that JupyterLab
shows (its markdown renderer would print the directive as text)."""

import base64
import html
import re

import pandas as pd
from IPython.display import Markdown

from .text import escape_markdown


def _cell(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not pd.isna(value):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return escape_markdown(value)


def cell_text(value) -> str:
    """A cell as the reader sees it, not escaped for markdown (the HTML table escapes it as HTML)."""
    if isinstance(value, pd.Timestamp) or (isinstance(value, int | float) and not pd.isna(value)):
        return _cell(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).replace("\r", " ").replace("\n", " ")


# What a spreadsheet reads as the start of a formula (=HYPERLINK(...) runs when the file is opened).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value):
    """A text cell that would start a formula gets a leading ' (OWASP's advice for CSV exports), which
    spreadsheets show as text; numbers, dates and every other cell are left as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def csv_download_link(frame: pd.DataFrame, name: str) -> str:
    """An HTML link that saves the rows as CSV, spreadsheet-safe (the data package itself is not
    changed); the file travels inside the page, so it works offline. The PDF builder drops raw HTML,
    so it appears on the web page only."""
    rows = frame.astype(object).map(_spreadsheet_safe).to_csv(index=False, lineterminator="\n")
    data = base64.b64encode(rows.encode("utf-8")).decode()
    filename = html.escape(f"{name}.csv")
    return (f'<p class="hts-download"><a download="{filename}" href="data:text/csv;charset=utf-8;base64,{data}">'
            f"Download these rows (CSV)</a></p>")


def column_header(column) -> str:
    return str(column).replace("_", " ")  # "primary source id" can wrap; "primary_source_id" cannot


# The header of a table's own row ids, in every reader's table: the id by which a reader finds the row in data/.
ROW_HEADER = "row"
# A cell may wrap to this many lines before its column is widened (up to WIDEST); a row id to two. The
# widening shares what a PDF table line holds (about TABLE_CHARS characters) after every column has room for
# its longest word, so that a wide column never squeezes a narrow one ("hedge" cut to "hedg").
LINES_PER_CELL, LINES_PER_ROW_ID, WIDEST, TABLE_CHARS, PADDING = 3, 2, 30, 100, 2


def column_widths(frame: pd.DataFrame) -> list[int]:
    """Relative widths that give each column room for its longest unbreakable word or number (ids break
    at their hyphens), so the PDF does not cut "230,000,000" or "IDENT", and, as far as the line allows,
    for its longest cell in a few lines, so a citation does not stand one word a line; plus padding."""
    least, wanted = [], []
    for column in frame.columns:
        shown = [_cell(v).replace("\\", "") for v in frame[column]]  # as the reader sees it, unescaped
        words = column_header(column).split() + [p for text in shown for w in text.split() for p in w.split("-")]
        lines = LINES_PER_ROW_ID if column == ROW_HEADER else LINES_PER_CELL
        least.append(min(max([len(w) for w in words] + [4]), WIDEST))
        wanted.append(min(max(least[-1], -(-max([len(t) for t in shown] + [0]) // lines)), WIDEST))
    extra, room = sum(wanted) - sum(least), TABLE_CHARS - PADDING * len(least) - sum(least)
    share = 1 if extra <= room else max(room, 0) / extra
    return [low + int((want - low) * share) + PADDING for low, want in zip(least, wanted, strict=True)]


def row_anchor(table: str, row_id: str) -> str:
    """The HTML id of a data row in the table that shows it ("row-contracts-hart-2018"): a claim's note
    links there. Characters other than a-z, 0-9 and "-" are written as "_" and their code point."""
    return "row-" + re.sub(r"[^a-z0-9-]", lambda m: f"_{ord(m.group()):x}", f"{table}-{row_id}")


class SourceTable(Markdown):
    """A table shown as MyST markdown by the book and as HTML by JupyterLab; ``.data`` is the markdown.
    The rows it shows (table and id) travel in its output metadata, for the claims' notes."""

    def __init__(self, markdown: str, html_table: str, *, name: str, caption: str, rows: list[dict] | None = None):
        from .chapter import TABLE_ROWS_METADATA

        super().__init__(markdown, metadata={TABLE_ROWS_METADATA: {"name": name, "rows": rows or []}})
        self.html = html_table
        self.name, self.caption = name, caption

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # the text/plain output: deterministic, no memory address
        return f"Table {self.name}: {self.caption}"


def html_table(frame: pd.DataFrame, *, caption: str, name: str) -> str:
    """The rows as an HTML table with its caption; every header and cell is escaped, so it shows as text."""
    shown = pd.DataFrame([[cell_text(v) for v in row] for row in frame.itertuples(index=False)],
                         columns=[column_header(c) for c in frame.columns], dtype=object)
    table = shown.to_html(index=False, escape=True, border=0, classes="hts-table", table_id=name,
                          na_rep="")
    table = table.replace(' style="text-align: right;"', "")  # pandas right-aligns headers over text
    return table.replace(">\n", f">\n<caption>{html.escape(caption)}</caption>\n", 1)


def _linked(text: str, href: str | None) -> str:
    """A cell's text as a link in HTML; the tags are raw HTML, which the PDF drops, keeping the text."""
    return f'<a href="{html.escape(href)}">{text}</a>' if href and text else text


def source_table(frame: pd.DataFrame, *, caption: str, name: str, widths: list[int] | None = None,
                 rows: list[dict] | None = None, links: dict[str, list] | None = None) -> SourceTable:
    """A numbered, captioned table with a CSV download; every cell is escaped so it shows as text.
    ``rows`` (``{"table", "id"}`` per row, in order) gives each row an HTML anchor (``row_anchor``);
    ``links`` maps a column to one address (or None) per row: its cells link there in HTML."""
    header = "| " + " | ".join(escape_markdown(column_header(c)) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    anchors = [f'<span id="{row_anchor(r["table"], r["id"])}"></span>' for r in rows] if rows else [""] * len(frame)
    hrefs = [list((links or {}).get(c, [None] * len(frame))) for c in frame.columns]
    body = ["| " + anchor + " | ".join(_linked(_cell(v), hrefs[c][i]) for c, v in enumerate(row)) + " |"
            for i, (anchor, row) in enumerate(zip(anchors, frame.itertuples(index=False), strict=True))]
    widths = widths or column_widths(frame)
    # longtable: in the PDF a long table continues on the next page instead of running off this one
    download = csv_download_link(frame, name)
    lines = [f"```{{table}} {escape_markdown(caption)}", f":name: {name}", ":class: longtable",
             f":widths: {' '.join(map(str, widths))}",
             header, rule, *body, "```", "", download]
    return SourceTable("\n".join(lines), html_table(frame, caption=caption, name=name) + "\n" + download,
                       name=name, caption=caption, rows=rows)

"""Tables of the rows behind each chart, rendered as MyST so HTML and PDF both get real tables."""

import base64
import html

import pandas as pd
from IPython.display import Markdown

from .text import escape_markdown


def _cell(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not pd.isna(value):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return escape_markdown(value)


def csv_download_link(frame: pd.DataFrame, name: str) -> str:
    """An HTML link that saves the rows as CSV; the file travels inside the page, so it works offline.
    The PDF builder drops raw HTML, so it appears on the web page only."""
    data = base64.b64encode(frame.to_csv(index=False, lineterminator="\n").encode("utf-8")).decode()
    filename = html.escape(f"{name}.csv")
    return (f'<p class="hts-download"><a download="{filename}" href="data:text/csv;charset=utf-8;base64,{data}">'
            f"Download these rows (CSV)</a></p>")


def _header(column) -> str:
    return str(column).replace("_", " ")  # "primary source id" can wrap; "primary_source_id" cannot


def column_widths(frame: pd.DataFrame) -> list[int]:
    """Relative widths that give each column room for its longest unbreakable word or number
    (ids break at their hyphens), plus padding, so the PDF does not cut "230,000,000" or "IDENT"."""
    widths = []
    for column in frame.columns:
        shown = [_cell(v).replace("\\", "") for v in frame[column]]  # as the reader sees it, unescaped
        words = _header(column).split() + [p for text in shown for w in text.split() for p in w.split("-")]
        widths.append(min(max([len(w) for w in words] + [4]), 30) + 2)
    return widths


def source_table(frame: pd.DataFrame, *, caption: str, name: str, widths: list[int] | None = None) -> Markdown:
    """A numbered, captioned table with a CSV download; every cell is escaped so it shows as text."""
    header = "| " + " | ".join(escape_markdown(_header(c)) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    widths = widths or column_widths(frame)
    # longtable: in the PDF a long table continues on the next page instead of running off this one
    lines = [f"```{{table}} {escape_markdown(caption)}", f":name: {name}", ":class: longtable",
             f":widths: {' '.join(map(str, widths))}",
             header, rule, *body, "```", "", csv_download_link(frame, name)]
    return Markdown("\n".join(lines))

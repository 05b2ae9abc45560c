"""Tables of the rows behind each chart, rendered as MyST so HTML and PDF both get real tables."""

import pandas as pd
from IPython.display import Markdown

from .text import escape_markdown


def _cell(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not pd.isna(value):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return escape_markdown(value)


def source_table(frame: pd.DataFrame, *, caption: str, name: str) -> Markdown:
    """A numbered, captioned table; every cell is escaped so it shows as text."""
    header = "| " + " | ".join(escape_markdown(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    lines = [f"```{{table}} {escape_markdown(caption)}", f":name: {name}", header, rule, *body, "```"]
    return Markdown("\n".join(lines))

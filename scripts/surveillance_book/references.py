"""BibTeX for the book's bibliography, generated from ``data/sources.csv`` at build time."""

import re

import pandas as pd

from .data import load
from .paths import DATA_DIR

# Every source is a @misc entry with its kind in howpublished: sphinxcontrib-bibtex 2.7 crashes on
# @report, and @techreport would print the publishers twice (as authors and as institution).
_LATEX_SPECIAL = re.compile(r"([&%$#_{}])")


def _escape(text: str) -> str:
    return _LATEX_SPECIAL.sub(r"\\\1", text)


def _field(value) -> str | None:
    return None if value is None or pd.isna(value) else "{" + _escape(str(value)) + "}"


def entry(row: pd.Series) -> str:
    published, precision = row["published"], row["published_precision"]
    fields = {
        "title": "{" + _field(row["title"]) + "}",  # double braces keep the capitalisation
        "author": "{" + _field(row["publisher"]) + "}" if pd.notna(row["publisher"]) else None,
        "howpublished": _field(str(row["kind"]).capitalize()),
        "year": str(published.year) if pd.notna(published) else "{n.d.}",
        # a bare month macro (jan, feb, ...) is how BibTeX spells months
        "month": published.strftime("%b").lower() if pd.notna(published) and precision != "year" else None,
        "url": _field(row["url"]),
        "note": _field(row["note"]),
    }
    body = ",\n".join(f"  {key} = {value}" for key, value in fields.items() if value)
    return f"@misc{{{row['source_id']},\n{body}\n}}\n"


def bibtex(data_dir=DATA_DIR) -> str:
    return "\n".join(entry(row) for _, row in load("sources", data_dir).iterrows())

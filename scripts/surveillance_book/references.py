"""BibTeX for the book's bibliography, generated from ``data/sources.csv`` at build time,
and the pybtex style that prints it.

The file is read only by pybtex (sphinxcontrib-bibtex), whose own LaTeX decoding cannot print every
character as written (``--`` becomes a dash, a lone ``{`` is a syntax error). So text fields are
written with LaTeX escapes (``encode``) and the style reads them back exactly (``decode``) instead of
through that decoding; the publisher, which sphinxcontrib-bibtex parses as a name for the in-text
label, gets escapes its decoding reads back too (braces are kept out of it by the validator).

The file is also valid input for the ``bibtex`` program, without a warning (a test runs it): a source with
no date has no ``year`` (the style prints "n.d."), and one with no publisher a ``key`` (its title) to sort by.
"""

import re

import pandas as pd
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.formatting.unsrt import date
from pybtex.style.template import field, first_of, href, optional, optional_field, sentence, words

from .data import load
from .paths import DATA_DIR

STYLE = "book"  # the name the style is registered under (bibtex_default_style)
WEB_SCHEMES = ("http://", "https://")  # the only addresses the book links
NO_DATE = "n.d."  # printed for a source without a date (BibTeX has no year for it: a year is a number)

_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
            "~": r"\textasciitilde{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_"}
_LIGATURE = "-'`!?,<>"  # pairs of these are ligatures in TeX and pybtex ("--" is a dash): kept apart by {}
_DECODE = re.compile("|".join(re.escape(v) for v in sorted(_ESCAPES.values(), key=len, reverse=True)) + r"|\{\}")
_DECODED = {v: k for k, v in _ESCAPES.items()} | {"{}": ""}


def encode(text: str) -> str:
    out = []
    for char, following in zip(text, text[1:] + " ", strict=True):
        out.append(_ESCAPES.get(char, char))
        if char in _LIGATURE and following in _LIGATURE:
            out.append("{}")
    return "".join(out)


def decode(latex: str) -> str:
    """The text ``encode`` was given."""
    return _DECODE.sub(lambda m: _DECODED[m[0]], latex)


def _text(latex: str) -> Text:
    return Text(decode(latex))


class BookStyle(PlainStyle):
    """pybtex's plain style for the book's @misc entries, its text fields printed exactly as written; an
    entry without a date says so ("n.d.")."""

    def get_misc_template(self, e):
        return toplevel[
            optional[sentence[self.format_names("author")]],
            optional[sentence[field("title", raw=True, apply_func=_text)]],
            sentence[optional[field("howpublished", raw=True, apply_func=_text)], first_of[optional[date], NO_DATE]],
            sentence[optional_field("note", raw=True, apply_func=_text)],
            optional[words["URL:", href(field("url", raw=True))[field("url", raw=True)]]],
        ]


def _field(value) -> str | None:
    return None if value is None or pd.isna(value) else "{" + encode(str(value)) + "}"


def web_address(value) -> str | None:
    """An address the book may link: http or https only (the validator rejects others; this is the
    guard where the address meets the page)."""
    url = None if value is None or pd.isna(value) else str(value)
    return "{" + url + "}" if url and url.startswith(WEB_SCHEMES) and not set(url) & set("{}\\ ") else None


def entry(row: pd.Series) -> str:
    published, precision = row["published"], row["published_precision"]
    fields = {
        "title": _field(row["title"]),
        "author": "{" + _field(row["publisher"]) + "}" if pd.notna(row["publisher"]) else None,
        # what bibtex sorts by when there is no author
        "key": _field(row["title"]) if pd.isna(row["publisher"]) else None,
        "howpublished": _field(str(row["kind"]).capitalize()),
        "year": str(published.year) if pd.notna(published) else None,
        # a bare month macro (jan, feb, ...) is how BibTeX spells months
        "month": published.strftime("%b").lower() if pd.notna(published) and precision != "year" else None,
        "url": web_address(row["url"]),
        "note": _field(row["note"]),
    }
    body = ",\n".join(f"  {key} = {value}" for key, value in fields.items() if value)
    return f"@misc{{{row['source_id']},\n{body}\n}}\n"


def bibtex(data_dir=DATA_DIR) -> str:
    return "\n".join(entry(row) for _, row in load("sources", data_dir).iterrows())

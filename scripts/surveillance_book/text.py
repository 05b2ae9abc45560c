"""Formatting figures for prose and tables, and gluing them into pages.

Hedges travel with the figure: ``money(42.3e6, "potentially")`` reads
"potentially $42.3 million", never a bare "$42.3 million".
"""

import re

import pandas as pd

APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")  # an apostrophe inside a word ("Who's"), never a quotation mark


def typographic(value):
    """``value`` — a string, or lists and dicts of them, as a chart specification is — with each apostrophe
    inside a word printed as one (’), as the PDF prints its text; keys are left as written (they are fields)."""
    if isinstance(value, str):
        return APOSTROPHE.sub("’", value)
    if isinstance(value, list):
        return [typographic(v) for v in value]
    if isinstance(value, dict):
        return {k: typographic(v) for k, v in value.items()}
    return value


# How a qualifier from the data reads in front of a figure; "exact" reads as nothing.
HEDGE_WORDS = {
    "exact": "",
    "approximately": "about",
    "at least": "at least",
    "more than": "more than",
    "over": "over",
    "nearly": "nearly",
    "up to": "up to",
    "potentially": "potentially",
}
# How a qualifier reads in a reader's table. "exact" in the data means only that the source puts no hedge on the
# figure ("$51.6 million", "three times" are rounded as the source rounds them), so a table never prints "exact".
QUALIFIER_IN_TABLES = {"exact": "as stated"}


def qualifier_in_table(qualifier):
    """A qualifier as a reader's table prints it: "as stated" for the data's "exact", any hedge as it is."""
    return QUALIFIER_IN_TABLES.get(qualifier, qualifier) if isinstance(qualifier, str) else qualifier


_SCALES = [(1e9, "billion"), (1e6, "million")]
_SMALL_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def _trim(number: float, digits: int) -> str:
    text = f"{number:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: float, qualifier: str = "exact", digits: int = 1) -> str:
    """A count in words for prose: 230000000 -> "230 million"; a whole number up to twelve in words, as
    ``count`` writes it ("over twelve", "at least seven"), so the text does not mix "7" and "seven"."""
    for scale, word in _SCALES:
        if abs(value) >= scale:
            return hedge(f"{_trim(value / scale, digits)} {word}", qualifier)
    if float(value).is_integer() and 0 <= value < len(_SMALL_NUMBERS):
        return hedge(_SMALL_NUMBERS[int(value)], qualifier)
    return hedge(_trim(value, 0 if float(value).is_integer() else digits), qualifier)


def money(value: float, qualifier: str = "exact", digits: int = 1) -> str:
    """US dollars for prose: 51600000 -> "$51.6 million"."""
    for scale, word in _SCALES:
        if abs(value) >= scale:
            return hedge(f"${_trim(value / scale, digits)} {word}", qualifier)
    return hedge(f"${_trim(value, 0)}", qualifier)


def value_range(low: float, high: float, qualifier: str = "exact") -> str:
    """A range for prose: (350000, 400000) -> "350,000–400,000"."""
    if low == high:
        return number(low, qualifier) if low >= 1e6 else hedge(f"{low:,.0f}", qualifier)
    return hedge(f"{low:,.0f}–{high:,.0f}", qualifier)


def hedge(text: str, qualifier: str = "exact") -> str:
    try:
        word = HEDGE_WORDS[qualifier]
    except KeyError:
        raise ValueError(f"unknown qualifier {qualifier!r}; known: {sorted(HEDGE_WORDS)}") from None
    return f"{word} {text}" if word else text


def month(date: pd.Timestamp, precision: str = "month") -> str:
    """A date at the precision the source gives: "February 2018", "2014"."""
    formats = {"year": "%Y", "month": "%B %Y", "day": "%-d %B %Y"}
    return date.strftime(formats[precision])


def times(value: float, base: float, qualifier: str = "exact", digits: int = 1) -> str:
    """How many times ``base`` a value is, for prose: "at least 2.1 times". A floor ("at least",
    "over", "more than") is rounded down, so the phrase stays true; a ceiling ("up to") rounded up."""
    import math

    ratio, scale = value / base, 10**digits
    if qualifier in ("at least", "over", "more than"):
        ratio = math.floor(ratio * scale) / scale
    elif qualifier == "up to":
        ratio = math.ceil(ratio * scale) / scale
    return hedge(f"{_trim(ratio, digits)} times", qualifier)


def count(n: int) -> str:
    """A count for prose: zero to twelve in words ("three"), larger ones in figures ("24", "1,200")."""
    return number(n)  # number() writes zero to twelve in words


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun, agreeing in number: "one office", "three offices", "24 firms"."""
    return f"{count(n)} {singular if n == 1 else plural or singular + 's'}"


def and_list(items) -> str:
    """Names joined for prose: "A", "A and B", "A, B and C".

    A serial comma is added only when an item itself contains " and ", so the last
    item stays distinct: "scars and tattoos, faces, and irises"."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    serial = "," if len(items) > 2 and any(" and " in i for i in items) else ""
    return ", ".join(items[:-1]) + serial + " and " + items[-1]


def glue_text(name: str, value: str) -> None:
    """Glue a finished phrase for use in prose as ``{glue:text}`name```.

    It is stored as the string's repr ('500,000'); myst-nb reads it back with
    ``ast.literal_eval``, which only strips the quotes. A bare 500,000 would be read
    as the tuple (500, 0)."""
    from myst_nb import glue

    glue(name, str(value), display=False)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&:])")


def escape_markdown(value) -> str:
    """Cell text shown literally: markup in the data is displayed, not interpreted."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)

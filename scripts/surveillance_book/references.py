"""BibTeX for the book's bibliography, generated from ``data/sources.csv`` at build time,
and the pybtex style that prints it.

The file is read only by pybtex (sphinxcontrib-bibtex), whose own LaTeX decoding cannot print every
character as written (``--`` becomes a dash, a lone ``{`` is a syntax error). So text fields are
written with LaTeX escapes (``encode``) and the style reads them back exactly (``decode``) instead of
through that decoding; the publisher, which sphinxcontrib-bibtex parses as a name for the in-text
label, gets escapes its decoding reads back too (braces are kept out of it by the validator).

The file is also valid input for the ``bibtex`` program, without a warning (a test runs it): a source with
no date has no ``year`` (the style prints "n.d."), and one with no publisher a ``key`` (its title) to sort by.

Citations are author–year, in one form in the text and in the list: the text cites "(AFSC 2019; Mijente et
al. 2018, as cited in AFSC 2019)" (``BookReferenceStyle``, from the fields ``shortauthor``, ``labelyear``
and ``citedin``: the short name of the first publisher, as charts name their sources, and the year,
lettered where two entries would read alike), and the list, sorted by those, begins each entry with them:
"AFSC (American Friends Service Committee). 2019. Title…". A source without a publisher is cited and
listed by its title.

A source the book knows only through another (``cited_by_id`` in ``data/sources.csv``: the report and
every document the AFSC page quotes or links) is never cited as if read: one rule, ``cited_as``, adds "as
cited in" and the source it was read in to every citation of it — in the text "(Mijente et al. 2018, as
cited in AFSC 2019)", on charts, in tables and notes "Mijente et al. (2018), as cited in AFSC (2019)"
(``source_labels``) — and its entry in the list says "As cited in AFSC 2019; not consulted directly."
"""

import re
import string
from dataclasses import dataclass

import pandas as pd
from pybtex.backends.plaintext import Backend as PlainTextBackend
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.formatting.unsrt import date
from pybtex.style.template import field, href, node, optional, optional_field, sentence, words

from .data import load
from .paths import DATA_DIR

STYLE = "book"  # the name the styles are registered under (bibtex_default_style, bibtex_reference_style)
WEB_SCHEMES = ("http://", "https://")  # the only addresses the book links
NO_DATE = "n.d."  # printed for a source without a date (BibTeX has no year for it: a year is a number)
AS_CITED_IN = "as cited in"  # a source known only through another: "(Mijente et al. 2018, as cited in AFSC 2019)"
NOT_CONSULTED = "not consulted directly"  # what the list adds to such an entry

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
    """pybtex's plain style for the book's @misc entries, author–year: each entry begins with what the text
    cites it by (short author, then year), its text fields printed exactly as written; an entry without a
    date says so ("n.d.")."""

    def get_misc_template(self, e):
        if "bibauthor" in e.fields:  # "AFSC (American Friends Service Committee). 2019. Title."
            lead = [sentence[field("bibauthor", raw=True, apply_func=_text)],
                    sentence[field("labelyear", raw=True, apply_func=_text)],
                    optional[sentence[field("title", raw=True, apply_func=_text)]]]
        elif "shorttitle" in e.fields:  # no publisher: the short title the text cites, then the title
            lead = [sentence[field("shorttitle", raw=True, apply_func=_text)],
                    sentence[field("labelyear", raw=True, apply_func=_text)],
                    sentence[field("title", raw=True, apply_func=_text)]]
        else:  # no publisher, a title cited whole: the title leads
            lead = [sentence[field("title", raw=True, apply_func=_text)],
                    sentence[field("labelyear", raw=True, apply_func=_text)]]
        return toplevel[
            *lead,
            sentence[optional[field("howpublished", raw=True, apply_func=_text)], optional[date]],
            sentence[optional_field("note", raw=True, apply_func=_text)],
            optional[sentence[field("citedin", raw=True, apply_func=_as_cited_in)]],
            optional[words["URL:", href(field("url", raw=True))[field("url", raw=True)]]],
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sort = self.sort_as_cited  # pybtex sets ``sort`` on the instance, from the sorting style

    @staticmethod
    def sort_as_cited(entries):
        """By what the text cites them by: short author, then year (as printed: "n.d." after the years)."""
        def key(e):
            return (decode(e.fields.get("shortauthor", "")).casefold(), decode(e.fields.get("labelyear", "")),
                    decode(e.fields.get("title", "")).casefold())
        return sorted(entries, key=key)


def _as_cited_in(latex: str) -> Text:
    """The list's line for a source known through another: "As cited in AFSC 2019; not consulted directly"."""
    return Text(f"{AS_CITED_IN.capitalize()} {decode(latex)}; {NOT_CONSULTED}")


@node
def _cited_as(children, data, what):
    """The short author or the year an entry is cited by, as the list prints it."""
    return Text(decode(data["entry"].fields[what]))


@node
def _cited_in(children, data):
    """", as cited in AFSC 2019" after the year of a source known only through another; nothing otherwise."""
    through = data["entry"].fields.get("citedin")
    return Text(f", {AS_CITED_IN} {decode(through)}") if through else Text()


def _reference_style():
    """sphinxcontrib-bibtex's author-year referencing, in the form "(AFSC 2019; Mijente et al. 2018, as cited
    in AFSC 2019)": an entry is named by its ``shortauthor`` and ``labelyear``, as the list begins it, and a
    source known only through another says through which (``citedin``)."""
    from sphinxcontrib.bibtex.style.referencing import BracketStyle, GroupReferenceStyle, PersonStyle
    from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
        BasicAuthorYearParentheticalReferenceStyle,
        BasicAuthorYearTextualReferenceStyle,
    )
    from sphinxcontrib.bibtex.style.referencing.extra_author import ExtraAuthorReferenceStyle
    from sphinxcontrib.bibtex.style.referencing.extra_empty import ExtraEmptyReferenceStyle
    from sphinxcontrib.bibtex.style.referencing.extra_label import ExtraLabelReferenceStyle
    from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
    from sphinxcontrib.bibtex.style.template import join, join2, post_text, pre_text, reference

    author, year, through = _cited_as(what="shortauthor"), _cited_as(what="labelyear"), _cited_in()

    class Person(PersonStyle):
        def names(self, role, full):
            return author

        def author_or_editor_or_title(self, full):
            return author

    class Parenthetical(BasicAuthorYearParentheticalReferenceStyle):  # (AFSC 2019; Mijente et al. 2018, as…)
        def inner(self, role_name):
            return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                pre_text, reference[join[join(sep=self.author_year_sep)[author, year], through]], post_text]

    class Textual(BasicAuthorYearTextualReferenceStyle):  # AFSC (2019); Mijente et al. (2018, as cited in…)
        def inner(self, role_name):
            return join(sep=self.text_reference_sep)[
                author, join[self.bracket.left, join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                    pre_text, reference[join[year, through]], post_text], self.bracket.right]]

    class Year(ExtraYearReferenceStyle):
        def inner(self, role_name):
            return reference[year]

    @dataclass
    class BookReferenceStyle(GroupReferenceStyle):
        def __post_init__(self):
            bracket, person = BracketStyle(left="(", right=")", sep="; "), Person()
            self.styles.extend([
                Parenthetical(bracket=bracket, person=person, author_year_sep=" "),
                Textual(bracket=bracket, person=person),
                ExtraAuthorReferenceStyle(bracket=bracket, person=person),
                ExtraLabelReferenceStyle(bracket=bracket),
                Year(bracket=bracket),
                ExtraEmptyReferenceStyle(),
            ])
            super().__post_init__()

    return BookReferenceStyle


def register_styles() -> None:
    """Register the bibliography style and the citation style, both as ``book``."""
    from pybtex.plugin import register_plugin as register_pybtex
    from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex

    register_pybtex("pybtex.style.formatting", STYLE, BookStyle, force=True)
    # sphinxcontrib-bibtex looks up the plain-text backend for every citation it resolves; registered here, the
    # lookup is a dictionary's instead of a scan of every installed package's entry points (13 s of the
    # HTML build at 10 times the data: 1,100 profile pages, a citation each)
    register_pybtex("pybtex.backends", "plaintext", PlainTextBackend, force=True)
    register_bibtex("sphinxcontrib.bibtex.style.referencing", STYLE, _reference_style(), force=True)


# --- what an entry is cited by ----------------------------------------------------------------------
def short_names(data_dir=DATA_DIR) -> dict[str, str]:
    """An organization's name → the short name charts and citations use ("AFSC")."""
    orgs = load("organizations", data_dir)
    return dict(zip(orgs.name, orgs.short_name.fillna(orgs.name), strict=True))


def _publishers(publisher: str) -> list[str]:
    return str(publisher).split(", ")


_ABOUT = re.compile(r"(?P<what>.+?) on (?P<about>.+)")  # "Contract records on Palantir's FALCON-SA payments"
_NAME = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*(?![\w-])")  # "FALCON-SA", "CLEAR"
_ASIDE = re.compile(r" \(([^()]*)\)")  # "American Friends Service Committee (Investigate)"


def short_title(title: str) -> str:
    """How a citation names a source that has no publisher: a short form of its title, by one rule — a title
    "<what> on <…> <NAME> <…>" is cited as "<NAME> <what>", the first name in capitals it is about and what
    the document is ("Contract records on Palantir's FALCON-SA payments, 2013-2018": "FALCON-SA contract
    records"; no years in it to read as the year cited); any other title, whole. Only words of the title."""
    match = _ABOUT.fullmatch(title)
    name = _NAME.search(match["about"]) if match else None
    return f"{name[0]} {match['what'][:1].lower()}{match['what'][1:]}" if name else title


def short_author(row: pd.Series, short: dict[str, str]) -> str:
    """"AFSC", "Mijente et al.", or the title's short form when there is no publisher (``short_title``): the
    rule of the charts' source lines (Chapter.source_label)."""
    if pd.isna(row["publisher"]):
        return short_title(str(row["title"]))
    first, *others = str(row["publisher"]).split(" (")[0].split(", ")
    return short.get(first, first) + (" et al." if others else "")


def bibliography_author(row: pd.Series, short: dict[str, str]) -> str | None:
    """The publishers as the list prints them, the first one led by its short name where it has one:
    "AFSC (American Friends Service Committee)", one pair of brackets, an aside of the name's own put inside
    them ("AFSC (American Friends Service Committee, Investigate)"); a name that already holds its short name
    is not repeated after it ("GAO", not "GAO (U.S. GAO)": the short name alone, as the text cites it)."""
    if pd.isna(row["publisher"]):
        return None
    first, *others = _publishers(row["publisher"])
    name = first.split(" (")[0]
    abbreviation = short.get(name, name)
    if re.search(rf"(?<![\w-]){re.escape(abbreviation)}(?![\w-])", name):  # "U.S. GAO": no "GAO (U.S. GAO)"
        first = abbreviation if abbreviation != name else first
    elif abbreviation != name:
        first = f"{abbreviation} ({_ASIDE.sub(lambda m: ', ' + m[1], first)})"
    return ", ".join([first, *others])


def label_years(sources: pd.DataFrame, short: dict[str, str]) -> dict[str, str]:
    """source_id → the year it is cited by ("2019", "n.d."), lettered by title where two entries of one
    short author would read alike ("n.d.-a", "n.d.-b"; "2018a", "2018b")."""
    years = {}
    for row in sources.itertuples(index=False):
        row = pd.Series(row._asdict())
        year = str(row.published.year) if pd.notna(row.published) else NO_DATE
        years[row.source_id] = (short_author(row, short), year, str(row.title).casefold())
    out = {}
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for source_id, (author, year, title) in years.items():
        groups.setdefault((author, year), []).append((title, source_id))
    for (_, year), members in groups.items():
        for letter, (_, source_id) in zip(string.ascii_lowercase, sorted(members), strict=False):
            suffix = "" if len(members) == 1 else (("-" if year == NO_DATE else "") + letter)
            out[source_id] = year + suffix
    return out


def cited_as(sources: pd.DataFrame, short: dict[str, str]) -> dict[str, tuple[str, str, str | None]]:
    """source_id → (short author, year, the source_id it is known through or None): what every citation of
    it is made of, in the text, on charts, in tables and in the list. The source it is known through is
    named as it is cited itself (author and year, without its own "as cited in")."""
    years = label_years(sources, short)
    known = set(sources.source_id)
    return {row["source_id"]: (short_author(row, short), years[row["source_id"]],
                               row["cited_by_id"] if pd.notna(row.get("cited_by_id")) and row["cited_by_id"] in known
                               else None)
            for _, row in sources.iterrows()}


def source_labels(sources: pd.DataFrame, short: dict[str, str]) -> dict[str, str]:
    """source_id → how a chart, a table or a claim's note names it: "AFSC (2019)", "ACLU (n.d.-b)",
    "Mijente et al. (2018), as cited in AFSC (2019)"."""
    parts = cited_as(sources, short)

    def plain(source_id: str) -> str:
        author, year, _ = parts[source_id]
        return f"{author} ({year})"

    return {source_id: plain(source_id) + (f", {AS_CITED_IN} {plain(through)}" if through else "")
            for source_id, (_, _, through) in parts.items()}


def _field(value) -> str | None:
    return None if value is None or pd.isna(value) else "{" + encode(str(value)) + "}"


def web_address(value) -> str | None:
    """An address the book may link: http or https only (the validator rejects others; this is the
    guard where the address meets the page)."""
    url = None if value is None or pd.isna(value) else str(value)
    return "{" + url + "}" if url and url.startswith(WEB_SCHEMES) and not set(url) & set("{}\\ ") else None


def entry(row: pd.Series, short: dict[str, str] | None = None, label_year: str | None = None,
          cited_in: str | None = None) -> str:
    """One @misc entry; ``short`` (short names of organizations) and ``label_year`` (as ``label_years``
    gives it) default to none and the plain year; ``cited_in`` is how the source it is known through is
    cited ("AFSC 2019"), for a source not consulted directly."""
    short = short or {}
    published, precision = row["published"], row["published_precision"]
    lead = bibliography_author(row, short)
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
        # what the text cites it by, and how the list leads with it (read by this module's styles only)
        "shortauthor": _field(short_author(row, short)),
        "labelyear": _field(label_year or (str(published.year) if pd.notna(published) else NO_DATE)),
        "bibauthor": _field(lead) if lead else None,
        # a source without a publisher, cited by a short form of its title: the list leads with it too
        "shorttitle": (_field(short_title(str(row["title"]))) if pd.isna(row["publisher"])
                       and short_title(str(row["title"])) != str(row["title"]) else None),
        "citedin": _field(cited_in) if cited_in else None,  # known only through that source
    }
    body = ",\n".join(f"  {key} = {value}" for key, value in fields.items() if value)
    return f"@misc{{{row['source_id']},\n{body}\n}}\n"


def bibtex(data_dir=DATA_DIR) -> str:
    sources, short = load("sources", data_dir), short_names(data_dir)
    parts = cited_as(sources, short)

    def through(source_id: str) -> str | None:
        via = parts[source_id][2]
        return f"{parts[via][0]} {parts[via][1]}" if via else None

    return "\n".join(entry(row, short, parts[row["source_id"]][1], through(row["source_id"]))
                     for _, row in sources.iterrows())

"""The edition of the book, written once in CITATION.cff, and the citations made from it."""

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .paths import REPO

CITATION = REPO / "CITATION.cff"
CFF_SCHEMA = Path(__file__).parent / "schemas" / "citation-cff-1.2.0.json"  # from cffconvert 2.0.0
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class CitationError(ValueError):
    """CITATION.cff is missing, malformed, or its edition is not a semantic version."""


# The fields of the edition that CITATION.cff's preferred-citation (the book) must repeat exactly.
EDITION_KEYS = ("title", "version", "date-released", "authors")
ARTICLES = ("The", "A", "An")


@dataclass(frozen=True)
class Edition:
    title: str
    version: str
    released: datetime.date
    authors: tuple[str, ...]
    license: str
    doi: str | None
    publisher: str  # of the book (preferred-citation); the authors themselves when it names none

    @property
    def year(self) -> int:
        return self.released.year


def check_citation(meta: dict, path: Path = CITATION) -> None:
    """Validate against the CFF 1.2.0 schema; every error is listed with where it is."""
    import jsonschema

    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(meta), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  {'.'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message}" for e in errors]
        raise CitationError(f"{path} is not valid CFF 1.2.0:\n" + "\n".join(lines))
    if not SEMVER.match(str(meta["version"])):
        raise CitationError(f"{path}: version {meta['version']!r} is not a semantic version X.Y.Z")


def _name(author: dict) -> str:
    if "name" in author:
        return author["name"]
    return " ".join(p for p in (author.get("given-names"), author.get("family-names")) if p)


def check_preferred_citation(meta: dict, path: Path = CITATION) -> None:
    """The book that ``preferred-citation`` asks to cite is this edition: same title, authors, version and
    date (and ``edition``, when given, is the version)."""
    book = meta.get("preferred-citation")
    if book is None:
        return
    differ = [key for key in EDITION_KEYS if book.get(key) != meta.get(key)]
    if "edition" in book and book["edition"] != meta.get("version"):
        differ.append("edition")
    if differ:
        raise CitationError(f"{path}: preferred-citation differs from the edition in {', '.join(differ)}; "
                            "they must be the same")


def read_citation(path: Path = CITATION) -> dict:
    """CITATION.cff as a mapping of strings, checked against the CFF schema and itself."""
    try:
        # dates stay strings here, as the CFF schema expects them
        meta = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, yaml.YAMLError) as err:
        raise CitationError(f"{path}: cannot read it: {err}") from None
    if not isinstance(meta, dict):
        raise CitationError(f"{path}: expected a YAML mapping")
    check_citation(meta, path)
    check_preferred_citation(meta, path)
    return meta


def edition(path: Path = CITATION) -> Edition:
    meta = read_citation(path)
    authors = tuple(_name(a) for a in meta["authors"])
    publisher = meta.get("preferred-citation", {}).get("publisher")
    return Edition(
        title=meta["title"],
        version=meta["version"],
        released=datetime.date.fromisoformat(meta["date-released"]),
        authors=authors,
        license=meta.get("license", ""),
        doi=meta.get("doi"),
        publisher=_name(publisher) if publisher else "; ".join(authors),
    )


def zenodo_name(author: dict) -> str:
    """A CFF author as the ``name`` of a .zenodo.json creator.

    Zenodo files every creator of a .zenodo.json as a person, and splits ``name`` into given and family
    names: at the comma of "Family, Given", else with a name parser, which cuts a group's name in two
    ("The High-Tech" / "Surveillance of ... authors"). It has no field for an organization. So a person is
    written "Family, Given", and a group (a CFF entity) in the inverted form of a name that starts with an
    article, "Name, The": the whole name without its article is the family name, nothing else is split.
    A group name without a leading article has no such form and is refused."""
    if "name" not in author:
        family = " ".join(p for p in (author.get("name-particle"), author.get("family-names")) if p)
        return ", ".join(p for p in (family, author.get("given-names")) if p)
    name = author["name"].strip()
    article, _, rest = name.partition(" ")
    if article not in ARTICLES or not rest or "," in name:
        raise CitationError(f"author {name!r}: Zenodo would split this group name into a given and a family "
                            "name; write it with a leading article (\"The ... authors\") or as persons")
    return f"{rest}, {article}"


def zenodo_creators(path: Path = CITATION) -> list[dict]:
    """The ``creators`` of .zenodo.json, made from the authors of CITATION.cff."""
    return [{"name": zenodo_name(author)} for author in read_citation(path)["authors"]]


def write_edition(version: str, released: datetime.date, path: Path = CITATION) -> Edition:
    """Set ``version`` and ``date-released`` in CITATION.cff, and the same in its preferred-citation (with
    ``edition``), keeping its comments and layout, and read it back; an invalid result is not left behind."""
    before = path.read_text(encoding="utf-8")
    text = before
    for key, value in (("version", version), ("date-released", released.isoformat())):
        text, found = re.subn(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
        if found != 1:
            raise CitationError(f"{path}: expected one top-level '{key}:' line, found {found}")
    # preferred-citation's own keys are indented by two spaces (those of `references` items by four)
    for key, value in (("version", version), ("edition", version), ("date-released", released.isoformat())):
        text = re.sub(rf"(?m)^  {key}: .*$", f"  {key}: {value}", text)
    path.write_text(text, encoding="utf-8")
    try:
        return edition(path)
    except CitationError:
        path.write_text(before, encoding="utf-8")
        raise


def plain(ed: Edition) -> str:
    doi = f"https://doi.org/{ed.doi}" if ed.doi else "This edition has no DOI."
    return f"{'; '.join(ed.authors)} ({ed.year}). {ed.title}, edition {ed.version} ({ed.released:%-d %B %Y}). {doi}"


def apa(ed: Edition) -> str:
    doi = f" https://doi.org/{ed.doi}" if ed.doi else ""
    return f"{', '.join(ed.authors)}. ({ed.year}). *{ed.title}* (Edition {ed.version}) [Open research book].{doi}"


def bibtex(ed: Edition) -> str:
    key = f"hts-immigrants-{ed.version.replace('.', '-')}"
    fields = {
        "author": "{" + " and ".join("{" + a + "}" for a in ed.authors) + "}",
        "title": "{{" + ed.title + "}}",
        "edition": "{" + ed.version + "}",
        "publisher": "{" + ed.publisher + "}",
        "year": "{" + str(ed.year) + "}",
        "month": ed.released.strftime("%b").lower(),
        "note": "{Open research book; data and code: " + ed.license + " and MIT}",
    }
    if ed.doi:
        fields["doi"] = "{" + ed.doi + "}"
    body = ",\n".join(f"  {k} = {v}" for k, v in fields.items())
    return f"@book{{{key},\n{body}\n}}"

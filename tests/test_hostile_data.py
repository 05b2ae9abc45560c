"""Hostile data that passes validation cannot break, blank or subvert the book (issue 14).

One scratch clone gets markup of every family a reviewer would try — HTML comments and <script>
openers, MyST/Markdown, LaTeX specials, Vega expression syntax (backslashes, quotes, {{ }}),
spreadsheet formulas, a very long cell — in every free-text column of the first rows of every table,
plus the cells the issue names. Its notebooks are executed and its HTML and PDF built; then every page
must open in Chromium with no console error, every chart drawn and as many charts and tables as the
real book, the markup shown as text, no live javascript: link. What validation rejects instead
(control and bidi characters, line separators, blank cells, non-http addresses, unlisted files) is
tested in test_validate.py; the bibliography's characters in test_references.py.
"""

import base64
import csv
import io
import json
import re

import pytest
from browser import Browser
from bs4 import BeautifulSoup
from clones import build, fresh_clone
from pypdf import PdfReader
from test_book_output import content_pages, serve
from test_validate import read, write

from surveillance_book.build import PDF_NAME

PAYLOADS = [
    "<!--<script>",
    "</script><script>alert(1)</script><b>bold?</b>",
    "{{x}} `code` **b** [link](javascript:alert(1)) {glue:text}`k` $x$ | pipe |",
    "C:\\users\\TR \"q' \\\\ \\n datum['x'] ${x}",
    "% & $ # _ { } ~ ^ \\input{/etc/passwd} -- ''",
    "=HYPERLINK(\"http://x\",\"y\")",
]
GIANT_OAK = "Giant Oak <!--<script>"
THOMSON = "C:\\users\\TR {{x}} \"q'"
TITLE = "Title with { } \\ $ % & # _ ~ ^ and \\input{/etc/passwd}"
LONG = "very long cell " * 300
FORMULA = "=HYPERLINK(\"http://x\",\"y\")"


def _free_text(resource: dict) -> list[str]:
    """The columns a person types words into: strings that are no id, key, enum or address."""
    keys = set(resource["schema"].get("primaryKey", []))
    keys |= {f for fk in resource["schema"].get("foreignKeys", []) for f in ([fk["fields"]] if isinstance(
        fk["fields"], str) else fk["fields"])}
    return [f["name"] for f in resource["schema"]["fields"]
            if f.get("type", "string") == "string" and "enum" not in f.get("constraints", {})
            and "format" not in f and "pattern" not in f.get("constraints", {})
            and f["name"] not in keys and not f["name"].endswith("_id")]


def _set(data, name: str, key: str, value: str, column: str, text: str) -> None:
    records = read(data, name)
    row = next(r for r in records[1:] if r[records[0].index(key)] == value)
    row[records[0].index(column)] = text
    write(data, name, records)


def _poison(data) -> None:
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        records, columns = read(data, resource["path"]), _free_text(resource)
        for row in records[1:3]:
            for number, column in enumerate(columns):
                at = records[0].index(column)
                if row[at]:
                    row[at] = f"{row[at]} {PAYLOADS[number % len(PAYLOADS)]}"
        write(data, resource["path"], records)
    _set(data, "organizations.csv", "org_id", "giant-oak", "short_name", GIANT_OAK)
    _set(data, "organizations.csv", "org_id", "thomson-reuters", "name", THOMSON)
    _set(data, "sources.csv", "source_id", read(data, "sources.csv")[3][0], "title", TITLE)
    _set(data, "sources.csv", "source_id", read(data, "sources.csv")[3][0], "note", LONG)
    _set(data, "organizations.csv", "org_id", "palantir", "short_name", FORMULA)


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory):
    clone = fresh_clone(tmp_path_factory.mktemp("hostile") / "book")
    _poison(clone / "data")
    result = build(clone)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return clone / "_build"


def _as_written(text: str) -> str:
    """Text as a reader compares it with the data: typographic quotes (Sphinx's smartquotes) read as
    straight ones, and any run of white space (line breaks in table cells) as one space."""
    text = text.translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"\s+", " ", text)


def _soup(page) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def _counts(build_dir) -> dict[str, tuple[int, int]]:
    return {p.name: (len(_soup(p).select("div.vega-chart")), len(_soup(p).select("table")))
            for p in content_pages(build_dir)}


def test_every_page_keeps_its_charts_and_tables(hostile_book, built_book):
    assert _counts(hostile_book) == _counts(built_book)


@pytest.mark.parametrize("opened", ["from disk", "served"])
def test_every_page_opens_without_errors_and_draws_its_charts(hostile_book, opened):
    html = hostile_book / "html"
    browser = Browser()
    try:
        with serve(html) as served:
            base = served if opened == "served" else html.as_uri()
            reports = [browser.open(f"{base}/{p.relative_to(html).as_posix()}") for p in content_pages(hostile_book)]
    finally:
        browser.close()
    for report in reports:
        assert report.errors == [], f"{report.url}: console errors"
        assert [c for c in report.charts if not c["drawn"]] == [], f"{report.url}: charts not drawn"
    assert sum(len(r.charts) for r in reports) > 0


def test_no_page_has_a_live_script_link(hostile_book):
    for page in content_pages(hostile_book):
        for link in _soup(page).find_all(["a", "area", "iframe", "form"]):
            target = (link.get("href") or link.get("src") or link.get("action") or "").strip().lower()
            assert not target.startswith(("javascript:", "vbscript:", "data:text/html")), (page.name, target)
        for script in _soup(page).find_all("script"):  # data inside a script stays data (\u003c, not <)
            assert "alert(1)" not in script.get_text() or "<script>" not in script.get_text(), page.name


def test_the_markup_is_shown_as_text(hostile_book):
    pages = {p.name: _soup(p) for p in content_pages(hostile_book)}
    assert GIANT_OAK in _as_written(pages["data_brokers.html"].get_text())
    assert any(THOMSON in _as_written(soup.get_text()) for soup in pages.values())
    assert TITLE in _as_written(pages["references.html"].get_text())


def test_a_profile_shows_the_markup_as_text(hostile_book):
    """The profiles are written as HTML by the directory itself (directory/html.py), not by Sphinx."""
    for address, text in (("org/giant-oak", GIANT_OAK), ("org/thomson-reuters", THOMSON)):
        page = hostile_book / "html" / "book" / "directory" / f"{address}.html"
        soup = _soup(page)
        assert text in _as_written(soup.find("h1").get_text()) + _as_written(soup.select_one("dl").get_text())
        assert "<!--<script>" not in page.read_text(encoding="utf-8")
        assert "alert(1)" not in " ".join(s.get_text() for s in soup.find_all("script") if "<script>" in s.get_text())


def test_downloads_neutralise_formulas(hostile_book):
    found = False
    for page in content_pages(hostile_book):
        for link in _soup(page).select('a[download][href^="data:text/csv"]'):
            text = base64.b64decode(link["href"].split("base64,", 1)[1]).decode("utf-8")
            for row in csv.reader(io.StringIO(text, newline="")):
                assert not any(re.match(r"[=+\-@]", cell) for cell in row if not re.fullmatch(r"-?[\d.]+", cell))
                found = found or "'" + FORMULA in row
    assert found  # the payload reached a download, neutralised


def test_the_pdf_is_built_and_prints_the_title_as_written(hostile_book):
    text = _as_written("\n".join(page.extract_text() for page in PdfReader(hostile_book / "pdf" / PDF_NAME).pages))
    assert "\\input{/etc/passwd}" in text
    assert GIANT_OAK in text

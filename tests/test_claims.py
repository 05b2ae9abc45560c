"""Every figure the prose prints knows its rows and sources (issue 13): in the notebooks, in the HTML
notes (opened by click and by keyboard, from disk and served), in the PDF's per-chapter lists, in
claims.csv, and on the changes page when a fact moves between editions."""

import csv
import io
import json
import re
import unicodedata

import pytest
from browser import Browser
from bs4 import BeautifulSoup
from clones import build, fresh_clone
from csv_rows import set_row
from pypdf import PdfReader
from test_book_output import serve

from surveillance_book import claims
from surveillance_book.build import PDF_NAME
from surveillance_book.chapter import GLUE_MIME, ROWS_METADATA
from surveillance_book.claim_notes import INNER_QUOTES, typographic
from surveillance_book.execute import notebooks

CHAPTERS = notebooks()


def _glue_output(key: str, text: str, record: dict | None) -> dict:
    metadata = {"scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"}}
    if record is not None:
        metadata[ROWS_METADATA] = record
    return {"output_type": "display_data", "data": {GLUE_MIME: repr(text)}, "metadata": metadata}


def _notebook(markdown: str, *outputs: dict) -> dict:
    return {"cells": [{"cell_type": "markdown", "source": markdown},
                      {"cell_type": "code", "source": "", "outputs": list(outputs)}]}


ROW = {"table": "metrics", "id": "ident-identities"}


def test_a_figure_is_read_with_its_rows_in_the_order_printed():
    nb = _notebook("{eval}`prose.b` then {eval}`prose.a` and {eval}`prose.b` again",
                   _glue_output("a", "230 million", {"kind": "stated", "rows": [ROW]}),
                   _glue_output("b", "two", {"kind": "computed", "rows": [ROW, ROW], "rule": "count"}),
                   _glue_output("unprinted", "x", {"kind": "stated", "rows": [ROW]}))
    read = claims.read_notebook(nb, "databases")
    assert read.problems == []
    assert [(c.key, c.text, c.kind) for c in read.claims] == [("b", "two", "computed"), ("a", "230 million", "stated")]
    assert read.claims[1].rows == (("metrics", "ident-identities"),)


@pytest.mark.parametrize("output, problem", [
    (_glue_output("a", "230 million", {"kind": "stated", "rows": []}), "the stated figure `a` has no rows"),
    (_glue_output("a", "two", {"kind": "computed", "rows": [], "rule": "count"}),
     "the computed figure `a` has no rows"),
    (_glue_output("a", "230 million", None), "`a` is glued without its rows"),
    (_glue_output("b", "x", {"kind": "stated", "rows": [ROW]}), "the prose prints `a`, which no cell glues"),
])
def test_a_figure_without_rows_is_a_problem_naming_chapter_and_key(output, problem):
    found = claims.read_notebook(_notebook("It holds {eval}`prose.a`.", output), "databases").problems
    assert len(found) == 1 and found[0].startswith("notebooks/databases.ipynb: ") and problem in found[0], found


def test_parameters_and_not_known_need_no_rows():
    nb = _notebook("{eval}`prose.as_of` {eval}`prose.later`",
                   _glue_output("as_of", "31 January 2019", {"kind": "parameter", "rows": []}),
                   _glue_output("later", "(not known by this date)", {"kind": "not known", "rows": []}))
    assert claims.read_notebook(nb, "cloud").problems == []


@pytest.fixture(scope="module")
def facts():
    return claims.Facts()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_printed_figure_has_rows_that_exist_and_sources(path, facts):
    read = claims.read(path)
    assert read.problems == []
    figures = [c for c in read.claims if c.is_figure]
    assert figures, "the chapter prints no figure"
    for claim in figures:
        missing = [r for r in claim.rows if facts.row(*r) is None]
        assert not missing, f"{claim.key}: rows not in data/: {missing}"
        assert claims.note(claim, facts).sources, f"{claim.key}: no source"


def test_the_register_follows_the_notebooks_and_the_data(facts):
    rows = claims.register_rows([claims.read(p) for p in CHAPTERS], facts, "9.9.9")
    by_key = {(r["chapter"], r["key"]): r for r in rows}
    cloud = by_key[("cloud", "cloud_leader_count")]
    assert cloud["rows"] == "metrics:amazon-dhs-authorizations"
    assert cloud["value"] == facts.row("metrics", "amazon-dhs-authorizations").value
    assert cloud["kind"] == "stated" and cloud["edition"] == "9.9.9" and cloud["sources"]
    hedged = by_key[("databases", "hart_identities")]
    assert hedged["hedge"] == facts.row("metrics", "hart-identities-capacity").hedge != ""
    computed = [r for r in rows if r["kind"] == "computed"]
    assert computed and all(r["rule"] and r["rows"] for r in computed)


# --- the built book -------------------------------------------------------------------------------------
def test_a_chapter_is_read_again_for_a_row_its_notes_show_and_only_for_one(data_copy):
    """Sphinx reads a chapter again when the file of what its notes show of the data changed (it depended on
    every data file: a changed row made every chapter be read again, at 50 times the data a minute)."""
    from surveillance_book.claim_notes import notes_data

    def shown() -> dict[str, str]:
        known = claims.Facts(data_copy)
        return {p.stem: notes_data(p, known) for p in CHAPTERS}

    before = shown()
    first_tie = next(csv.DictReader((data_copy / "relationships.csv").open(encoding="utf-8")))["relationship_id"]
    set_row(data_copy / "relationships.csv", first_tie, detail="a detail no note shows")
    assert shown() == before
    set_row(data_copy / "metrics.csv", "ident-identities", value_low="240000000", value_high="240000000")
    after = shown()
    citing = {p.stem for p in CHAPTERS if any(("metrics", "ident-identities") in c.rows for c in claims.read(p).claims)}
    assert citing and citing != {p.stem for p in CHAPTERS}
    assert {k for k in before if after[k] != before[k]} == citing
    assert all("240,000,000" in after[k] for k in citing)


def _register(built_book) -> list[dict]:
    return list(csv.DictReader(io.StringIO((built_book / claims.REGISTER_NAME).read_text(encoding="utf-8"))))


def _page(built_book, chapter: str) -> BeautifulSoup:
    return BeautifulSoup((built_book / "html" / "notebooks" / f"{chapter}.html").read_text(encoding="utf-8"),
                         "html.parser")


def _as_written(text: str) -> str:
    """Text as a reader compares it with the data: Sphinx's typographic quotes read as straight ones."""
    return re.sub(r"\s+", " ", text.translate(str.maketrans("‘’“”", "''\"\"")))


def _printed(soup: BeautifulSoup) -> set[str]:
    return {_as_written(b.get_text()) for b in soup.select("span.claim-figure")}


@pytest.mark.parametrize("chapter", [p.stem for p in CHAPTERS])
def test_every_figure_on_the_page_is_in_claims_csv_and_nothing_else(built_book, chapter):
    register = [r for r in _register(built_book) if r["chapter"] == chapter]
    assert register
    assert _printed(_page(built_book, chapter)) == {_as_written(r["text"]) for r in register}


def test_the_register_is_published_with_the_html(built_book):
    published = built_book / "html" / "_static" / claims.REGISTER_NAME
    assert published.read_bytes() == (built_book / claims.REGISTER_NAME).read_bytes()


@pytest.mark.parametrize("chapter", [p.stem for p in CHAPTERS])
def test_every_note_names_rows_and_its_links_resolve(built_book, chapter):
    soup = _page(built_book, chapter)
    references = BeautifulSoup((built_book / "html" / "book" / "references.html").read_text(encoding="utf-8"),
                               "html.parser")
    for button in soup.select("span.claim-figure"):
        note = soup.find(id=button["aria-describedby"])
        assert note is not None and note.get_text(strip=True)
        for link in note.find_all("a"):
            target, _, anchor = link["href"].partition("#")
            if target == "":
                assert soup.find(id=anchor), f"{button.get_text()}: no row {anchor} on the page"
            elif target.endswith("references.html"):
                assert references.find(id=anchor), f"{button.get_text()}: no source {anchor}"
            else:
                assert (built_book / "html" / "notebooks" / target).resolve().is_file(), link["href"]
    linked_rows = [a for a in soup.select(".claim-note a") if a["href"].startswith("#row-")]
    assert linked_rows, "no note links a row of the page's tables"


def test_a_computed_figure_says_so_with_its_rule(built_book):
    register = {r["key"]: r for r in _register(built_book) if r["chapter"] == "cloud"}
    soup = _page(built_book, "cloud")
    button = next(b for b in soup.select("span.claim-figure") if b.get_text() == register["palantir_yearly"]["text"])
    note = soup.find(id=button["aria-describedby"]).get_text()
    assert "Computed by the book" in note and register["palantir_yearly"]["rule"] in note


def test_the_pdf_lists_where_each_chapters_figures_come_from(built_book):
    pages = PdfReader(built_book / "pdf" / PDF_NAME).pages
    lines = [line for page in pages for line in page.extract_text().split("\n")]
    # without the running heads ("3.5. Where the figures come from 34", the book and edition) of continued pages
    running_head = re.compile(r"\d+\.\d+\. .* \d+|High-Tech Surveillance of Immigrants, Edition .*")
    text = "\n".join(line for line in lines if not running_head.fullmatch(line))
    # compared without white space: pypdf loses the spaces of tightly justified lines; NFKC reads "ﬁ" as "fi"
    bare = lambda t: re.sub(r"\s+", "", _as_written(unicodedata.normalize("NFKC", t)))  # noqa: E731
    text = bare(text.replace("-\n", ""))
    assert text.count(bare("Where the figures come from")) >= 2 * len(CHAPTERS)  # the contents and each chapter
    for row in _register(built_book):
        if row["kind"] in claims.FIGURE_KINDS:
            # printed with the printer's quotes: a quote inside the quoted figure becomes a single one
            assert bare(f'"{typographic(row["text"]).translate(INNER_QUOTES)}"') in text, row["key"]


def test_the_html_pages_have_no_figures_list(built_book):
    assert "Where the figures come from" not in (built_book / "html" / "notebooks" / "cloud.html").read_text()


NOTE_SHOWN = """(() => { const el = document.activeElement;
  const claim = el && el.closest('.claim');
  return claim ? getComputedStyle(claim.querySelector('.claim-note')).display : 'no claim focused'; })()"""


@pytest.mark.parametrize("opened", ["served", "from disk"])
def test_notes_open_by_click_and_by_keyboard(built_book, opened):
    with serve(built_book / "html") as served:
        base = served if opened == "served" else (built_book / "html").as_uri()
        browser = Browser()
        try:
            browser.set_viewport(1280, 1000)
            browser.navigate(f"{base}/notebooks/cloud.html")
            hidden = "getComputedStyle(document.querySelector('.claim-note')).display"
            assert browser.evaluate(hidden) == "none"
            # keyboard: Tab from the top of the page reaches a figure, and its note shows
            for _ in range(300):
                browser.press_tab()
                if browser.evaluate("document.activeElement.classList.contains('claim-figure')"):
                    break
            else:
                pytest.fail("no figure is reachable with Tab")
            assert browser.evaluate(NOTE_SHOWN) == "block"
            described = browser.evaluate(
                "document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent")
            assert "data/" in described or "parameter" in described
            # mouse: a click on another figure opens its note (the open note closed first, as a click
            # elsewhere closes it: it may cover the line below)
            browser.evaluate("document.activeElement.blur()")
            assert browser.evaluate("getComputedStyle(document.querySelector('.claim-note')).display") == "none"
            # a figure past the first whose note links to its rows (a parameter's note has no link)
            other = ("[...document.querySelectorAll('span.claim-figure')].filter((f, k) => k > 0 && document"
                     ".getElementById(f.getAttribute('aria-describedby')).querySelector('a'))[0]")
            x, y = browser.evaluate(f"""(() => {{ const b = {other};
                b.scrollIntoView({{block: 'center'}}); const r = b.getBoundingClientRect();
                return [r.x + r.width / 2, r.y + r.height / 2]; }})()""")
            browser.click(x, y)
            assert browser.evaluate(f"document.activeElement === {other}")
            assert browser.evaluate(NOTE_SHOWN) == "block"
            # the note's row link is the next stop for the keyboard, and the note stays open on it
            browser.press_tab()
            assert browser.evaluate("document.activeElement.closest('.claim-note') !== null")
            assert browser.evaluate(NOTE_SHOWN) == "block"
            from browser import problems
            errors, failed = problems(browser.events)
            assert errors == [] and failed == []
        finally:
            browser.close()


# --- a fact changed between editions --------------------------------------------------------------------
def _git(repo, *args):
    import subprocess

    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True,
                   capture_output=True)


def test_a_changed_fact_is_listed_among_the_changed_claims(tmp_path):
    import datetime

    from surveillance_book.edition import write_edition

    clone = fresh_clone(tmp_path / "book")
    _git(clone, "commit", "-q", "--allow-empty", "-am", "edition as tested")  # a clean tree has nothing to add
    _git(clone, "tag", "v0.0.1")
    write_edition("0.0.2", datetime.date(2026, 12, 31), clone / "CITATION.cff")
    metrics = clone / "data" / "metrics.csv"
    text = metrics.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("amazon-dhs-authorizations,"))
    assert ",110,110," in old
    metrics.write_text(text.replace(old, old.replace(",110,110,", ",111,111,")), encoding="utf-8")

    result = build(clone, "--no-pdf")
    assert result.returncode == 0, result.stderr[-3000:]
    page = BeautifulSoup((clone / "_build" / "html" / "book" / "changes.html").read_text(encoding="utf-8"),
                         "html.parser")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in page.find_all("tr")]
    assert ["cloud", "cloud_leader_count", "110", "111"] in rows
    assert not [r for r in rows if len(r) == 4 and r[0] == "databases"], "a chapter that did not change is listed"
    register = (clone / "_build" / claims.REGISTER_NAME).read_text(encoding="utf-8")
    assert "0.0.2,cloud,cloud_leader_count,111,stated" in register


def test_a_figure_glued_without_rows_stops_the_build(tmp_path):
    clone = fresh_clone(tmp_path / "book")
    path = clone / "notebooks" / "cloud.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == "cloud_leader_count":
                output["metadata"][ROWS_METADATA]["rows"] = []
    path.write_text(json.dumps(nb), encoding="utf-8")
    result = build(clone, "--no-execute", "--no-pdf")
    assert result.returncode == 1
    assert "notebooks/cloud.ipynb: the stated figure `cloud_leader_count` has no rows" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("BUILD FAILED: 1 printed figure(s) without")
    assert not (clone / "_build" / "html").exists()

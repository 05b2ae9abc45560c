"""The PDF is fit to print and cite (issue 11, section 2): no code and no screen instructions, unnumbered
front and back matter, author-year citations that match the list of sources. The HTML keeps the
parameters cell, folded, and the screen-only lines."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from surveillance_book.build import PDF_NAME
from surveillance_book.execute import notebooks
from surveillance_book.print_edition import SCREEN_ONLY

BACK_MATTER = ["Method", "About this book", "How to cite", "What changed in this edition", "Sources"]
SCREEN_WORDS = re.compile(r"\b(hover\w*|tooltips?|mouse|click\w*)\b", re.I)


@pytest.fixture(scope="module")
def pdf_pages(built_book) -> list[str]:
    return [page.extract_text() for page in PdfReader(built_book / "pdf" / PDF_NAME).pages]


def _flat(text: str) -> str:
    return " ".join(text.replace("-\n", "").split())


def _report(pages: list[str]) -> str:
    """The report's chapters: from the first chapter to the back matter (the introduction describes the
    HTML edition's charts; "About this book" shows, as documentation, how to rerun a chapter)."""
    first = next(i for i, page in enumerate(pages) if "OVERVIEW: ONE NETWORK" in page.upper() and i > 2)
    last = next(i for i, page in enumerate(pages) if i > first and re.search(r"^\s*METHOD\s*$", page, re.M | re.I))
    return _flat("\n".join(pages[first:last]))


def test_no_code_in_the_chapters(pdf_pages):
    text = _report(pdf_pages)
    assert "papermill" not in text
    assert not re.search(r"\b(as_of|highlight|data_dir) = ", text), "a parameters cell is printed"


def test_no_screen_instructions_in_the_pdf(pdf_pages):
    found = SCREEN_WORDS.findall(_report(pdf_pages))
    assert found == [], found


def test_front_and_back_matter_are_unnumbered(pdf_pages):
    lines = [line.strip() for page in pdf_pages[1:4] for line in page.splitlines()]  # the contents
    titles = {line.rsplit(" ", 1)[0]: line for line in lines if re.fullmatch(r".+ [ivx\d]+", line)}
    assert "Introduction" in titles
    for title in BACK_MATTER:
        assert title in titles, f"{title!r} is not in the contents, or is numbered: {lines}"
    assert not re.search(r"CHAPTER\s+(SEVEN|EIGHT|NINE|TEN|ELEVEN)", "\n".join(pdf_pages).upper())
    # the back matter lists its chapters only: the changelog's editions are no sections of the contents
    assert not [line for line in lines if re.match(r"\d+\.\d+ \d+\.\d+\.\d+", line)]


def test_the_sources_page_holds_the_list(pdf_pages):
    start = max(i for i, page in enumerate(pdf_pages) if page.strip().upper().startswith("SOURCES")
                or "\nSOURCES\n" in page.upper())
    sources = _flat("\n".join(pdf_pages[start:]))
    entries = re.sub(r"\s", "", sources.split("Every fact in this book")[1])  # pypdf drops some spaces
    assert "ACLU(AmericanCivilLibertiesUnion).2013." in entries[:3000]
    assert not re.search(r"\[\d+\]", sources), "numbered labels beside author-year entries"


def test_citations_are_author_year_and_short(pdf_pages):
    text = _report(pdf_pages)
    # the report is known through the AFSC page only: never cited as if read (issue 11)
    assert "(AFSC 2019; Mijente et al. 2018, as cited in AFSC 2019)" in text
    assert not re.search(r"Mijente et al\. ?2018[;)]", text), "the report cited as if read directly"
    assert "[American Friends Service Committee" not in text
    assert "Immigrant Defense Project, 2018]" not in text


def test_the_html_keeps_the_parameters_folded_and_the_screen_lines(built_book):
    screen_only = 0
    for path in notebooks():
        page = built_book / "html" / "notebooks" / (path.stem + ".html")
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        cell = soup.select_one(".cell.tag_parameters")
        assert cell is not None and cell.select_one("details") is not None, f"{path.name}: not folded"
        assert "papermill" in cell.get_text()
        screen_only += len(soup.select(f".{SCREEN_ONLY}"))
    marked = sum(f":class: {SCREEN_ONLY}" in "".join(c["source"]) for p in notebooks()
                 for c in json.loads(p.read_text(encoding="utf-8"))["cells"])
    assert screen_only == marked >= 1


def test_the_html_lists_sources_without_numbers(built_book):
    soup = BeautifulSoup((built_book / "html" / "book" / "references.html").read_text(encoding="utf-8"), "html.parser")
    entries = soup.select("div.citation")
    assert entries and entries[0].p.get_text().startswith("ACLU (American Civil Liberties Union). ")
    css = (built_book / "html" / "_static" / "citations.css").read_text(encoding="utf-8")
    assert "span.label { display: none; }" in css
    assert "citations.css" in str(soup.find_all("link"))


def test_the_about_page_shows_no_command_in_the_pdf(pdf_pages, built_book):
    """Issue 11: the rerun command stays in HTML (a screen-only block); the PDF says in words where to find it."""
    text = _flat("\n".join(pdf_pages))
    assert "papermill" not in text and ".venv/bin" not in text and "make lab" not in text
    assert "each chapter there opens with a folded box that says how to rerun it" in text
    soup = BeautifulSoup((built_book / "html" / "book" / "about.html").read_text(encoding="utf-8"), "html.parser")
    block = soup.select_one(f"div.{SCREEN_ONLY}")
    assert block is not None and "papermill" in block.get_text() and block.select_one("pre")


def test_no_straight_apostrophe_inside_a_word(pdf_pages):
    """Review of the PDF: the list of sources and the index printed "Who's", "Sheriff's" typed straight."""
    found = sorted({m.group() for page in pdf_pages for m in re.finditer(r"\w+'\w+", page)})
    assert found == [], found


def test_index_targets_are_left_out_of_print_and_other_targets_kept():
    """Sphinx's LaTeX writer prints nothing for an index entry's target but looks for the node after each
    one through its parent's children: with the directory index's thousands of entries side by side the
    PDF's build grew with their square. Those targets go; a label (a target with a name) stays."""
    from docutils import nodes
    from sphinx import addnodes

    from surveillance_book.print_edition import without_index_targets

    section = nodes.section()
    for n in range(3):
        section += [addnodes.index(entries=[("single", f"entry {n}", f"index-{n}", "", None)]),
                    nodes.target("", "", ids=[f"index-{n}"])]
    passed_on = nodes.target("", "", refid="index-7")  # docutils moved its id to the node after it
    label = nodes.target("", "", ids=["index-9"], names=["a-label"])
    link = nodes.target("", "", refid="a-label")
    section += [passed_on, label, link, nodes.paragraph(text="words")]
    without_index_targets(section)
    assert [type(c).__name__ for c in section.children] == ["index"] * 3 + ["target", "target", "paragraph"]
    assert section[3] is label and section[4] is link

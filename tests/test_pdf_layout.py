"""The PDF's typesetting (issue 11, section 2), as a reader sees it: table cells ragged-right, not justified
with wide gaps; ISO dates never broken across lines; no page left near-empty because a figure did not fit
below its text; no figure or caption over the page foot."""

import re
import subprocess

import pytest
from docutils import nodes

from surveillance_book.build import PDF_NAME
from surveillance_book.print_edition import PREAMBLE, unbreakable_dates

RUNNING_HEAD = "High-Tech Surveillance of Immigrants, Edition"
BROKEN_DATE = re.compile(r"(?<![\w-])\d{4}-\s*\n\s*\d{2}(?:-\d{2})?\b|(?<![\w-])\d{4}-\d{2}-\s*\n\s*\d{2}\b")
HEADING = re.compile(r"\\(chapter|section|subsection|subsubsection)\*?\{")  # bookmarks: dates left as written
MIN_FILL = 0.7  # of a page's text area, on every page that does not end a chapter


def test_a_date_becomes_one_unbreakable_box():
    section = nodes.section()
    section += nodes.title(text="As of 2019-01-31")
    cell = nodes.paragraph(text="signed 2018-08-01 (falcon-sa-2018-11, 2013-2018, 2019-01); 2018-08-01")
    tgroup = nodes.tgroup("", nodes.colspec(colwidth=6), nodes.colspec(colwidth=6),
                          nodes.tbody("", nodes.row("", nodes.entry("", nodes.paragraph(text="HART")),
                                                    nodes.entry("", cell))))
    table = nodes.table("", tgroup)
    code = nodes.paragraph("", "", nodes.literal(text="as_of=2018-06-30"))
    section += [table, code]
    unbreakable_dates(section)
    assert [n.astext() for n in cell.children] == [
        "signed ", r"\mbox{2018-08-01}", " (falcon-sa-2018-11, 2013-2018, ", r"\mbox{2019-01}", "); ",
        r"\mbox{2018-08-01}"]
    assert all(isinstance(n, nodes.raw) and n["format"] == "latex" for n in cell.children[1::2])
    assert [c["colwidth"] for c in tgroup.findall(nodes.colspec)] == [6, 12]  # room for "2018-08-01"
    assert section[0].astext() == "As of 2019-01-31"  # a heading is a PDF bookmark: left as it is
    assert code.astext() == "as_of=2018-06-30"


@pytest.fixture(scope="module")
def latex(built_book) -> str:
    return (built_book / ".work" / "pdf" / "_build" / "latex" / "book.tex").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def latex_log(built_book) -> str:
    return (built_book / ".work" / "pdf" / "_build" / "latex" / "book.log").read_text(encoding="latin-1")


@pytest.fixture(scope="module")
def pdf(built_book):
    return built_book / "pdf" / PDF_NAME


def test_table_cells_are_ragged_right(latex, latex_log):
    assert r"\newcolumntype{\X}[2]{>{\RaggedRight\arraybackslash}p{" in PREAMBLE
    assert r"\newcolumntype{\X}[2]{>{\RaggedRight" in latex
    specs = re.findall(r"\\begin\{longtable\}(?:\[\w\])?\{(.*)\}\n", latex)
    assert specs and all(re.fullmatch(r"(\|?\\[XY]\{[\d.]+\}(\{\d+\})?)+\|?", s) for s in specs), specs
    # justified narrow cells are what TeX reports as underfull lines: hundreds of them before
    underfull = latex_log.count("Underfull \\hbox")
    assert underfull < 50, f"{underfull} underfull lines: justified table cells?"


def test_dates_are_never_broken(latex, pdf):
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "2018-08-01" in text
    broken = BROKEN_DATE.findall(text)
    assert broken == [], broken
    # in the LaTeX, every date in the text is a box; a bare one would be written with breakable hyphens
    assert r"\mbox{2018-08-01}" in latex
    body = "\n".join(line for line in latex.splitlines() if not HEADING.match(line))
    bare = re.findall(r"(?<![\w}])\d{4}\\sphinxhyphen\{\}\d{2}(?:\\sphinxhyphen\{\}\d{2})?(?!\d|\\sphinxhyphen)", body)
    assert bare == [], bare


def _grey_pages(pdf, tmp_path) -> list[tuple[int, int, bytes]]:
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(tmp_path / "p")], check=True)
    pages = []
    for path in sorted(tmp_path.glob("p-*.pgm")):
        data = path.read_bytes()
        _, width, height, _, pixels = data.split(maxsplit=4)
        width, height = int(width), int(height)
        pages.append((width, height, pixels[-width * height:]))
    return pages


def _fill(width: int, height: int, pixels: bytes) -> float | None:
    """How far down the text area (between the running head's rule and the foot's rule) the page is used."""
    dark = [sum(p < 160 for p in pixels[r * width:(r + 1) * width]) for r in range(height)]
    rules = [r for r, n in enumerate(dark) if n > 0.6 * width]
    head, foot = [r for r in rules if r < 0.2 * height], [r for r in rules if r > 0.8 * height]
    if not head or not foot:
        return None
    top, bottom = max(head) + 1, min(foot) - 1
    used = [r for r in range(top, bottom) if dark[r]]
    return (max(used) - top) / (bottom - top) if used else 0.0


def test_no_page_is_left_near_empty(pdf, tmp_path):
    """A page that does not end a chapter is filled: a figure that does not fit below the text is scaled
    to fit or floats to the next page while the text fills this one."""
    texts = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    pages = _grey_pages(pdf, tmp_path)
    with_head = [RUNNING_HEAD in t.strip().split("\n", 1)[0] for t in texts[:len(pages)]]
    short = []
    for i, page in enumerate(pages[:-1]):
        if with_head[i] and with_head[i + 1]:  # neither a chapter's first page nor its last
            fill = _fill(*page)
            if fill is not None and fill < MIN_FILL:
                short.append((i + 1, round(fill, 2)))
    assert short == [], f"pages (number, share of the text area used) left near-empty: {short}"


def test_no_figure_runs_over_the_page_foot(latex_log):
    assert "Overfull \\vbox" not in latex_log
    assert "Float too large" not in latex_log

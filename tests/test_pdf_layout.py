"""The PDF's typesetting (issue 11, section 2), as a reader sees it: table cells, captions and the lists of
where the figures come from ragged-right, not justified with wide gaps; dates never broken across lines; no
space before a comma after a linked name; printer's quotes in those lists; the edition at the head of every
page; no long table starting at a page's foot; no page left near-empty; no figure or caption over the foot."""

import re
import subprocess
from pathlib import Path

import pytest
from docutils import nodes

from surveillance_book import print_edition
from surveillance_book.build import PDF_NAME
from surveillance_book.claim_notes import LIST_TITLE, typographic
from surveillance_book.print_edition import (
    PREAMBLE,
    PRINT_CELL_CHARS,
    PRINT_ROWS,
    TABLE_CONTINUED,
    TABLE_CONTINUES,
    typographic_apostrophes,
    unbreakable_dates,
)

RUNNING_HEAD = "High-Tech Surveillance of Immigrants, Edition"
BROKEN_DATE = re.compile(r"(?<![\w-])\d{4}-\s*\n\s*\d{2}(?:-\d{2})?\b|(?<![\w-])\d{4}-\d{2}-\s*\n\s*\d{2}\b")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# "September" / "2017" on two lines, or "Decem-" / "ber 2017"
BROKEN_MONTH_DATE = re.compile(rf"\b(?:{MONTHS})\s*\n\s*\d{{4}}\b|\b[A-Z][a-z]+-\n[a-z]+ \d{{4}}\b")
SPACE_BEFORE_PUNCTUATION = re.compile(r"\w [,.](?=\s)|\w \)")  # "HART , which"; the index's "(IDENT )"
HEADING = re.compile(r"\\(chapter|section|subsection|subsubsection)\*?\{")  # bookmarks: dates left as written
# of a page's text area, on every page that does not end a chapter (a page before a table of two tall rows,
# moved whole to the next page rather than split after its first row, is 0.6996 full)
MIN_FILL = 0.69


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


def test_apostrophes_inside_words_print_as_apostrophes_but_row_ids_stay_as_written():
    from sphinx import addnodes

    def row(*cells):
        return nodes.row("", *(nodes.entry("", nodes.paragraph(text=c)) for c in cells))

    tgroup = nodes.tgroup("", nodes.colspec(colwidth=9), nodes.colspec(colwidth=9),
                          nodes.thead("", row("title", "row")),
                          nodes.tbody("", row("Who's Behind ICE?", "o'neil-2018")))
    text = nodes.paragraph(text="AFSC's page, 'quoted'")
    code = nodes.paragraph("", "", nodes.literal(text="book.name('ice')"))
    index = addnodes.index(entries=[("single", "Sheriff's Department", "id1", "", None)])
    section = nodes.section("", nodes.table("", tgroup), text, code, index)
    typographic_apostrophes(section)
    assert [e.astext() for e in tgroup.findall(nodes.entry)] == ["title", "row", "Who’s Behind ICE?", "o'neil-2018"]
    assert text.astext() == "AFSC’s page, 'quoted'"  # quotation marks are the writer's, not an apostrophe
    assert code.astext() == "book.name('ice')"
    assert index["entries"][0][1] == "Sheriff’s Department"


def test_a_month_and_year_become_one_unbreakable_box():
    cell = nodes.paragraph(text="since at least June 2018 (December 2017; May 3, 2018); may 2018, 2019; "
                                "June 2018–May 2019")
    tgroup = nodes.tgroup("", nodes.colspec(colwidth=6),
                          nodes.tbody("", nodes.row("", nodes.entry("", cell))))
    unbreakable_dates(nodes.table("", tgroup))
    assert [n.astext() for n in cell.children] == [
        "since at least ", r"\mbox{June 2018}", " (", r"\mbox{December 2017}", "; ", r"\mbox{May 3, 2018}",
        "); may 2018, 2019; ", r"\mbox{June 2018}", r"\textendash\allowbreak{}", r"\mbox{May 2019}"]
    assert tgroup[0]["colwidth"] == len("(December 2017;") + 2
    # the room for a date comes from a wide column if there is one: a narrow one keeps its share
    tgroup = nodes.tgroup("", nodes.colspec(colwidth=4), nodes.colspec(colwidth=10), nodes.colspec(colwidth=30),
                          nodes.tbody("", nodes.row("", nodes.entry(""), nodes.entry("", nodes.paragraph(
                              text="May 2018")), nodes.entry(""))))
    unbreakable_dates(nodes.table("", tgroup))
    assert [c["colwidth"] for c in tgroup.findall(nodes.colspec)] == [4, 10, 30]  # "May 2018" fits
    tgroup[1]["colwidth"] = 8
    unbreakable_dates(nodes.table("", tgroup))
    assert [c["colwidth"] for c in tgroup.findall(nodes.colspec)] == [4, 10, 28]


def test_the_figures_list_prints_printers_quotes():
    assert typographic('"IDENT is designed" (1994); Palantir\'s payments, 2013-2018; falcon-sa-2013-2018') == (
        "“IDENT is designed” (1994); Palantir’s payments, 2013–2018; falcon-sa-2013-2018")
    assert typographic("'a' and the 'b'") == "‘a’ and the ‘b’"


@pytest.fixture(scope="module")
def latex(built_book) -> str:
    return (built_book / ".work" / "pdf" / "_build" / "latex" / "book.tex").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def latex_log(built_book) -> str:
    return (built_book / ".work" / "pdf" / "_build" / "latex" / "book.log").read_text(encoding="latin-1")


@pytest.fixture(scope="module")
def pdf(built_book):
    return built_book / "pdf" / PDF_NAME


@pytest.fixture(scope="module")
def chapter_starts(built_book) -> set[str]:
    """The printed page numbers on which a chapter (or the introduction, or a back-matter page) starts."""
    toc = (built_book / ".work" / "pdf" / "_build" / "latex" / "book.toc").read_text(encoding="utf-8")
    return set(re.findall(r"^\\contentsline \{chapter\}\{.*\}\{(\w+)\}\{[^{}]*\}%$", toc, re.M))


@pytest.fixture(scope="module")
def page_texts(pdf) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")


def _page_number(text: str) -> str | None:
    lines = text.strip().splitlines()
    return lines[-1].split()[-1] if lines and len(lines) > 1 else None


def test_table_cells_are_ragged_right(latex, latex_log):
    assert r"\newcolumntype{\X}[2]{>{\RaggedRight\hts@rowend}p{" in PREAMBLE
    assert r"\newcolumntype{\X}[2]{>{\RaggedRight" in latex
    specs = re.findall(r"\\begin\{longtable\}(?:\[\w\])?\{(.*)\}\n", latex)
    assert specs and all(re.fullmatch(r"(\|?\\[XY]\{[\d.]+\}(\{\d+\})?)+\|?", s) for s in specs), specs
    # justified narrow cells are what TeX reports as underfull lines: hundreds of them before
    underfull = latex_log.count("Underfull \\hbox")
    assert underfull < 50, f"{underfull} underfull lines: justified table cells?"


def test_dates_are_never_broken(latex, pdf):
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "August 2018" in text
    broken = BROKEN_DATE.findall(text) + BROKEN_MONTH_DATE.findall(text)
    assert broken == [], broken
    # in the LaTeX, every date in the text is a box; a bare one would be written with breakable hyphens
    assert r"\mbox{August 2018}" in latex
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


def test_no_page_is_left_near_empty(pdf, page_texts, chapter_starts, tmp_path):
    """A page that does not end a chapter is filled: a figure that does not fit below the text is scaled
    to fit or floats to the next page while the text fills this one."""
    pages = _grey_pages(pdf, tmp_path)
    starts = [_page_number(t) in chapter_starts for t in page_texts[:len(pages)]]
    assert sum(starts) == len(chapter_starts) >= 10
    short = []
    for i, page in enumerate(pages[:-1]):
        if not starts[i] and not starts[i + 1]:  # neither a chapter's first page nor its last
            fill = _fill(*page)
            if fill is not None and fill < MIN_FILL:
                short.append((i + 1, round(fill, 2)))
    assert short == [], f"pages (number, share of the text area used) left near-empty: {short}"


def test_no_figure_runs_over_the_page_foot(latex_log):
    assert "Overfull \\vbox" not in latex_log
    assert "Float too large" not in latex_log


def test_every_page_carries_the_edition(page_texts):
    """ "How to cite" says the edition is at the head of every page: a chapter's first page too."""
    without = [i + 1 for i, t in enumerate(page_texts[1:], 1) if t.strip()
               and RUNNING_HEAD not in t.strip().split("\n", 1)[0]]
    assert without == [], f"pages without the running head: {without}"


def test_no_space_before_a_comma_after_a_linked_name(latex, page_texts):
    assert r"\protected\def\sphinxtermref#1{\emph{#1\nocorr}}" in PREAMBLE
    assert r"\sphinxtermref{\DUrole{xref,std,std-term}{HART}}}}, which" in latex  # the case the reader found
    lines = [line for t in page_texts for line in t.splitlines() if ". . ." not in line]  # not the contents' dots
    found = [m.group() for line in lines for m in SPACE_BEFORE_PUNCTUATION.finditer(line + " ")]
    assert found == [], found


def test_captions_and_figure_lists_are_ragged_right(latex, page_texts):
    assert r"\RaggedRight#1{#2: }#3" in PREAMBLE and r"{\RaggedRight#1: #2\par}" in PREAMBLE
    lists = latex.split(r"\section{" + LIST_TITLE)[1:]
    assert lists and all(r"\begin{RaggedRight}" in part.split(r"\end{enumerate}")[0] for part in lists)
    assert r"/\allowbreak{}" in latex  # long paths and ids break after "/"
    listed = "\n".join(t.split(LIST_TITLE, 1)[1] for t in page_texts if LIST_TITLE in t and ". . ." not in t)
    assert "“" in listed and '"' not in listed and "'" not in listed, "straight quotes in a list of figures"


def test_no_long_table_starts_at_a_page_foot(page_texts):
    """A table that starts on a page and goes on to the next shows its caption, its head and some rows on
    the first page, not the caption alone or one row (nor only "the table continues")."""
    scraps = []
    for i, text in enumerate(page_texts):
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if TABLE_CONTINUES not in lines:
            continue
        end = lines.index(TABLE_CONTINUES)
        started = [j for j, line in enumerate(lines[:end]) if re.match(r"Table \d+\.\d+: ", line)]
        if not started and not any(re.match(rf"Table \d+\.\d+ – {TABLE_CONTINUED}$", line) for line in lines[:end]):
            scraps.append((i + 1, "no table on the page"))
        elif started and end - started[-1] < 6:  # caption, head and three rows of a line or more
            scraps.append((i + 1, lines[started[-1]:end]))
    assert scraps == [], scraps


def test_a_long_table_says_it_continues_without_saying_where():
    """Review of the PDF: "continues on next page" above a page holding a figure. The template is Sphinx's
    own but for those words (a Sphinx upgrade that changes it fails here)."""
    import sphinx

    from surveillance_book.accessibility import TEMPLATES

    theirs = (Path(sphinx.__file__).parent / "templates" / "latex" / "longtable.tex.jinja").read_text()
    ours = (TEMPLATES / "longtable.tex.jinja").read_text()
    assert ours == theirs.replace("<%= _('continued from previous page') %>", TABLE_CONTINUED).replace(
        "<%= _('continues on next page') %>", TABLE_CONTINUES)
    assert ours != theirs


def _print_table(tmp_path, rows: list[tuple[str, str]], widths: str = "4 40") -> str:
    """The text of the PDF the print edition makes of a page holding one long table of two columns (a
    small Sphinx project of its own: the book's tables at scale, without building the book)."""
    from sphinx.cmd.build import build_main

    from surveillance_book.accessibility import TEMPLATES

    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text(
        "extensions = ['surveillance_book.print_edition']\n"
        f"templates_path = [{str(TEMPLATES)!r}]\n"
        "latex_documents = [('index', 'book.tex', 'Scale', 'Test', 'manual')]\n", encoding="utf-8")
    body = "\n".join(f"   * - {first}\n     - {second}" for first, second in rows)
    (source / "index.rst").write_text(
        "Scale\n=====\n\n.. list-table:: A long table\n   :class: longtable\n   :header-rows: 1\n"
        f"   :widths: {widths}\n\n   * - row\n     - text\n{body}\n", encoding="utf-8")
    out = tmp_path / "latex"
    assert build_main(["-q", "-b", "latex", str(source), str(out)]) == 0
    run = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "book.tex"], cwd=out,
                         capture_output=True, text=True)
    assert run.returncode == 0, (out / "book.log").read_text(encoding="latin-1")[-2000:]
    return subprocess.run(["pdftotext", str(out / "book.pdf"), "-"], capture_output=True, text=True).stdout


def test_a_table_cell_too_long_for_a_page_prints_in_part_and_says_so(tmp_path):
    """One subject's ties at 50 times the data fill one cell with thousands of lines: a row of a long table
    cannot break across pages, and TeX stopped ("Dimension too large"). In print such a cell keeps its start
    and says how much more the web edition and the data download hold; an ordinary cell prints whole."""
    huge = "; ".join(f"builds system {i}" for i in range(15000))
    text = _print_table(tmp_path, [(f"row {i}", huge if i == 3 else "an ordinary cell") for i in range(6)])
    assert "builds system 0;" in text and "builds system 14999" not in text
    more = len(huge) - len(huge[:PRINT_CELL_CHARS].rsplit(" ", 1)[0])
    assert f"printed in part: {more:,} more characters" in " ".join(text.split())
    assert text.count("an ordinary cell") == 5


def test_a_table_of_more_rows_than_print_holds_prints_its_first_and_says_so(tmp_path):
    """At 50 times the data a chapter's table has thousands of rows, and the PDF hundreds of pages of them,
    which every step of its build walked. In print a table keeps its first PRINT_ROWS rows and says how many
    it has; the web edition's table is whole."""
    from sphinx.cmd.build import build_main

    rows = PRINT_ROWS + 21
    text = _print_table(tmp_path, [(f"{i}", f"row number {i}") for i in range(rows)])
    assert all(f"row number {i}\n" in text for i in range(PRINT_ROWS))
    assert f"row number {PRINT_ROWS}\n" not in text and f"row number {rows - 1}\n" not in text
    said = " ".join(text.replace("\u2019", "'").split())
    assert (f"Printed here: the first {PRINT_ROWS:,} of the table's {rows:,} rows. The web edition shows them all, "
            "and the book's data download holds them.") in said
    assert build_main(["-q", "-b", "html", str(tmp_path / "source"), str(tmp_path / "html")]) == 0
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert f"row number {rows - 1}<" in page and "Printed here" not in page


def test_a_table_taller_than_tex_can_measure_prints_over_pages(tmp_path, monkeypatch):
    """The overview's dated events at 50 times the data are 1,200 rows of two lines: longtable sets a long
    table in chunks of rows, but the print edition's ragged-right cells ended rows as a plain tabular does,
    the rows were never counted, and the table was set as one box taller than TeX's largest length
    ("Dimension too large"). Every row prints, over as many pages as it takes, each part saying it continues
    (here with no limit to the rows printed: rows of long cells can make as tall a table)."""
    rows = 2000
    monkeypatch.setattr(print_edition, "PRINT_ROWS", rows)
    text = _print_table(tmp_path, [(f"{i}", f"2018-01-01 event number {i}") for i in range(rows)], widths="6 30")
    assert all(f"event number {i}\n" in text for i in range(rows))
    assert text.count(TABLE_CONTINUES) >= 20


def test_a_second_print_build_reads_no_page_again_and_never_the_web_only_ones(tmp_path, capsys):
    """The print edition leaves the profiles' folders out of its build; it did so by a setting Sphinx saved
    with its environment, so that the next build found its settings changed and read every page again (at
    50 times the data, a minute of the PDF's build after a one-row change)."""
    from sphinx.cmd.build import build_main

    from surveillance_book.print_edition import WEB_ONLY

    source = tmp_path / "source"
    (source / WEB_ONLY[0]).mkdir(parents=True)
    (source / WEB_ONLY[0] / "shell.rst").write_text(":orphan:\n\nShell\n=====\n\nWeb only.\n", encoding="utf-8")
    (source / "conf.py").write_text("extensions = ['surveillance_book.print_edition']\n"
                                    "latex_documents = [('index', 'book.tex', 'Print', 'Test', 'manual')]\n",
                                    encoding="utf-8")
    (source / "index.rst").write_text("Print\n=====\n\nA page.\n", encoding="utf-8")
    runs = []
    for _ in range(2):
        assert build_main(["-b", "latex", str(source), str(tmp_path / "latex")]) == 0
        runs.append(capsys.readouterr().out)
    assert "1 added, 0 changed, 0 removed" in runs[0] and "shell" not in runs[0]
    assert "0 added, 0 changed, 0 removed" in runs[1] and "config changed" not in runs[1]


def test_the_latex_is_kept_when_no_page_was_read_again_and_written_when_one_was(tmp_path, capsys):
    """A print build that reads no page again (a row no page shows changed) keeps the LaTeX of the last write,
    which would come out the same; a page read again, or a write that never finished, writes it again."""
    from sphinx.cmd.build import build_main

    from surveillance_book.print_edition import WRITTEN

    source, out = tmp_path / "source", tmp_path / "latex"
    source.mkdir()
    (source / "conf.py").write_text("extensions = ['surveillance_book.print_edition']\n"
                                    "latex_documents = [('index', 'book.tex', 'Print', 'Test', 'manual')]\n",
                                    encoding="utf-8")
    (source / "index.rst").write_text("Print\n=====\n\nThe first words.\n", encoding="utf-8")

    def build() -> tuple[int, str]:
        assert build_main(["-q", "-b", "latex", str(source), str(out)]) == 0
        return (out / "book.tex").stat().st_mtime_ns, (out / "book.tex").read_text(encoding="utf-8")

    first = build()
    assert build() == first and (out / WRITTEN).is_file()  # nothing read again: the LaTeX kept as it was
    (source / "index.rst").write_text("Print\n=====\n\nOther words.\n", encoding="utf-8")
    second = build()
    assert second[0] != first[0] and "Other words." in second[1]
    (out / WRITTEN).unlink()  # as a write stopped half-way leaves it
    (out / "book.tex").write_text("half a file", encoding="utf-8")
    assert "Other words." in build()[1]

"""The bibliography prints every title, publisher and note as written, whatever characters they hold."""


import pandas as pd
import pytest
from pybtex.database import parse_string
from pybtex.richtext import Text

from surveillance_book.data import load
from surveillance_book.references import BookStyle, decode, encode, entry, web_address

HOSTILE = [
    r"\input \/etc/passwd\ {x} } {",
    "$5 100% A&B #1 snake_case ~tilde ^caret",
    "C:\\users\\TR {{x}} \"q' 'a'' ``b`` --- -- !` ?` ,, << >>",
    "<!--<script>alert(1)</script> ]]> {{ glue }} `code` *emph* $$x$$",
    "é — ü ß 中文 \u2014 trailing\\",
    "x" * 3000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_decode_reads_back_what_encode_wrote(text):
    assert decode(encode(text)) == text


@pytest.mark.parametrize("text", [t.replace("{", "(").replace("}", ")") for t in HOSTILE])
def test_pybtex_reads_the_publisher_back_as_written(text):
    # the publisher goes through pybtex's own LaTeX decoding (as a name); the validator keeps braces out
    assert str(Text.from_latex(encode(text))) == text


def _source(**values) -> pd.Series:
    row = {"source_id": "s", "title": "T", "publisher": "P", "kind": "report", "published": pd.Timestamp("2018-08-01"),
           "published_precision": "month", "url": None, "note": None}
    return pd.Series(row | values)


def _printed(row: pd.Series) -> str:
    data = parse_string(entry(row), "bibtex")
    (formatted,) = BookStyle().format_entries(data.entries.values())
    return formatted.text.render_as("text")


@pytest.mark.parametrize("text", HOSTILE)
def test_a_title_and_a_note_print_as_written(text):
    printed = _printed(_source(title=text, note=text))
    assert printed.count(text) == 2, printed


def test_an_entry_prints_publisher_title_kind_date_and_address():
    printed = _printed(_source(title="Who's Behind ICE?", publisher="Mijente & co_op", url="https://example.org/a_b?c=1&d=%20"))
    assert printed == ("Mijente & co_op. 2018. Who's Behind ICE? Report, August 2018. "
                       "URL: https://example.org/a_b?c=1&d=%20")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//host/x",
                                 "https://a/{b}", "https://a/\\b"])
def test_only_web_addresses_are_linked(url):
    assert web_address(url) is None
    assert "URL" not in _printed(_source(url=url))


def bibtex_run(bib: str, keys: list[str], folder) -> tuple[int, str]:
    """Run the real ``bibtex`` program (TeX Live's, as installed for the PDF) with the plain style on ``bib``,
    citing ``keys``: its exit status and what it printed (its log)."""
    import shutil
    import subprocess

    program = shutil.which("bibtex")
    assert program, "bibtex is missing: scripts/ensure_system_packages.sh installs TeX Live"
    (folder / "references.bib").write_text(bib, encoding="utf-8")
    citations = "".join(f"\\citation{{{key}}}\n" for key in keys)
    (folder / "cite.aux").write_text(citations + "\\bibstyle{plain}\n\\bibdata{references}\n", encoding="utf-8")
    run = subprocess.run([program, "cite"], cwd=folder, capture_output=True, text=True)
    return run.returncode, run.stderr + (folder / "cite.blg").read_text(encoding="utf-8")  # the log repeats stdout


def test_bibtex_accepts_every_generated_entry_without_a_warning(tmp_path):
    from pybtex.database import parse_string

    from surveillance_book import edition as editions
    from surveillance_book.references import bibtex

    book = editions.bibtex(editions.edition())  # the cite page's @book
    bib = bibtex() + "\n" + book + "\n"
    keys = list(parse_string(bib, "bibtex").entries.keys())
    assert len(keys) == len(load("sources")) + 1
    status, log = bibtex_run(bib, keys, tmp_path)
    assert [line for line in log.splitlines() if "Warning--" in line] == []
    assert status == 0, log  # an error (a malformed entry) exits 2
    bbl = (tmp_path / "cite.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\bibitem") == len(keys)


@pytest.mark.parametrize(("bib", "warning"), [
    ("@misc{x, title = {T}, howpublished = {Report}}", "to sort, need author or key in x"),
    ("@book{x, author = {{A}}, title = {T}, edition = {1.0.0}, year = 2020}", "empty publisher in x"),
])
def test_the_bibtex_check_sees_what_the_old_entries_lacked(tmp_path, bib, warning):
    status, log = bibtex_run(bib + "\n", ["x"], tmp_path)
    assert [line for line in log.splitlines() if "Warning--" in line] == [f"Warning--{warning}"]
    assert status == 0  # bibtex exits 0 on warnings: the log is what tells


def test_the_text_and_the_list_cite_a_source_as_the_charts_name_it():
    from surveillance_book.chapter import Chapter
    from surveillance_book.references import label_years, short_author, short_names

    book, sources, short = Chapter("overview", as_of="2100-01-01"), load("sources"), short_names()
    years = label_years(sources, short)
    plain = {row["source_id"]: f"{short_author(row, short)} ({years[row['source_id']]})"
             for _, row in sources.iterrows()}
    for _, row in sources.iterrows():
        via = row["cited_by_id"]
        expected = plain[row["source_id"]] + (f", as cited in {plain[via]}" if pd.notna(via) else "")
        assert book.source_label(row["source_id"]) == expected
    labels = [book.source_label(s) for s in sources.source_id]
    assert len(set(labels)) == len(labels), "two sources a reader cannot tell apart"
    assert years["afsc-2019"] == "2019" and short_author(sources.set_index("source_id", drop=False)
                                                          .loc["mijente-2018"], short) == "Mijente et al."


def test_entries_cited_alike_are_lettered():
    from surveillance_book.references import label_years

    rows = pd.DataFrame([_source(source_id=i, title=t, publisher="P", published=pd.NaT) for i, t in
                         [("b", "Second"), ("a", "First"), ("c", "Other")]][:2] + [_source(source_id="d")])
    assert label_years(rows, {}) == {"a": "n.d.-a", "b": "n.d.-b", "d": "2018"}


def test_a_source_known_through_another_is_cited_so_in_charts_tables_and_the_list():
    """The report and the documents the AFSC page quotes were not read: no citation of them may look as if
    they were (issue 11: "as cited in")."""
    from surveillance_book.chapter import Chapter
    from surveillance_book.references import bibtex

    book, sources = Chapter("overview", as_of="2100-01-01"), load("sources")
    assert book.source_label("mijente-2018") == "Mijente et al. (2018), as cited in AFSC (2019)"
    assert book.source_label("afsc-2019") == "AFSC (2019)"  # read directly: no "as cited"
    known_through = sources[sources.cited_by_id.notna()]
    assert len(known_through)
    for source_id in known_through.source_id:
        assert ", as cited in AFSC (2019)" in book.source_label(source_id)
    # a chart's source line and a reader's table name it so too (both use source_label)
    contracts = book.contracts
    line = book.source_line(contracts[contracts.primary_source_id == "mijente-2018"])
    assert "Mijente et al. (2018), as cited in AFSC (2019)" in line
    # the list: each such entry says it was not consulted directly, the others do not
    data = parse_string(bibtex(), "bibtex")
    printed = {e.key: e.text.render_as("text") for e in BookStyle().format_entries(data.entries.values())}
    for source_id in sources.source_id:
        said = "As cited in AFSC 2019; not consulted directly." in printed[source_id]
        assert said == (source_id in set(known_through.source_id)), printed[source_id]


def test_the_in_text_citation_says_as_cited_in():
    """sphinxcontrib-bibtex's reference style, as registered and as a page cites: "(AFSC 2019; Mijente et al.
    2018, as cited in AFSC 2019)"."""
    from sphinxcontrib.bibtex.style.referencing import format_references
    from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

    from surveillance_book.references import _reference_style, bibtex

    style, data = _reference_style()(), parse_string(bibtex(), "bibtex")

    def cite(role: str, *keys: str) -> str:
        info = SphinxReferenceInfo(None, "here", "book/references", "x", None, "", "")
        return str(format_references(style, role, [(data.entries[k], None, info) for k in keys]))

    assert cite("p", "afsc-2019", "mijente-2018") == "(AFSC 2019; Mijente et al. 2018, as cited in AFSC 2019)"
    assert cite("p", "trump-eo-2017") == "(Trump 2017, as cited in AFSC 2019)"
    assert cite("t", "mijente-2018") == "Mijente et al. (2018, as cited in AFSC 2019)"
    assert cite("p", "afsc-2019") == "(AFSC 2019)"


def test_the_executive_order_is_listed_under_the_presidents_surname():
    from surveillance_book.references import bibtex

    data = parse_string(bibtex(), "bibtex")
    (order,) = BookStyle().format_entries([data.entries["trump-eo-2017"]])
    assert order.text.render_as("text").startswith("Trump. 2017. Executive Order")


def test_a_short_name_inside_the_name_is_not_repeated_in_the_list():
    from surveillance_book.references import bibtex

    data = parse_string(bibtex(), "bibtex")
    (gao,) = BookStyle().format_entries([data.entries["gao-face-research"]])
    assert gao.text.render_as("text").startswith("GAO. n.d. U.S. GAO research")  # not "GAO (U.S. GAO)"


def test_the_list_uses_one_bracket_style():
    """Review of the PDF: "AFSC [American Friends Service Committee (Investigate)]" beside "ACLU (American Civil
    Liberties Union)": one pair of round brackets, the name's own aside inside them."""
    from surveillance_book.references import bibtex

    data = parse_string(bibtex(), "bibtex")
    printed = {e.key: e.text.render_as("text") for e in BookStyle().format_entries(data.entries.values())}
    assert printed["afsc-2019"].startswith("AFSC (American Friends Service Committee, Investigate). 2019. High")
    assert printed["aclu-lawsuit-2013"].startswith("ACLU (American Civil Liberties Union). 2013.")
    assert not any("[" in text.split(". ")[0] for text in printed.values()), printed


def test_a_title_cited_as_author_is_cited_by_a_short_form_the_list_leads_with():
    """Review of the PDF: "(Contract records on Palantir's FALCON-SA payments, 2013-2018 n.d., as cited in AFSC
    2019)": the years of the title read as the year cited. One rule (``short_title``), only the title's words;
    the list begins the entry with the same short form, then the title."""
    from surveillance_book.chapter import Chapter
    from surveillance_book.references import bibtex, short_title

    assert short_title("Contract records on Palantir's FALCON-SA payments, 2013-2018") == "FALCON-SA contract records"
    assert (short_title("Contract records on West Publishing's CLEAR contracts with ICE HSI")
            == "CLEAR contract records")
    assert short_title("Giant Oak website") == "Giant Oak website"  # no "<what> on <NAME>": whole
    assert short_title("Records on payments") == "Records on payments"
    book = Chapter("overview", as_of="2100-01-01")
    assert book.source_label("falcon-sa-contract-records") == (
        "FALCON-SA contract records (n.d.), as cited in AFSC (2019)")
    data = parse_string(bibtex(), "bibtex")
    (falcon,) = BookStyle().format_entries([data.entries["falcon-sa-contract-records"]])
    assert falcon.text.render_as("text").startswith(
        "FALCON-SA contract records. n.d. Contract records on Palantir's FALCON-SA payments, 2013–2018.")

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
    for _, row in sources.iterrows():
        year = years[row["source_id"]]
        assert book.source_label(row["source_id"]) == f"{short_author(row, short)} ({year})"
    labels = [book.source_label(s) for s in sources.source_id]
    assert len(set(labels)) == len(labels), "two sources a reader cannot tell apart"
    assert years["afsc-2019"] == "2019" and short_author(sources.set_index("source_id", drop=False)
                                                          .loc["mijente-2018"], short) == "Mijente et al."


def test_entries_cited_alike_are_lettered():
    from surveillance_book.references import label_years

    rows = pd.DataFrame([_source(source_id=i, title=t, publisher="P", published=pd.NaT) for i, t in
                         [("b", "Second"), ("a", "First"), ("c", "Other")]][:2] + [_source(source_id="d")])
    assert label_years(rows, {}) == {"a": "n.d.-a", "b": "n.d.-b", "d": "2018"}

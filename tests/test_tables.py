import base64
import csv
import io
import re

import pandas as pd
import pytest

from surveillance_book.data import load
from surveillance_book.tables import csv_download_link, source_table


def test_table_is_captioned_named_and_escaped():
    frame = pd.DataFrame({"vendor": ["<b>Palantir</b>", "A|B"], "amount": [51_600_000.0, 2.5]})
    markdown = source_table(frame, caption="Rows behind Figure 1", name="tbl-x").data
    lines = markdown.splitlines()
    assert lines[0] == "```{table} Rows behind Figure 1"
    assert lines[1] == ":name: tbl-x"
    assert lines[2] == ":class: longtable"  # may break across PDF pages
    assert lines[3] == f":widths: {len('<b>Palantir</b>') + 2} {len('51,600,000') + 2}"  # longest word + padding
    assert r"| \<b\>Palantir\</b\> | 51,600,000 |" in lines
    assert r"| A\|B | 2.5 |" in lines
    assert lines[-3] == "```"


def test_headers_can_wrap_and_ids_break_at_hyphens():
    frame = pd.DataFrame({"primary_source_id": ["general-dynamics-dhs-authorizations"]})
    lines = source_table(frame, caption="c", name="n").data.splitlines()
    assert "| primary source id |" in lines
    assert lines[3] == f":widths: {len('authorizations') + 2}"


def test_long_cells_get_room_for_a_few_lines_and_row_ids_for_two():
    citation = "Mijente et al. (2018), as cited in AFSC (2019)"  # short words: by words alone, 8 wide
    row_id = "accenture-data-centers-2017"
    frame = pd.DataFrame({"source": [citation], "row": [row_id]})
    lines = source_table(frame, caption="c", name="n").data.splitlines()
    assert lines[3] == f":widths: {-(-len(citation) // 3) + 2} {-(-len(row_id) // 2) + 2}"
    wide = pd.DataFrame({"note": ["word " * 200]})  # a long note wraps rather than taking the page
    assert source_table(wide, caption="c", name="n").data.splitlines()[3] == ":widths: 32"


def test_widening_long_cells_never_squeezes_a_narrow_column():
    """Review of the PDF: "hedge" printed "hedg" once long cells beside it were widened. The widening shares
    only what the line holds beyond every column's longest word."""
    from surveillance_book.tables import TABLE_CHARS

    long = "a long description of what the row says " * 3
    frame = pd.DataFrame({"hedge": ["stated"], "what": [long], "detail": [long], "source": [long]})
    widths = [int(w) for w in source_table(frame, caption="c", name="n").data.splitlines()[3].split()[1:]]
    assert widths[0] == len("stated") + 2
    assert sum(widths) <= TABLE_CHARS
    assert widths[1] == widths[2] == widths[3] > len("description") + 2  # the room left is shared


def test_rows_download_as_csv_inside_the_page():
    frame = pd.DataFrame({"vendor": ["Palantir, Inc."], "amount": [51_600_000.0]})
    link = source_table(frame, caption="c", name="tbl-x").data.splitlines()[-1]
    encoded = link.split("base64,")[1].split('"')[0]
    assert 'download="tbl-x.csv"' in link
    assert base64.b64decode(encoded).decode() == 'vendor,amount\n"Palantir, Inc.",51600000.0\n'


def test_jupyterlab_gets_an_html_table_and_the_book_the_myst_directive():
    from IPython.core.formatters import DisplayFormatter

    frame = pd.DataFrame({"vendor": ["<b>Palantir</b>", "A|B"], "amount": [51_600_000.0, 2.5]})
    table = source_table(frame, caption="Rows <behind> Figure 1", name="tbl-x")
    bundle, _ = DisplayFormatter().format(table)
    assert bundle["text/markdown"] == table.data and table.data.startswith("```{table}")
    html = bundle["text/html"]
    assert html.startswith('<table class="dataframe hts-table" id="tbl-x">\n'
                           "<caption>Rows &lt;behind&gt; Figure 1</caption>")
    assert "<td>&lt;b&gt;Palantir&lt;/b&gt;</td>" in html and "<td>A|B</td>" in html  # escaped once, as HTML
    assert "<td>51,600,000</td>" in html and "<th>amount</th>" in html
    assert 'download="tbl-x.csv"' in html
    assert bundle["text/plain"] == "Table tbl-x: Rows <behind> Figure 1"  # no memory address in stored outputs


def _downloaded(link: str) -> str:
    return base64.b64decode(re.search(r"base64,([^\"]+)", link)[1]).decode("utf-8")


def test_the_download_holds_the_rows_as_they_are_when_no_cell_starts_a_formula():
    for name in ("contracts", "metrics", "organizations", "sources"):
        frame = load(name)
        assert _downloaded(csv_download_link(frame, name)) == frame.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_a_text_cell_that_starts_a_formula_is_downloaded_as_text(cell):
    frame = pd.DataFrame({"name": pd.array([cell, "plain"], dtype="string"),
                          "amount": pd.array([-5.0, None], dtype="Float64")})
    rows = list(csv.reader(io.StringIO(_downloaded(csv_download_link(frame, "t")), newline="")))
    assert rows == [["name", "amount"], ["'" + cell, "-5.0"], ["plain", ""]]  # numbers stay numbers

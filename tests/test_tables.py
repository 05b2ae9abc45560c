import pandas as pd

from surveillance_book.tables import source_table


def test_table_is_captioned_named_and_escaped():
    frame = pd.DataFrame({"vendor": ["<b>Palantir</b>", "A|B"], "amount": [51_600_000.0, 2.5]})
    markdown = source_table(frame, caption="Rows behind Figure 1", name="tbl-x").data
    lines = markdown.splitlines()
    assert lines[0] == "```{table} Rows behind Figure 1"
    assert lines[1] == ":name: tbl-x"
    assert r"| \<b\>Palantir\</b\> | 51,600,000 |" in lines
    assert r"| A\|B | 2.5 |" in lines
    assert lines[-1] == "```"

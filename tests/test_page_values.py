"""The Markdown pages type no figure or date: they take them from data/ through MyST substitutions
(scripts/surveillance_book/page_values.py), as the chapters glue theirs."""

import re
import shutil
from types import SimpleNamespace

import pytest
import yaml

from surveillance_book import page_values
from surveillance_book.paths import DATA_DIR, REPO

PAGES = ["book/intro.md", "book/methodology.md"]
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# outside substitutions, roles ({cite:p}`afsc-2019`), inline code and link targets
NOT_PROSE = re.compile(r"\{\{[^}]*\}\}|\{[\w:-]+\}`[^`]*`|`[^`]*`|\]\([^)]*\)")


def prose(page: str) -> str:
    return NOT_PROSE.sub(" ", (REPO / page).read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES)
def test_no_date_or_number_is_typed_in_the_page(page):
    text = prose(page)
    typed = re.findall(rf"\b(?:(?:{MONTHS})\s+)?\d[\d,.]*\b|\b(?:early|late|mid-?)\s*\d{{4}}\b", text)
    assert not typed, f"{page} types {typed}; take them from data/ with a {{{{ substitution }}}}"


def test_the_check_catches_a_typed_date():
    assert NOT_PROSE.sub(" ", "the picture drawn in January 2019 {cite:p}`afsc-2019`").count("2019") == 1


@pytest.mark.parametrize("page", PAGES)
def test_every_substitution_of_the_page_is_defined(page):
    used = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", (REPO / page).read_text(encoding="utf-8")))
    defined = set(page_values.values()) | {"edition", "data_version"}  # the last two: sphinx_ext
    assert used, f"{page} uses no substitution"
    assert used <= defined, f"{page}: undefined {sorted(used - defined)}"


def test_values_come_from_the_sources_table():
    assert page_values.values() == {"page_published": "January 2019", "report_published": "August 2018"}


def test_a_changed_date_in_the_data_changes_the_page(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    sources = data / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "report,2018-08-01,month", "report,2018-09-01,month"), encoding="utf-8")
    assert page_values.values(data)["report_published"] == "September 2018"


def test_a_source_without_a_date_stops_the_build(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    sources = data / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "web page,2019-01-01,month", "web page,,"), encoding="utf-8")
    with pytest.raises(ValueError, match="afsc-2019"):
        page_values.values(data)


def test_substitutions_are_merged_with_those_already_set():
    config = SimpleNamespace(myst_substitutions={"edition": "1.2.3"})
    page_values._add_substitutions(None, config)
    assert config.myst_substitutions["edition"] == "1.2.3"
    assert config.myst_substitutions["page_published"] == "January 2019"


def test_the_extension_is_listed_in_the_book_config():
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert "surveillance_book.page_values" in config["sphinx"]["extra_extensions"]

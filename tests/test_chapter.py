"""The chapter API: one rule per concept, checked on the real data and on edited copies."""

import json
import re

import pandas as pd
import pytest

from surveillance_book.chapter import ROWS_METADATA, Chapter, ParameterError, in_order
from surveillance_book.data import load
from surveillance_book.paths import DATA_DIR

FACT_TABLES = ["systems", "contracts", "metrics", "relationships", "events", "system_data", "concerns"]


def chapter(**kw) -> Chapter:
    return Chapter("data_brokers", **({"as_of": "2019-01-31", "data_dir": DATA_DIR} | kw))


@pytest.mark.parametrize("table", FACT_TABLES)
def test_one_known_by_rule_for_every_fact_table(table):
    everything = load(table)
    cutoff = everything.as_of.sort_values().iloc[len(everything) // 2]  # a date that splits the table
    book = chapter(as_of=f"{cutoff:%Y-%m-%d}")
    known = getattr(book, table)
    assert len(known) == (everything.as_of <= cutoff).sum()
    assert (known.as_of <= cutoff).all()
    assert 0 < len(known) <= len(everything)
    assert len(book.everything(table)) == len(everything)


def test_an_event_counts_from_when_it_was_stated_not_from_its_own_date():
    # DHS announced its social-media plan in September 2017 (stated then); IDENT's 1994 design is known
    # to the book from the August 2018 report, so before that report it is not shown.
    early = chapter(as_of="2018-06-30")
    assert "dhs-social-media-announcement-2017" in set(early.events.event_id)
    assert "ident-designed-1994" not in set(early.events.event_id)
    assert "ident-designed-1994" in set(chapter().events.event_id)


def test_bad_parameters_get_one_line_each():
    with pytest.raises(ParameterError, match="'2019-13-01' is not a date written YYYY-MM-DD"):
        chapter(as_of="2019-13-01")
    with pytest.raises(ParameterError, match="outside 1900-01-01 to 2100-12-31"):
        chapter(as_of="1899-12-31")
    with pytest.raises(ParameterError, match="'no-such-org' is not an org_id"):
        chapter(highlight="no-such-org")
    assert not chapter(as_of="1900-01-01").contracts.shape[0]  # the earliest date is allowed, and empty
    assert chapter(as_of="2100-12-31").contracts.shape[0] == len(load("contracts"))


def test_highlight_covers_parent_subsidiaries_and_their_systems():
    orgs, systems = load("organizations"), load("systems")
    book = chapter(highlight="thomson-reuters")
    children = set(orgs[orgs.parent_id == "thomson-reuters"].org_id)
    assert children and children <= book.highlighted
    owned = set(systems[systems.owner_id.isin(children | {"thomson-reuters"})].system_id)
    assert owned <= book.highlighted
    child = sorted(children)[0]
    assert "thomson-reuters" in chapter(highlight=child).highlighted  # the parent too
    assert chapter(highlight="ident").highlighted == {"ident"}  # a system alone
    assert not chapter().highlighted


def test_built_systems_are_highlighted_with_their_builder():
    ties = load("relationships")
    built = ties[ties.relation == "builds"].iloc[0]
    assert built.object_system_id in chapter(highlight=built.subject_org_id).highlighted


def test_highlight_of_every_organization_and_system_is_read_from_the_tables(monkeypatch):
    """What the highlight covers, for every entity, as the known rows say it (worked out here from the frames);
    pages that share a chapter's data and date work out the organizations' ties once."""
    base = chapter(as_of="2018-06-01")
    orgs, systems, ties = base.everything("organizations"), base.known("systems"), base.known("relationships")
    for org in orgs.org_id:
        parent = orgs.parent_id[orgs.org_id == org].iloc[0]
        family = {org, *orgs.org_id[orgs.parent_id == org]} | ({parent} if isinstance(parent, str) else set())
        built = ties[ties.relation.isin(["builds", "set up"]) & ties.subject_org_id.isin(family)].object_system_id
        expected = family | set(systems.system_id[systems.owner_id.isin(family)]) | set(built.dropna())
        assert Chapter("overview", as_of="2018-06-01", highlight=org, sharing=base).highlighted == expected, org
    reads = []
    monkeypatch.setattr(Chapter, "known", lambda self, table: reads.append(table))
    for system in systems.system_id:
        assert Chapter("overview", as_of="2018-06-01", highlight=system, sharing=base).highlighted == {system}
    assert Chapter("overview", as_of="2018-06-01", highlight="palantir", sharing=base).highlighted
    assert not reads  # the shared chapters read no table again


def test_marks_tag_rows_for_the_charts():
    book = chapter(highlight="giant-oak")
    deals = book.contracts
    marks = book.marks(deals.vendor_id, deals.agency_id)
    assert set(marks[deals.vendor_id == "giant-oak"]) == {"giant-oak"}
    assert set(marks[~deals.vendor_id.isin(book.highlighted) & ~deals.agency_id.isin(book.highlighted)]) == {"other"}


def test_names():
    book = chapter()
    orgs = load("organizations").set_index("org_id")
    with_short = orgs[orgs.short_name.notna()].iloc[0]
    assert book.name(with_short.name) == with_short.short_name
    assert book.full_name(with_short.name) == with_short["name"]
    systems = load("systems").set_index("system_id")
    with_acronym = systems[systems.acronym.notna()].iloc[0]
    assert book.name(with_acronym.name) == with_acronym.acronym


def test_source_line_comes_from_the_rows_shown():
    book = chapter()
    contracts = book.contracts
    clear = contracts[contracts.primary_source_id == "clear-contract-records"]
    line = book.source_line(clear)
    assert line.startswith("AFSC (2019)")  # where it was read comes first
    assert "CLEAR contract records (n.d.), as cited in AFSC (2019)" in line
    assert "Mijente" not in line  # not a source of these rows
    assert "Mijente et al. (2018)" in book.source_line(contracts[contracts.primary_source_id == "mijente-2018"])


def test_source_label_follows_the_sources_table(data_copy):
    sources = pd.read_csv(data_copy / "sources.csv", dtype=str, keep_default_na=False)
    sources.loc[sources.source_id == "eff-alpr-2018", "publisher"] = "Alpha Group, Beta Group"
    sources.to_csv(data_copy / "sources.csv", index=False)
    assert Chapter("x", as_of="2019-01-31", data_dir=data_copy).source_label("eff-alpr-2018") == \
        "Alpha Group et al. (2018), as cited in AFSC (2019)"


def test_glue_records_rows_and_the_not_known_wording(capsys):
    shown = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = lambda data, **kw: shown.append((data, kw["metadata"]))
    try:
        book = chapter(as_of="2018-06-30")
        book.glue("known", book.row("contracts", "trss-2018"), lambda r: r.purpose)  # stated later
        late = chapter()
        late.glue("trss", late.row("contracts", "trss-2018"), lambda r: f"{r.amount_usd:,.0f}")
        late.glue("yearly", late.row("contracts", "amazon-palantir-servers"), "x", computed="twelve times")
    finally:
        IPython.display.display = original
    (_, not_known), (data, trss), (_, yearly) = shown
    assert not_known[ROWS_METADATA] == {"kind": "not known", "rows": []}
    assert trss[ROWS_METADATA]["rows"] == [{"table": "contracts", "id": "trss-2018"}]
    assert trss[ROWS_METADATA]["kind"] == "stated"
    assert trss["scrapbook"]["name"] == "trss"
    assert json.loads(json.dumps(data))  # stored as plain JSON in the notebook
    assert yearly[ROWS_METADATA]["kind"] == "computed" and yearly[ROWS_METADATA]["rule"] == "twelve times"


def test_rows_table_names_its_file_and_prefixes_its_name():
    book = chapter()
    table = book.rows_table(book.contracts.head(2), name="deals", caption="Some deals",
                            columns={"vendor_id": "vendor", "contract_id": "id"})
    assert ":name: tbl-data-brokers-deals" in table.data
    assert "| vendor | row |" in table.data.splitlines()  # own ids headed alike in every table, and last
    first = book.rows_table(book.contracts.head(2), name="d", caption="c", columns={"contract_id": "contract",
                                                                                   "vendor_id": "vendor"})
    assert "| vendor | row |" in first.data.splitlines()
    assert r"Some deals \(data/contracts\.csv\)" in table.data
    early = chapter(as_of="1900-01-01")
    assert "No row of data/contracts.csv" in early.rows_table(early.contracts, name="deals", caption="Some deals").data


def test_prose_reads_the_glued_phrases_without_quotes(monkeypatch):
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)
    book = chapter()
    book.glue("trss", book.row("contracts", "trss-2018"), "a phrase")
    assert book.prose.trss == "a phrase" and repr(book.prose.trss) == "a phrase"
    assert book.prose.later == "[later: run the next code cell]"  # a paragraph before its glue cell


def test_glue_of_several_tables_and_of_whole_frames(monkeypatch):
    import IPython.display

    records = []
    monkeypatch.setattr(IPython.display, "display", lambda data, **kw: records.append(kw["metadata"]))
    book = chapter()
    one = book.row("contracts", "trss-2018")
    book.glue("count", one, lambda d: str(len(d)), whole=True)  # the frame, even with one row
    book.glue("both", [one, book.row("metrics", "ident-identities")], lambda frames: str(len(frames)))
    assert book.prose.count == "1" and book.prose.both == "2"
    assert {r["table"] for r in records[-1][ROWS_METADATA]["rows"]} == {"contracts", "metrics"}


def test_empty_highlight_and_empty_tables_read_well(monkeypatch):
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)
    book = chapter(highlight="", as_of="1900-01-01")
    book.glue_parameters()
    assert book.prose.highlight == "nothing"
    note = book.rows_table(book.contracts, name="x", caption="Rows behind the chart").data
    assert note == "*No row of data/contracts.csv for this table had been stated by 1 January 1900.*"


def test_the_highlight_is_named_with_the_family_the_data_give_it():
    """Review of the PDF: "Thomson Reuters, with its parent and its subsidiaries", typed in a chapter, named a
    parent the data do not give it. The phrase is made from the data."""
    orgs = load("organizations").set_index("org_id")
    subsidiaries = list(orgs.name[orgs.parent_id == "thomson-reuters"])  # in the order of the data
    assert pd.isna(orgs.parent_id["thomson-reuters"]) and len(subsidiaries) == 2
    assert chapter(highlight="thomson-reuters").highlight_family() == (
        f"Thomson Reuters, with its subsidiaries {subsidiaries[0]} and {subsidiaries[1]}")
    assert chapter(highlight="csra").highlight_family() == "CSRA, with its parent General Dynamics"
    assert chapter(highlight="palantir").highlight_family() == "Palantir"  # neither: the name alone
    assert "its parts Homeland Security Investigations" in chapter(highlight="ice").highlight_family()
    assert chapter(highlight="").highlight_family() == "nothing"


def test_sources_cited_are_those_of_known_facts():
    assert set(chapter(as_of="1900-01-01").sources_cited().source_id) == set()
    cited = set(chapter().sources_cited().source_id)
    assert {"afsc-2019", "mijente-2018"} <= cited


def test_ends_and_within():
    book = chapter()
    ties = book.relationships
    subject, obj = book.ends(ties)
    assert subject.notna().all() and obj.notna().all()
    orgs = load("organizations").set_index("org_id")
    child = orgs[orgs.parent_id == "dhs"].index[0]
    grandchildren = orgs[orgs.parent_id == child].index
    ids = pd.Series(["dhs", child, *grandchildren, "palantir", None])
    assert book.within(ids, "dhs").tolist() == [True, True, *[True] * len(grandchildren), False, False]


def test_rows_combined_from_two_tables_keep_their_tables(monkeypatch):
    import IPython.display

    records = []
    monkeypatch.setattr(IPython.display, "display", lambda data, **kw: records.append(kw["metadata"]))
    book = chapter()
    owners = book.systems.head(1).assign(table="systems")
    ties = book.relationships.head(2).assign(table="relationships")
    both = pd.concat([owners, ties], ignore_index=True)
    book.glue("both", both, "x")
    assert [r["table"] for r in records[-1][ROWS_METADATA]["rows"]] == ["systems", "relationships", "relationships"]
    caption = book.rows_table(both, name="both", caption="Both").data
    assert r"Both \(data/systems\.csv, data/relationships\.csv\)" in caption


def test_a_value_the_chapter_did_not_list_sorts_last_instead_of_stopping_it():
    values = pd.Series(["clear", "new-product", "gost", "clear"])
    assert in_order(values, ["gost", "clear"]).tolist() == [1, 2, 0, 1]
    ordered = values.iloc[in_order(values, ["gost", "clear"]).argsort(kind="stable")]
    assert ordered.tolist() == ["gost", "clear", "clear", "new-product"]


def test_every_fact_is_dated_by_a_source_that_says_how_exactly():
    """``as_of`` is the date of a document the row names (data/README.md); its precision is that
    document's. No row falls back to printing a day the sources never gave."""
    book = chapter(as_of="2100-12-31")
    loose = [f"{t}: {row_id}" for t in FACT_TABLES for row_id, p in
             zip(book.everything(t).index, book.as_of_precision(book.everything(t)), strict=True) if p == "day"]
    assert not loose, f"rows whose as_of is no source's publication date: {loose}"


def test_dates_are_printed_as_exactly_as_the_source_gives_them(data_copy):
    book = chapter()
    assert book.stated(book.row("metrics", "amazon-dhs-authorizations").iloc[0]) == "January 2019"
    assert book.stated(book.row("metrics", "tvs-pilot-airports").iloc[0]) == "August 2018"
    assert book.stated(book.row("events", "aclu-lawsuit-2013").iloc[0]) == "2013"  # the lawsuit gives a year
    table = book.rows_table(book.metrics, name="m", caption="Metrics", columns={"measure": "measure",
                                                                                "as_of": "as of"}).data
    events = book.rows_table(book.events, name="e", caption="Events", columns={"date": "date", "as_of": "as of"}).data
    for text in (table, events):
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text.split("Download")[0]), "a day-exact date in a reader's table"
    assert "| January 2019 |" in table and "</span>1994 | August 2018 |" in events
    # the precision travels with the source: a source that gives only a year prints only the year
    sources = pd.read_csv(data_copy / "sources.csv", dtype=str, keep_default_na=False)
    sources.loc[sources.source_id == "afsc-2019", "published_precision"] = "year"
    sources.to_csv(data_copy / "sources.csv", index=False)
    coarse = chapter(data_dir=data_copy)
    assert coarse.stated(coarse.row("metrics", "amazon-dhs-authorizations").iloc[0]) == "2019"


def test_tables_print_no_hedge_as_stated_not_exact():
    """'exact' in the data means the source puts no hedge on a figure, which may still be rounded ("$51.6
    million", "three times"): a reader's table prints it "as stated" (text.QUALIFIER_IN_TABLES, one rule)."""
    book = chapter()
    for rows in (book.metrics, book.contracts):
        assert "exact" in set(rows.qualifier.astype(str))
        text = book.rows_table(rows, name="q", caption="Qualifiers", columns={"qualifier": "qualifier"}).data
        cells = text.split("Download")[0]
        assert "as stated" in cells and not re.search(r"\|\s*exact\s*\|", cells), cells[:400]

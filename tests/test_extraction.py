"""Audit of the extracted data against the seed text.

Each entry of ENTRIES ties a fragment quoted verbatim from the seed page to
the row that holds the fact and to the values that row must carry.  The tests
check that (a) the fragment occurs in the seed, (b) the row exists in the CSV
with those values, and (c) every number written in the seed is covered by the
fragment of some entry, or listed in IGNORED with a reason.

The CSVs are read with the csv module directly; primary keys come from
data/datapackage.json.
"""
from __future__ import annotations

import csv
import json
import math
import os
import re
from functools import cache, lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEED_NAME = "high-tech-surveillance-of-immigrants.txt"
SEED = Path(os.environ.get("SEED_PATH", REPO.parent / "shared" / "seed" / SEED_NAME))


class Contains:
    """Expected value: the cell contains this text (case-insensitive)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Contains({self.text!r})"


# (fragment verbatim in the seed, table, primary key, expected field values)
# The primary key is a string, or a tuple for composite keys (system_data).
ENTRIES = [
    # --- the seed page and the report
    ("High Tech Surveillance of Immigrants\n\nJanuary 2019", "sources", "afsc-2019",
     {"published": "2019-01-01", "published_precision": "month", "kind": "web page"}),
    ("relies extensively on an August 2018 report published by Mijente", "sources", "mijente-2018",
     {"published": "2018-08-01", "published_precision": "month", "kind": "report",
      "note": Contains("Empower LLC")}),
    # --- overview
    ("President Trump reactivated by Executive Order in January 2017", "events",
     "secure-communities-reactivated-2017",
     {"date": "2017-01-01", "date_precision": "month", "kind": "order", "primary_source_id": "trump-eo-2017"}),
    ("President Trump reactivated by Executive Order in January 2017", "sources", "trump-eo-2017",
     {"published": "2017-01-01", "published_precision": "month", "kind": "executive order"}),
    ("may still be feeding mission-critical information to ICE", "relationships", "sanctuary-feeds-ice",
     {"relation": "feeds data to", "hedge": "may", "object_org_id": "ice"}),
    # --- IDENT
    ("Designed in 1994, IDENT", "events", "ident-designed-1994",
     {"date": "1994-01-01", "date_precision": "year", "kind": "design", "system_id": "ident"}),
    ("IDENT doubled in size between 2011 and 2018", "metrics", "ident-growth",
     {"value_low": 2, "value_high": 2, "unit": "ratio to 2011 size", "period": "2018-01-01",
      "period_precision": "year", "subject_system_id": "ident"}),
    ("unique identity records for 230 million people", "metrics", "ident-identities",
     {"value_low": 230_000_000, "value_high": 230_000_000, "qualifier": "exact"}),
    ("processing on average 350,000-400,000 transactions per day", "metrics", "ident-daily-transactions",
     {"value_low": 350_000, "value_high": 400_000, "unit": "transactions per day"}),
    ("General Dynamics, through its subsidiary CSRA, provides operations and maintenance support for IDENT",
     "relationships", "csra-maintains-ident", {"relation": "maintains", "object_system_id": "ident"}),
    # --- HART
    ("which was awarded a $95 million contract in February 2018 to develop phase 1 and 2 of the project",
     "contracts", "hart-2018",
     {"amount_usd": 95_000_000, "amount_kind": "awarded", "qualifier": "exact", "vendor_id": "northrop-grumman",
      "announced": "2018-02-01", "announced_precision": "month", "purpose": Contains("phases 1 and 2")}),
    ("awarded a $95 million contract in February 2018", "events", "hart-contract-2018",
     {"date": "2018-02-01", "date_precision": "month", "kind": "award"}),
    ("capacity to store at least 500 million unique identities", "metrics", "hart-identities-capacity",
     {"value_low": 500_000_000, "value_high": 500_000_000, "qualifier": "at least"}),
    ("support at least 720,000 daily transactions", "metrics", "hart-daily-transactions-capacity",
     {"value_low": 720_000, "value_high": 720_000, "qualifier": "at least"}),
    ("using at least seven types of biometric identifiers", "metrics", "hart-modalities",
     {"value_low": 7, "value_high": 7, "qualifier": "at least"}),
    ("As of November 2018, the first phrase of HART is scheduled to be operational by April 2019", "events",
     "hart-phase1-operational-2019",
     {"date": "2019-04-01", "date_precision": "month", "hedge": "scheduled", "kind": "plan",
      "description": Contains("November 2018")}),
    ("for the first two developmental phases of HART", "relationships", "nec-algorithm-hart",
     {"relation": "supplies algorithm to", "hedge": "planned"}),
    ("scars and tattoos, and a blanket category", "system_data", ("hart", "scars and tattoos", "required capacity"),
     {"data_family": "biometric"}),
    # --- case management
    ("In 2014, Palantir was awarded a $51.6 million contract", "contracts", "icm-2014",
     {"amount_usd": 51_600_000, "amount_kind": "awarded", "announced": "2014-01-01", "announced_precision": "year",
      "system_id": "icm"}),
    ("In 2014, Palantir was awarded", "events", "icm-contract-2014",
     {"date": "2014-01-01", "date_precision": "year", "kind": "award"}),
    ("core law enforcement case management tool", "relationships", "ice-hsi-uses-icm",
     {"primary_source_id": "dhs-pia-icm"}),
    ("From 2013 to 2018, Palantir received $52.5 million", "contracts", "falcon-sa-2013-2018",
     {"amount_usd": 52_500_000, "amount_kind": "cumulative received", "qualifier": "exact",
      "period_start": "2013-01-01", "period_start_precision": "year",
      "period_end": "2018-01-01", "period_end_precision": "year"}),
    ("In November 2018 it was awarded a one-year contract for FALCON-SA services worth potentially $42.3 million",
     "contracts", "falcon-sa-2018-11",
     {"amount_usd": 42_300_000, "amount_kind": "potential ceiling", "qualifier": "potentially",
      "announced": "2018-11-01", "announced_precision": "month", "note": Contains("one-year")}),
    ("In November 2018 it was awarded", "events", "falcon-sa-contract-2018",
     {"date": "2018-11-01", "date_precision": "month"}),
    # --- cloud and data centers
    ("Beginning in 2008, DHS began to migrate most of its systems", "events", "dhs-data-center-migration-2008",
     {"date": "2008-01-01", "date_precision": "year", "kind": "migration"}),
    ("In 2017, Accenture was awarded a contract worth $307 million", "contracts", "accenture-data-centers-2017",
     {"amount_usd": 307_000_000, "amount_kind": "awarded", "announced": "2017-01-01",
      "announced_precision": "year"}),
    ("In 2017, Accenture was awarded", "events", "accenture-contract-2017",
     {"date": "2017-01-01", "date_precision": "year"}),
    ("In May 2018, DHS CIO John Zangardi noted that 29 DHS applications are hosted in the cloud", "metrics",
     "dhs-cloud-apps-hosted",
     {"value_low": 29, "value_high": 29, "as_of": "2018-05-01", "primary_source_id": "zangardi-2018"}),
    ("In May 2018, DHS CIO John Zangardi noted", "sources", "zangardi-2018",
     {"published": "2018-05-01", "published_precision": "month"}),
    ("In May 2018, DHS CIO John Zangardi noted", "events", "zangardi-remarks-2018",
     {"date": "2018-05-01", "date_precision": "month", "kind": "statement"}),
    ("another 70 are being migrated to the cloud", "metrics", "dhs-cloud-apps-migrating",
     {"value_low": 70, "value_high": 70, "as_of": "2018-05-01"}),
    ("as of January 2019 only four cloud providers are authorized with DHS", "metrics",
     "dhs-high-level-cloud-providers", {"value_low": 4, "value_high": 4, "as_of": "2019-01-01"}),
    ("Amazon has 110 authorizations", "metrics", "amazon-dhs-authorizations",
     {"value_low": 110, "value_high": 110, "subject_org_id": "amazon"}),
    ("compared to 26 for Microsoft", "metrics", "microsoft-dhs-authorizations",
     {"value_low": 26, "value_high": 26, "subject_org_id": "microsoft"}),
    ("16 for General Dynamics", "metrics", "general-dynamics-dhs-authorizations",
     {"value_low": 16, "value_high": 16, "subject_org_id": "general-dynamics"}),
    ("and 11 for Oracle", "metrics", "oracle-dhs-authorizations",
     {"value_low": 11, "value_high": 11, "subject_org_id": "oracle"}),
    ("contracts through May 2019 dating from at least June 2018 and March 2017, respectively", "contracts",
     "tecs-mod-booz-allen",
     {"period_start": "2018-06-01", "period_start_precision": "month", "period_end": "2019-05-01",
      "period_end_precision": "month", "qualifier": "at least", "amount_kind": "not stated"}),
    ("contracts through May 2019 dating from at least June 2018 and March 2017, respectively", "contracts",
     "tecs-mod-prizum",
     {"period_start": "2017-03-01", "period_start_precision": "month", "period_end": "2019-05-01",
      "period_end_precision": "month", "qualifier": "at least"}),
    ("dating from at least June 2018 and March 2017", "events", "prizum-tecs-contract-2017",
     {"date": "2017-03-01", "hedge": "at least"}),
    ("dating from at least June 2018 and March 2017", "events", "booz-allen-tecs-contract-2018",
     {"date": "2018-06-01", "hedge": "at least"}),
    ("reportedly pays Amazon approximately $600,000 a month", "contracts", "amazon-palantir-servers",
     {"amount_usd": 600_000, "amount_kind": "monthly payment", "qualifier": "approximately",
      "vendor_id": "amazon", "agency_id": "palantir", "note": Contains("reportedly")}),
    ("The central DHS database IDENT is hosted on the AWS GovCloud", "relationships", "aws-govcloud-hosts-ident",
     {"relation": "hosts"}),
    # --- biometrics
    ("A lawsuit brought by the ACLU in 2013", "events", "aclu-lawsuit-2013",
     {"date": "2013-01-01", "date_precision": "year", "kind": "lawsuit", "org_id": "aclu"}),
    ("A lawsuit brought by the ACLU in 2013", "concerns", "aclu-lawsuit-fingerprints",
     {"date": "2013-01-01", "date_precision": "year", "raised_by_id": "aclu", "topic": "wrongful targeting"}),
    ("A lawsuit brought by the ACLU in 2013", "sources", "aclu-lawsuit-2013",
     {"published": "2013-01-01", "published_precision": "year", "kind": "lawsuit"}),
    ("Research by the U.S. GAO, the ACLU, and MIT Media Lab", "concerns", "face-bias-gao",
     {"raised_by_id": "gao", "topic": "bias"}),
    ("Research by the U.S. GAO, the ACLU, and MIT Media Lab", "concerns", "face-bias-mit",
     {"raised_by_id": "mit-media-lab", "topic": "bias"}),
    ("Tokyo-based NEC Corporation", "organizations", "nec", {"country": "Japan"}),
    ("Netherlands-based Gemalto", "organizations", "gemalto", {"country": "Netherlands"}),
    ("France-based IDEMIA", "organizations", "idemia", {"country": "France"}),
    ("In 2016, CBP awarded Unisys a $229.7 million contract", "contracts", "unisys-2016",
     {"amount_usd": 229_700_000, "amount_kind": "awarded", "agency_id": "cbp", "announced": "2016-01-01",
      "announced_precision": "year"}),
    ("In 2016, CBP awarded Unisys", "events", "unisys-contract-2016",
     {"date": "2016-01-01", "date_precision": "year"}),
    ("Prior to the 2016 contract, Unisys worked with CBP to deploy automated license plate reader technology",
     "relationships", "unisys-builds-unisys-alpr", {"relation": "builds", "detail": Contains("before 2016")}),
    ("TVS appears to be hosted on Amazon Web Services", "relationships", "amazon-hosts-tvs",
     {"relation": "hosts", "hedge": "appears to"}),
    ("As of August 2018, TVS facial recognition matching had been piloted at 14 airports", "metrics",
     "tvs-pilot-airports", {"value_low": 14, "value_high": 14, "as_of": "2018-08-01"}),
    ("As of August 2018, TVS facial recognition matching had been piloted at 14 airports", "events",
     "tvs-pilot-2018", {"date": "2018-08-01", "date_precision": "month", "kind": "pilot"}),
    ("In the summer of 2018, Amazon Web Services pitched ICE", "events", "rekognition-pitch-2018",
     {"date": "2018-01-01", "date_precision": "year", "kind": "pitch", "description": Contains("summer")}),
    ("In a January 2018 company blog post, Microsoft claimed", "events", "microsoft-blog-2018",
     {"date": "2018-01-01", "date_precision": "month", "primary_source_id": "microsoft-blog-2018"}),
    ("In a January 2018 company blog post, Microsoft claimed", "sources", "microsoft-blog-2018",
     {"published": "2018-01-01", "published_precision": "month", "kind": "blog post"}),
    # --- data brokers
    ("In September 2017, DHS announced", "events", "dhs-social-media-announcement-2017",
     {"date": "2017-09-01", "date_precision": "month", "kind": "announcement"}),
    ("In September 2017, DHS announced", "sources", "dhs-social-media-announcement-2017",
     {"published": "2017-09-01", "published_precision": "month"}),
    ("reached $24.6 million in 2017, three times what it was in 2013", "metrics", "dhs-social-media-spending-2017",
     {"value_low": 24_600_000, "value_high": 24_600_000, "unit": "USD", "period": "2017-01-01",
      "period_precision": "year", "subject_org_id": "dhs"}),
    ("reached $24.6 million in 2017, three times what it was in 2013", "metrics", "dhs-social-media-spending-ratio",
     {"value_low": 3, "value_high": 3, "unit": "ratio to 2013", "period": "2017-01-01"}),
    ("since at least 2014 with contracts totaling nearly $45 million", "contracts", "giant-oak-total",
     {"amount_usd": 45_000_000, "amount_kind": "contracts total", "qualifier": "nearly",
      "period_start": "2014-01-01", "period_start_precision": "year", "note": Contains("at least 2014")}),
    ("since at least 2014", "events", "giant-oak-ice-services-2014",
     {"date": "2014-01-01", "date_precision": "year", "hedge": "at least"}),
    ("In 2018, the company received three ICE contracts worth $2.7 million", "contracts", "giant-oak-2018",
     {"amount_usd": 2_700_000, "amount_kind": "contracts total", "qualifier": "exact",
      "announced": "2018-01-01", "announced_precision": "year"}),
    ("In 2018, the company received three ICE contracts", "metrics", "giant-oak-ice-contracts-2018",
     {"value_low": 3, "value_high": 3, "unit": "contracts", "period": "2018-01-01"}),
    ("In 2018, the company received three ICE contracts", "events", "giant-oak-contracts-2018",
     {"date": "2018-01-01", "date_precision": "year"}),
    ("In 2016, ICE’s Homeland Security Investigations admitted to using GOST", "events", "hsi-gost-2016",
     {"date": "2016-01-01", "date_precision": "year", "org_id": "ice-hsi", "system_id": "gost"}),
    ("In February 2018, TRSS, the U.S. subsidiary of Thomson Reuters, signed a $6.7 million contract",
     "contracts", "trss-2018",
     {"amount_usd": 6_700_000, "amount_kind": "awarded", "agency_id": "ice-dcr", "announced": "2018-02-01",
      "announced_precision": "month"}),
    ("In February 2018, TRSS", "events", "trss-contract-2018", {"date": "2018-02-01", "date_precision": "month"}),
    ("capable of tracking 500,000 identities per month", "metrics", "trss-monitoring-capacity",
     {"value_low": 500_000, "value_high": 500_000, "unit": "identities per month"}),
    ("live access to over 7 billion license plate detections", "metrics", "clear-plate-detections",
     {"value_low": 7_000_000_000, "value_high": 7_000_000_000, "qualifier": "over"}),
    ("over $46 million in current potential contracts", "contracts", "west-clear",
     {"amount_usd": 46_000_000, "amount_kind": "potential ceiling", "qualifier": "over", "agency_id": "ice-hsi"}),
    ("CLEAR is designed to interface and be compatible with Palantir’s FALCON analytics program", "relationships",
     "clear-interface-falcon", {"relation": "designed to interface with", "object_system_id": "falcon"}),
    ("In December 2017, ICE signed a contract with Vigilant", "contracts", "vigilant-2017",
     {"announced": "2017-12-01", "announced_precision": "month", "amount_kind": "not stated", "amount_usd": ""}),
    ("In December 2017, ICE signed a contract with Vigilant", "events", "vigilant-contract-2017",
     {"date": "2017-12-01", "date_precision": "month"}),
    ("which has more than 2 billion records", "metrics", "vigilant-lpr-records",
     {"value_low": 2_000_000_000, "value_high": 2_000_000_000, "qualifier": "more than"}),
    ("A January 2018 analysis by the Electronic Frontier Foundation found that over a dozen California",
     "metrics", "california-le-alpr-sharing",
     {"value_low": 12, "value_high": 12, "qualifier": "over", "as_of": "2018-01-01",
      "primary_source_id": "eff-alpr-2018"}),
    ("A January 2018 analysis by the Electronic Frontier Foundation", "events", "eff-analysis-2018",
     {"date": "2018-01-01", "date_precision": "month", "kind": "analysis"}),
    ("A January 2018 analysis by the Electronic Frontier Foundation", "sources", "eff-alpr-2018",
     {"published": "2018-01-01", "published_precision": "month", "kind": "analysis"}),
    ("In 2018, ICE awarded a $2.4 million no-bid follow-up contract to privately owned Pen-Link", "contracts",
     "pen-link-2018",
     {"amount_usd": 2_400_000, "amount_kind": "awarded", "qualifier": "exact", "announced": "2018-01-01",
      "announced_precision": "year", "note": Contains("no-bid")}),
    ("In 2018, ICE awarded a $2.4 million", "events", "pen-link-contract-2018",
     {"date": "2018-01-01", "date_precision": "year"}),
    ("The $2.4 million contract is part of a larger 4-year contract with ICE through 2022 "
     "worth potentially $10 million", "contracts", "pen-link-4-year",
     {"amount_usd": 10_000_000, "amount_kind": "potential ceiling", "qualifier": "potentially",
      "period_end": "2022-01-01", "period_end_precision": "year", "purpose": Contains("four-year")}),
    ("such as WhatsApp", "system_data", ("pen-link-suite", "smartphone messaging (e.g. WhatsApp)", "analyzes"),
     {"data_family": "communications"}),
]

# Numbers in the seed that are names, not facts: (context fragment in the seed, token, reason)
IGNORED = [
    ("previously worked on Nexus 7, a controversial", "7", "part of the project name 'Nexus 7' (a system row)"),
]

NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


@lru_cache(maxsize=1)
def seed_text() -> str:
    if not SEED.is_file():
        pytest.fail(f"seed text not found at {SEED} (expected <repo>/../shared/seed/{SEED_NAME}; "
                    "set SEED_PATH to override)")
    return SEED.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def primary_keys() -> dict:
    pkg = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r["schema"]["primaryKey"] for r in pkg["resources"]}


@cache
def table(name: str) -> dict:
    pk = primary_keys()[name]
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    index = {}
    for row in rows:
        key = row[pk[0]] if len(pk) == 1 else tuple(row[c] for c in pk)
        assert key not in index, f"duplicate key {key!r} in {name}"
        index[key] = row
    return index


def _id(entry) -> str:
    _, name, key, _ = entry
    key = "|".join(key) if isinstance(key, tuple) else key
    return f"{name}:{key}"


def _ids(entries):
    seen, out = {}, []
    for e in entries:
        base = _id(e)
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return out


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_fragment_in_seed(entry):
    fragment = entry[0]
    assert fragment in seed_text(), f"fragment not found verbatim in the seed: {fragment!r}"


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_row_holds_values(entry):
    _, name, key, expected = entry
    rows = table(name)
    assert key in rows, f"no row {key!r} in {name}.csv"
    row = rows[key]
    for field, want in expected.items():
        assert field in row, f"{name}.csv has no column {field!r}"
        got = row[field]
        if isinstance(want, Contains):
            assert want.text.lower() in got.lower(), \
                f"{name}[{key}].{field} = {got!r}, expected to contain {want.text!r}"
        elif isinstance(want, (int, float)) and not isinstance(want, bool):
            assert got != "", f"{name}[{key}].{field} is empty, expected {want}"
            assert math.isclose(float(got), float(want), rel_tol=0, abs_tol=1e-9), \
                f"{name}[{key}].{field} = {got!r}, expected {want}"
        else:
            assert got == want, f"{name}[{key}].{field} = {got!r}, expected {want!r}"


def _spans(fragment: str):
    text = seed_text()
    start = text.find(fragment)
    while start != -1:
        yield start, start + len(fragment)
        start = text.find(fragment, start + 1)


def test_ignored_contexts_in_seed():
    for context, token, _reason in IGNORED:
        assert context in seed_text(), f"ignored context not in seed: {context!r}"
        assert token in context


def test_every_number_in_seed_is_covered():
    text = seed_text()
    covered = [span for e in ENTRIES for span in _spans(e[0])]
    ignored = []
    for context, token, _ in IGNORED:
        for s, _e in _spans(context):
            for m in NUMBER.finditer(context):
                if m.group() == token:
                    ignored.append((s + m.start(), s + m.end()))
    missing = []
    for m in NUMBER.finditer(text):
        a, b = m.span()
        if (a, b) in ignored:
            continue
        if not any(s <= a and b <= e for s, e in covered):
            missing.append(f"{m.group()!r} in …{text[max(0, a - 40):b + 40]!r}…")
    assert not missing, "numbers in the seed not covered by any entry:\n" + "\n".join(missing)


# --- structural rules the lead's validator also checks -------------------------------------

def _rows(name):
    return list(table(name).values())


def test_metrics_ranges_and_subject():
    for r in _rows("metrics"):
        assert float(r["value_low"]) <= float(r["value_high"]), r["metric_id"]
        assert bool(r["subject_system_id"]) != bool(r["subject_org_id"]), r["metric_id"]


def test_relationships_one_subject_one_object():
    for r in _rows("relationships"):
        assert bool(r["subject_org_id"]) != bool(r["subject_system_id"]), r["relationship_id"]
        assert bool(r["object_org_id"]) != bool(r["object_system_id"]), r["relationship_id"]


@pytest.mark.parametrize("name", sorted(primary_keys()))
def test_precision_iff_date(name):
    for r in _rows(name):
        for col in r:
            if col.endswith("_precision"):
                base = col[: -len("_precision")]
                assert bool(r[col]) == bool(r[base]), f"{name}: {col} vs {base} in {r}"


@pytest.mark.parametrize("name", sorted(primary_keys()))
def test_csv_encoding(name):
    raw = (DATA / f"{name}.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "BOM found"
    assert b"\r\n" not in raw, "CRLF line endings found"
    raw.decode("utf-8")

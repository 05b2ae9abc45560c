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
     {"published": "2017-01-01", "published_precision": "month", "kind": "executive order",
      # cited by the surname the source gives, not "President Trump" (listed under P) nor a first name
      "publisher": "Trump", "note": Contains("President Trump")}),
    # acronyms the source does not spell out stay letters: no invented expansion
    ("Research by the U.S. GAO, the ACLU", "organizations", "gao", {"name": "U.S. GAO", "short_name": "GAO"}),
    ("DHS’s two main biometric databases, EID and IDENT", "systems", "eid", {"name": "EID", "acronym": "EID"}),
    ("sent to the FBI’s Next Generation Identification", "organizations", "fbi", {"name": "FBI"}),
    ("ICE has relied on DMV's use of facial recognition software", "organizations", "dmvs",
     {"name": "DMVs (not named)", "short_name": "DMV"}),
    ("ICE has relied on DMV's use of facial recognition software", "relationships",
     "ice-relies-on-dmv-face-recognition", {"relation": "relies on", "subject_org_id": "ice"}),
    ("set up and operated by CSC Government Solutions", "relationships", "csc-gs-set-up-dc-stennis",
     {"relation": "set up", "object_system_id": "dc-stennis"}),
    ("set up and operated by CSC Government Solutions", "relationships", "csc-gs-ran-dc-stennis",
     {"relation": "ran", "object_system_id": "dc-stennis"}),
    ("and the second by Electronic Data Systems", "relationships", "eds-set-up-dc-clarksville",
     {"relation": "set up", "object_system_id": "dc-clarksville"}),
    ("and the second by Electronic Data Systems", "relationships", "eds-ran-dc-clarksville",
     {"relation": "ran", "object_system_id": "dc-clarksville"}),
    ("contract with ICE’s Detention Compliance and Removal office", "relationships",
     "ice-dcr-contracted-for-trss-monitoring", {"relation": "contracted for", "object_system_id": "trss-monitoring"}),
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
      "agency_id": "", "announced": "2018-02-01", "announced_precision": "month",
      "purpose": Contains("phases 1 and 2")}),
    ("awarded a $95 million contract in February 2018", "events", "hart-contract-2018",
     {"date": "2018-02-01", "date_precision": "month", "kind": "award"}),
    ("will have the capacity to store at least 500 million unique identities", "metrics", "hart-identities-capacity",
     {"value_low": 500_000_000, "value_high": 500_000_000, "qualifier": "at least", "measure": Contains("will")}),
    ("support at least 720,000 daily transactions", "metrics", "hart-daily-transactions-capacity",
     {"value_low": 720_000, "value_high": 720_000, "qualifier": "at least", "measure": Contains("will")}),
    ("It will perform multi-modal processing and matching using at least seven types of biometric identifiers",
     "metrics", "hart-modalities",
     {"value_low": 7, "value_high": 7, "qualifier": "at least", "measure": Contains("will")}),
    ("As of November 2018, the first phrase of HART is scheduled to be operational by April 2019", "events",
     "hart-phase1-operational-2019",
     {"date": "2019-04-01", "date_precision": "month", "hedge": "scheduled", "kind": "plan",
      "description": Contains("November 2018"), "source_id": "afsc-2019", "primary_source_id": ""}),
    ("for the first two developmental phases of HART", "relationships", "nec-algorithm-hart",
     {"relation": "supplies algorithm to", "hedge": "planned"}),
    ("scars and tattoos, and a blanket category", "system_data", ("hart", "scars and tattoos", "planned capacity"),
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
     {"amount_usd": 52_500_000, "amount_kind": "cumulative received", "qualifier": "exact", "agency_id": "",
      "period_start": "2013-01-01", "period_start_precision": "year",
      "period_end": "2018-01-01", "period_end_precision": "year"}),
    ("In November 2018 it was awarded a one-year contract for FALCON-SA services worth potentially $42.3 million",
     "contracts", "falcon-sa-2018-11",
     {"amount_usd": 42_300_000, "amount_kind": "potential ceiling", "qualifier": "potentially", "agency_id": "",
      "announced": "2018-11-01", "announced_precision": "month", "note": Contains("one-year")}),
    ("In November 2018 it was awarded", "events", "falcon-sa-contract-2018",
     {"date": "2018-11-01", "date_precision": "month"}),
    # --- cloud and data centers
    ("Beginning in 2008, DHS began to migrate most of its systems", "events", "dhs-data-center-migration-2008",
     {"date": "2008-01-01", "date_precision": "year", "kind": "migration"}),
    ("In 2017, Accenture was awarded a contract worth $307 million", "contracts", "accenture-data-centers-2017",
     {"amount_usd": 307_000_000, "amount_kind": "awarded", "announced": "2017-01-01",
      "announced_precision": "year", "agency_id": ""}),
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
     "relationships", "unisys-helped-deploy-unisys-alpr",
     {"relation": "helped deploy", "detail": Contains("before the 2016 contract")}),
    ("worked with CBP to deploy automated license plate reader technology", "relationships",
     "unisys-helped-deploy-unisys-alpr", {"detail": Contains("with CBP")}),
    ("and radio frequency identification technology to confirm the identity", "relationships",
     "unisys-helped-deploy-unisys-rfid", {"relation": "helped deploy", "detail": Contains("with CBP")}),
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
    # what the new service will catalog is a capability still to come, not data it already sells
    ("will catalog arrested persons’ vehicle registration information", "system_data",
     ("trss-monitoring", "vehicle registration", "planned capacity"), {"data_family": "vehicle"}),
    ("credit history, payday loans, public court records, employer records, wire transfers", "system_data",
     ("trss-monitoring", "payday loans", "planned capacity"), {"data_family": "financial"}),
    ("the new system will be capable of tracking 500,000 identities per month", "metrics", "trss-monitoring-capacity",
     {"value_low": 500_000, "value_high": 500_000, "unit": "identities per month", "measure": Contains("will"),
      "note": Contains("capacity")}),
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
    # --- claims as the source puts them (issue 11): the wording of the data, not only its figures
    ("By making any immigrant who interfaces with the criminal justice system", "concerns",
     "secure-communities-dragnet", {"summary": Contains("any immigrant who comes into contact with the criminal")}),
    ("arrested but never charged, low-level offenders, and crime victims or witnesses", "concerns",
     "secure-communities-dragnet", {"summary": Contains("low-level offenders")}),
    ("By making any immigrant who interfaces with the criminal justice system", "relationships", "ident-feeds-ice",
     {"detail": Contains("any immigrant")}),
    ("and immigrants who have interfaced with the criminal justice system", "systems", "ident",
     {"note": Contains("immigrants who have come into contact with the criminal justice system")}),
    ("to provide data center services at all three facilities", "relationships", "accenture-services-dc-stennis",
     {"relation": "provides data-center services at", "subject_org_id": "accenture"}),
    ("to provide data center services at all three facilities", "relationships",
     "accenture-services-dc-clarksville", {"relation": "provides data-center services at"}),
    ("to provide data center services at all three facilities", "relationships",
     "accenture-services-dc-springfield", {"relation": "provides data-center services at"}),
    ("of which ICE’s primary case management software ICM is a central component", "relationships",
     "icm-component-of-tecs-mod", {"relation": "component of", "detail": Contains("central component")}),
    ("of which ICE’s primary case management software ICM is a central component", "systems", "tecs-mod",
     {"note": Contains("a central component")}),
    ("what the American Civil Liberties Union (ACLU) has described as a “growing network of interconnected databases",
     "concerns", "aclu-interconnected-databases",
     {"raised_by_id": "aclu", "source_id": "afsc-2019", "primary_source_id": "aclu-interconnected-databases"}),
    ("what the American Civil Liberties Union (ACLU) has described as", "sources", "aclu-interconnected-databases",
     {"cited_by_id": "afsc-2019", "note": Contains("AFSC page")}),
    ("use biometric technologies and mobile capture devices manufactured by Gemalto", "relationships",
     "gemalto-devices-la-sheriff", {"relation": "makes devices used by", "object_org_id": "la-sheriff"}),
    ("manufactured by Gemalto, NEC Corporation, and the privately-held company DataWorks Plus", "relationships",
     "nec-devices-la-sheriff", {"relation": "makes devices used by", "object_org_id": "la-sheriff"}),
    ("manufactured by Gemalto, NEC Corporation, and the privately-held company DataWorks Plus", "relationships",
     "dataworks-plus-devices-la-sheriff", {"relation": "makes devices used by", "object_org_id": "la-sheriff"}),
    ("ICE offices in Dallas, Houston, and San Antonio were found to be experimenting", "systems",
     "streetlight-cameras", {"note": Contains("were found")}),
    ("ICE offices in Dallas, Houston, and San Antonio were found to be experimenting", "relationships",
     "ice-dallas-uses-streetlight-cameras", {"detail": Contains("found experimenting")}),
    # a finding of experiments, hedged as the source hedges it; no owner, no use the source does not state
    ("ICE offices in Dallas, Houston, and San Antonio were found to be experimenting", "relationships",
     "ice-houston-uses-streetlight-cameras", {"relation": "experimented with", "hedge": "found to be"}),
    ("ICE offices in Dallas, Houston, and San Antonio were found to be experimenting", "systems",
     "streetlight-cameras", {"owner_id": "", "status": "pilot"}),
    # 'now' on a January 2019 page is January 2019
    ("CSC Government Solutions (now CSRA/General Dynamics)", "relationships", "csc-gs-became-csra",
     {"detail": Contains("By January 2019")}),
    ("the second by Electronic Data Systems (now DXC Technology)", "relationships", "eds-became-dxc",
     {"detail": Contains("By January 2019")}),
    # several companies hold the contracts, the two named among them
    ("Several companies have contracts to migrate ICE’s TECS Modernization Program", "relationships",
     "aws-govcloud-hosts-tecs-mod", {"detail": Contains("among them"), "hedge": "planned"}),
    # the privacy groups' concerns read as theirs, not as the book's own claims
    ("Privacy groups have raised concerns around DHS’s lack of transparency", "concerns", "hart-transparency",
     {"raised_by_id": "privacy-groups", "summary": Contains("Privacy groups")}),
    ("the dangers of building out a massive database of facial images", "concerns", "hart-face-database",
     {"raised_by_id": "privacy-groups", "summary": Contains("Privacy groups warn")}),
    # Microsoft's walk-back is undated: it is in the contract's note (cited to the statement), not in a dated event
    ("Microsoft walked back the statement and said that the ICE contract in question", "contracts",
     "microsoft-ice-azure", {"primary_source_id": "microsoft-walk-back", "note": Contains("no date")}),
    ("In 2016, ICE’s Homeland Security Investigations admitted to using GOST", "events", "hsi-gost-2016",
     {"description": Contains("admits"), "hedge": ""}),
    ("process data on edge devices or utilize deep learning capabilities", "relationships", "ice-uses-azure",
     {"detail": Contains("edge devices or")}),
    ("process data on edge devices or utilize deep learning capabilities", "events", "microsoft-blog-2018",
     {"description": Contains("edge devices or")}),
    ("as well as a mobile application called EDDIE", "systems", "eddie", {"kind": "mobile app"}),
    ("to take fingerprints and photographs and scan them against databases", "system_data",
     ("eddie", "photographs", "matches"), {"data_family": "biometric"}),
    ("a controversial war-zone surveillance project used by the U.S. military in Afghanistan", "systems", "nexus-7",
     {"owner_id": "", "note": Contains("the U.S. military used")}),
    ("an alert will be dispatched to immigration enforcement authorities", "systems", "tvs",
     {"note": Contains("alert")}),
    ("is encountered illegally crossing the border", "systems", "tvs",
     {"note": Contains("crossing the border illegally")}),
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


# --- claims as the source puts them (issue 11) ----------------------------------------------------------------
# The entries above tie each claim to the row that must say it; the checks below keep the stretched wording
# from coming back: in the data (rows that must not exist), in the chapters' prose (the notebooks' markdown and
# the phrases their code glues into it) and in the Markdown pages.

NOTEBOOKS = REPO / "notebooks"
PAGES = REPO / "book"

# (why, table, predicate on a row): no row may match
NOT_SAID = [
    ("Accenture provides data-center services at the three facilities; the source does not say it runs them",
     "relationships", lambda r: r["subject_org_id"] == "accenture" and r["relation"] in ("operates", "builds",
                                                                                          "maintains")),
    ("Unisys worked with CBP to deploy plate readers and RFID; the source does not say it built them",
     "relationships", lambda r: r["subject_org_id"] == "unisys" and r["object_system_id"] in ("unisys-alpr",
                                                                                              "unisys-rfid")
     and r["relation"] == "builds"),
    ("the LA County Sheriff's Department uses devices these firms make; the source does not say it buys them",
     "relationships", lambda r: r["object_org_id"] == "la-sheriff" and r["relation"] == "supplies device to"),
    ("HART's capacities are what it will have, not DHS requirements", "system_data",
     lambda r: r["role"] == "required capacity"),
    ("HART does not match anything yet: its matching is a planned capacity", "system_data",
     lambda r: r["system_id"] == "hart" and r["role"] == "matches"),
    ("a capacity stated in the future tense is not a present measure", "metrics",
     lambda r: r["metric_id"] in ("trss-monitoring-capacity", "hart-identities-capacity",
                                  "hart-daily-transactions-capacity", "hart-modalities")
     and " will " not in f" {r['measure']} "),
    ("no payer is named for the Accenture, HART, FALCON-SA, ICM and TECS Modernization amounts", "contracts",
     lambda r: r["contract_id"] in ("accenture-data-centers-2017", "hart-2018", "falcon-sa-2013-2018",
                                    "falcon-sa-2018-11", "icm-2014", "tecs-mod-booz-allen", "tecs-mod-prizum")
     and r["agency_id"] != ""),
    ("CSC and EDS set up and operated the two DHS data centers (past): not 'builds' nor a present 'operates'",
     "relationships", lambda r: r["subject_org_id"] in ("csc-gs", "eds") and r["relation"] in ("builds", "operates")),
    ("ICE has relied on the DMVs' use of face recognition; the source does not say ICE uses the software",
     "relationships", lambda r: r["object_system_id"] == "dmv-face-recognition" and r["subject_org_id"] == "ice"
     and r["relation"] != "relies on"),
    ("ICE's removal office signed a contract for a new service that will track identities; not one in use",
     "relationships", lambda r: r["object_system_id"] == "trss-monitoring" and r["relation"] == "uses"),
    ("the source says the military used Nexus 7, not that it owned or ran it", "systems",
     lambda r: r["system_id"] == "nexus-7" and r["owner_id"] != ""),
    ("'as early as' is not in the source", "events", lambda r: "early as" in r["description"].lower()),
    ("the source gives no date for Microsoft's walk-back: no dated event may carry it", "events",
     lambda r: re.search(r"walk|took back|retract", r["description"], re.I)),
    ("ICE offices were found experimenting with the streetlight cameras; the source states no use and no owner",
     "relationships", lambda r: r["object_system_id"] == "streetlight-cameras"
     and (r["relation"] != "experimented with" or r["hedge"] != "found to be")),
    ("ICE offices were found experimenting with the streetlight cameras; the source names no owner", "systems",
     lambda r: r["system_id"] == "streetlight-cameras" and r["owner_id"] != ""),
    ("a bare 'now' reads as the reader's present; the page's 'now' is January 2019", "relationships",
     lambda r: re.match(r"now\b", r["detail"], re.I)),
    ("a detail reads as its row, 'subject relation object': a verb agreeing with its subject, not 'DOD query'",
     "relationships", lambda r: re.search(r"\bquery IDENT\b", r["detail"])),
    ("TRSS's new service will catalog these records (future); the jail booking data is what it provides",
     "system_data", lambda r: r["system_id"] == "trss-monitoring" and r["data_type"] != "jail booking data"
     and r["role"] != "planned capacity"),
]


@pytest.mark.parametrize("why, name, wrong", NOT_SAID, ids=[n[0][:60] for n in NOT_SAID])
def test_no_row_says_more_than_the_source(why, name, wrong):
    bad = [key for key, row in table(name).items() if wrong(row)]
    assert not bad, f"{name}: {bad} — {why}"


def _markdown_pages() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(PAGES.glob("*.md"))}


@cache
def chapter_cells(notebook: str) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]


def chapter_text(notebook: str, kinds=("markdown", "code")) -> str:
    """The cell sources of a chapter: its prose and the code that glues phrases into it."""
    return "\n\n".join("".join(c["source"]) for c in chapter_cells(notebook) if c["cell_type"] in kinds)


CHAPTERS = ["overview", "databases", "case_management", "cloud", "biometrics", "data_brokers"]

# (why, pattern): nowhere in the chapters' cells nor in book/*.md
NEVER_WRITTEN = [
    ("HART's capacities are what it will have, not DHS requirements", r"\brequire(d|ments?)\b"),
    ("HART's capacities are stated floors, not 'required minimums'", r"required minimum"),
    ("IDENT shows ICE any immigrant who meets the justice system, not everyone", r"\beveryone\b"),
    ("ICE offices were found to be experimenting (past)", r"\b(are|have been|were) being tried|have been tried"),
    ("'as early as' is not in the source", r"\bas early as\b"),
    ("ICM is a central component of TECS Modernization; 'core' only in the PIA's own phrase",
     r"\bcore\b(?!\s+law\s+enforcement\s+case\s+management\s+tool)"),
    ("Accenture provides data-center services; it is not said to run them", r"Accenture\W+(\w+\W+)?(runs?|operates?)"),
    ("several companies hold TECS Modernization contracts, not two", r"\b(2|two) (firms|companies|contractors)\b"),
    ("no payer is named for the Accenture, HART and FALCON-SA amounts", r"\b(awarded|paid) by (DHS|ICE)\b"),
    ("the LA County Sheriff's Department uses the devices; the source does not say it buys them",
     r"Sheriff's Department (buys|bought|purchases)"),
    ("Unisys worked with CBP to deploy the plate readers and RFID", r"Unisys (builds|built) "),
    ("the ACLU phrase is quoted by the AFSC page, not by the report", r"report quotes the American Civil"),
    ("the book knows the report's words only through the AFSC page, whose five parts these are",
     r"report's own word|the report says|parts? of the report"),
    ("a stray glued value in brackets: work it into the sentence",
     r"\(in the data:|\(\{eval\}`prose\.hart_suppliers`\)"),
    ("TRSS signed its contract (the source's word), it did not just agree one", r"agreed a contract"),
    ("the source's own clause on Accenture's contract", r"contract worth\s+\{eval\}`[^`]+`\s+to provide data.center"),
    ("the privacy groups' concerns about HART, not the book's claims", r"are listed below:\s+DHS has not said"),
]


@pytest.mark.parametrize("why, pattern", NEVER_WRITTEN, ids=[n[0][:60] for n in NEVER_WRITTEN])
def test_prose_does_not_stretch_the_source(why, pattern):
    texts = {f"notebooks/{n}.ipynb": chapter_text(n) for n in CHAPTERS}
    texts |= {f"book/{name}": text for name, text in _markdown_pages().items() if name != "changes.md"}
    found = [f"{where}: …{text[max(0, m.start() - 40):m.end() + 40]}…" for where, text in texts.items()
             for m in re.finditer(pattern, text, flags=re.IGNORECASE)]
    assert not found, f"{why}:\n" + "\n".join(found)


# (chapter, pattern that its prose must contain, why): facts the book once carried only in part
ALWAYS_WRITTEN = [
    ("biometrics", r"\bgait\b", "gait is among the biometric identifiers the source lists"),
    ("overview", r"low-level\s+offenders", "low-level offenders are among those Secure Communities exposes"),
    ("databases", r"low-level\s+offenders", "low-level offenders are among those Secure Communities exposes"),
    ("biometrics", r"crossing\s+the\s+border\s+illegally", "TVS: the traveler later found crossing the border"),
    ("biometrics", r"an\s+alert\s+goes\s+out", "TVS: a match sends an alert to immigration enforcement"),
    ("data_brokers", r"street\s+lights", "street lights are among the plate readers' mounts"),
    ("data_brokers", r"information\s+brokers", "another name the source gives data brokers"),
    ("data_brokers", r"information\s+solution\s+providers", "another name the source gives data brokers"),
    ("biometrics", r"EDDIE, a mobile application", "EDDIE is a mobile application, not a device"),
    ("biometrics", r"were\s+found\s+to\s+be\s+experimenting", "the camera trials are a past finding"),
    ("cloud", r"Several\s+firms\s+hold\s+contracts", "several companies hold TECS Modernization contracts"),
    ("cloud", r"prose\.tecs_contractors`\s+among\s+them", "the two named firms are among several"),
    ("cloud", r"a\s+central\s+part", "ICM is a central component of TECS Modernization"),
    ("databases", r"will\s+have\s+room\s+for", "HART's capacities are what it will have"),
    ("data_brokers", r"will\s+be\s+able\s+to\s+track", "TRSS's service will be able to track identities"),
    ("biometrics", r"either\s+process\s+data\s+on\s+edge\s+devices\s+or", "Azure: edge processing or faster "
                                                                          "face recognition"),
    ("biometrics", r"makes devices used by", "the LA Sheriff's Department uses devices these firms make"),
    ("cloud", r"Who set up and ran the data centers", "CSC and EDS set up and operated the centers (past)"),
    ("biometrics", r"finds\s+no\s+match\s+and", "TVS: enforcement follows only when the photograph finds no match"),
    ("overview", r"Where\s+ICE\s+can\s+see\s+them|where\s+\{steps\[-1\]\}\s+can\s+see\s+them",
     "booking fingerprints become visible to ICE through IDENT; the source does not say they are sent to ICE"),
    ("biometrics", r"target\s+for\s+removal\s+immigrants\s+with\s+no\s+criminal\s+record",
     "the ACLU's lawsuit concerns immigrants without criminal histories, not people in general"),
]


@pytest.mark.parametrize("notebook, pattern, why", ALWAYS_WRITTEN, ids=[f"{n}:{w[:50]}" for n, _, w in ALWAYS_WRITTEN])
def test_prose_carries_the_whole_fact(notebook, pattern, why):
    assert re.search(pattern, chapter_text(notebook)), f"{notebook}: {why} ({pattern!r} not found)"


def _cell_with(notebook: str, key: str) -> str:
    cells = [t for t in (("".join(c["source"])) for c in chapter_cells(notebook) if c["cell_type"] == "markdown")
             if f"prose.{key}`" in t]
    assert cells, f"{notebook}: no paragraph prints prose.{key}"
    return "\n".join(cells)


# (chapter, glued count, what must stand beside it so the reader knows what was counted)
COUNTS_SAY_WHAT = [
    ("data_brokers", "data_types", ["prose.data_labels`", "prose.same_kinds`"]),
    ("data_brokers", "n_firms", ["prose.tr_vendors`", "not on its own"]),
    ("biometrics", "n_bio_systems", ["prose.tattoo_systems`", "tattoos", "HART, which will", "left\nout"]),
    # the face-bias finding is one concern in a record per research group: records and distinct concerns apart
    ("biometrics", "n_concerns", ["prose.n_concern_rows` records", "distinct", "one row per voice"]),
]


@pytest.mark.parametrize("notebook, key, beside", COUNTS_SAY_WHAT, ids=[f"{n}:{k}" for n, k, _ in COUNTS_SAY_WHAT])
def test_derived_counts_say_what_they_count(notebook, key, beside):
    text = _cell_with(notebook, key)
    missing = [b for b in beside if b not in text]
    assert not missing, f"{notebook}: the paragraph printing prose.{key} lacks {missing}"


# chapters whose opening says what their charts emphasize, glued from the highlight parameter
HIGHLIGHT_OPENINGS = ["databases", "case_management", "cloud", "biometrics", "data_brokers"]


@pytest.mark.parametrize("notebook", HIGHLIGHT_OPENINGS)
def test_opening_names_the_highlight(notebook):
    opening = next("".join(c["source"]) for c in chapter_cells(notebook) if c["cell_type"] == "markdown")
    assert re.search(r"charts emphasi[sz]e[^.]*\{eval\}`prose\.highlight(_family)?`", opening), \
        f"{notebook}: the opening does not say that the charts emphasize the highlight"


def test_biometric_count_leaves_out_what_is_only_planned():
    """HART will process traits once built: the count of systems that handle a trait leaves it out."""
    code = chapter_text("biometrics", kinds=("code",))
    assert re.search(r'now = bio\[bio\.does != "will process and match"\]', code)
    assert re.search(r'book\.glue\("n_bio_systems", now,', code)


def test_kinds_of_broker_data_under_several_names_are_counted_once():
    """The data-broker chapter merges the names one kind of data goes by (SAME in its code); every plate,
    location and social-media label of the broker products must be in that map, or the count of kinds
    silently counts it again."""
    import ast

    code = chapter_text("data_brokers", kinds=("code",))
    same = next(ast.literal_eval(node.value) for node in ast.walk(ast.parse(code))
                if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "SAME" for t in node.targets))
    labels = {key[1] for key, row in table("system_data").items() if row["section"] == "data_brokers"}
    loose = sorted(x for x in labels if re.search(r"plate|location|social", x, re.I) and x not in same)
    assert not loose, f"labels of a kind with several names, not merged by SAME: {loose}"
    assert len(set(same.values())) < len(same), "SAME merges nothing"


def _cites_around(notebook: str, key: str) -> set[str]:
    """The citation keys of the first {cite:p} role after the glued phrase prose.KEY in its paragraph."""
    text = _cell_with(notebook, key)
    after = text[text.index(f"prose.{key}`"):]
    m = re.search(r"\{cite:p\}`([^`]*)`", after)
    assert m, f"{notebook}: no citation after prose.{key}"
    return {k.strip() for k in m.group(1).split(",")}


def test_hart_schedule_is_cited_to_the_afsc_page_only():
    # dated November 2018, after the August 2018 report: the report cannot hold it
    assert _cites_around("databases", "hart_phase1") == {"afsc-2019"}


def test_aclu_phrase_is_cited_through_the_afsc_page():
    texts = [chapter_text(n, kinds=("markdown",)) for n in CHAPTERS] + list(_markdown_pages().values())
    roles = [m.group(1) for t in texts for m in re.finditer(r"\{cite:p\}`([^`]*)`", t)
             if "aclu-interconnected-databases" in m.group(1)]
    assert roles, "the ACLU phrase is not cited anywhere"
    for keys in roles:
        cited = {k.strip() for k in keys.split(",")}
        assert "afsc-2019" in cited and "mijente-2018" not in cited, keys


# --- own words: facts carry over, sentences do not ---------------------------------------------------------------
FREE_TEXT = ("purpose", "detail", "description", "summary", "note", "measure")
DATA_RUN = 7  # consecutive words a free-text cell may not share with the seed (outside quotation marks)
PROSE_RUN = 12  # the same for a sentence of the chapters' prose


def _words(text: str) -> list[str]:
    text = text.replace("’", "'").replace("‘", "'").lower()
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)


def _unquoted(text: str) -> str:
    return re.sub(r"“[^”]*”|\"[^\"]*\"|(?<!\w)'[^']*'(?!\w)", " … ", text)


@cache
def _seed_runs(n: int) -> frozenset:
    w = _words(seed_text())
    return frozenset(tuple(w[i:i + n]) for i in range(len(w) - n + 1))


def _copied(text: str, n: int) -> str | None:
    w = _words(_unquoted(text))
    runs = _seed_runs(n)
    return next((" ".join(w[i:i + n]) for i in range(len(w) - n + 1) if tuple(w[i:i + n]) in runs), None)


def test_free_text_in_data_is_in_our_own_words():
    copied = [f"{name}[{key}].{col}: “{run}”" for name in sorted(primary_keys()) for key, row in table(name).items()
              for col in FREE_TEXT if row.get(col) and (run := _copied(row[col], DATA_RUN))]
    assert not copied, f"free text sharing {DATA_RUN}+ consecutive words with the seed:\n" + "\n".join(copied)


def test_chapter_prose_is_in_our_own_words():
    copied = []
    for n in CHAPTERS:
        prose = re.sub(r"\{[\w:-]+\}`[^`]*`", " … ", chapter_text(n, kinds=("markdown",)))
        copied += [f"{n}: “{run}”" for sentence in re.split(r"(?<=[.;:])\s", prose)
                   if (run := _copied(sentence, PROSE_RUN))]
    assert not copied, f"prose sharing {PROSE_RUN}+ consecutive words with the seed:\n" + "\n".join(copied)


def test_the_own_words_check_can_fail():
    assert _copied("ICE has access to data collected and stored by other federal and sub-federal law enforcement "
                   "agencies", DATA_RUN)
    assert not _copied("IDENT holds records on people who travel, apply for visas or meet the police", DATA_RUN)

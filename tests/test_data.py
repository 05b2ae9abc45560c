"""The one loader: typed tables from the data package."""

import pandas as pd
import pytest

from surveillance_book import data, read_log
from surveillance_book.paths import DATA_DIR


def test_every_table_loads_with_the_columns_of_its_schema():
    for res in data.package()["resources"]:
        frame = data.load(res["name"])
        assert list(frame.columns) == [f["name"] for f in res["schema"]["fields"]]
        assert len(frame) > 0, res["name"]


def test_types_follow_the_schema():
    contracts = data.load("contracts")
    assert pd.api.types.is_datetime64_any_dtype(contracts["announced"])
    assert pd.api.types.is_float_dtype(contracts["amount_usd"])
    assert isinstance(contracts["amount_kind"].dtype, pd.CategoricalDtype)
    kinds = data.resource("contracts")["schema"]["fields"]
    enum = next(f for f in kinds if f["name"] == "amount_kind")["constraints"]["enum"]
    assert list(contracts["amount_kind"].cat.categories) == enum
    assert contracts["purpose"].dtype == "string"


def test_empty_cells_are_missing_values_not_empty_strings():
    contracts = data.load("contracts")
    assert contracts["system_id"].isna().any()
    assert not (contracts["system_id"] == "").any()


def test_known_by_keeps_facts_stated_by_the_date():
    frame = pd.DataFrame({"as_of": pd.to_datetime(["2018-05-01", "2019-01-01"]), "v": [1, 2]})
    assert data.known_by(frame, "2018-12-31")["v"].tolist() == [1]
    assert data.known_by(frame, "2019-01-01")["v"].tolist() == [1, 2]


def test_loader_records_the_files_it_read():
    read_log.FILES_READ.clear()
    data.load("metrics")
    assert (DATA_DIR / "metrics.csv").resolve() in read_log.FILES_READ
    assert read_log.FILES_READ == {(DATA_DIR / "metrics.csv").resolve(), (DATA_DIR / "datapackage.json").resolve()}


def test_unknown_table_is_a_clear_error():
    with pytest.raises(KeyError, match="no table 'contract'"):
        data.load("contract")


def test_source_of_prefers_the_primary_source():
    frame = pd.DataFrame({"source_id": ["afsc-2019", "afsc-2019"],
                          "primary_source_id": ["dhs-pia-2016", None]})
    assert data.source_of(frame).tolist() == ["dhs-pia-2016", "afsc-2019"]


@pytest.mark.parametrize(("date", "precision", "expected"), [
    ("2018-01-01", "year", "2018-12-31"),
    ("2020-02-01", "month", "2020-02-29"),
    ("2019-04-01", "month", "2019-04-30"),
    ("2019-04-17", "day", "2019-04-17"),
    ("2018-12-31", "year", "2018-12-31"),
])
def test_period_end_is_the_last_day_the_date_stands_for(date, precision, expected):
    assert data.period_end(pd.Timestamp(date), precision) == pd.Timestamp(expected)


def test_period_end_rejects_an_unknown_precision():
    with pytest.raises(KeyError):
        data.period_end(pd.Timestamp("2018-01-01"), "decade")


def test_only_the_package_files_are_published(data_copy):
    from surveillance_book.data import published_files

    (data_copy / "private-notes.csv").write_text("a\n1\n", encoding="utf-8")
    (data_copy / ".hidden.csv").write_text("a\n1\n", encoding="utf-8")
    names = sorted(p.name for p in published_files(data_copy))
    tables = sorted(p.name for p in data_copy.glob("*.csv") if not p.name.startswith((".", "private")))
    assert names == sorted(["datapackage.json", *tables])  # data_copy leaves out README.md

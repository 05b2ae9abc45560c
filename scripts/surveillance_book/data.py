"""The one loader: typed pandas DataFrames from the data package in ``data/``.

Types come from the Table Schemas in ``datapackage.json``: dates are parsed,
fields with an enum become ordered categoricals, numbers become floats.
Every file opened is recorded by ``read_log`` (the build uses it to know what a notebook read).
"""

import json
from functools import cache
from pathlib import Path

import pandas as pd

from .paths import DATA_DIR, PACKAGE_FILE, PACKAGE_README
from .read_log import record as _record


@cache
def _descriptor(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def package(data_dir: str | Path = DATA_DIR) -> dict:
    """The data package descriptor (version, licences, resources)."""
    path = (Path(data_dir) / PACKAGE_FILE).resolve()
    _record(path)  # recorded on every use, cached or not
    return _descriptor(path)


def resource(name: str, data_dir: str | Path = DATA_DIR) -> dict:
    for res in package(data_dir)["resources"]:
        if res["name"] == name:
            return res
    raise KeyError(f"no table {name!r} in {Path(data_dir) / PACKAGE_FILE}")


def published_files(data_dir: str | Path = DATA_DIR) -> list[Path]:
    """What the book publishes of the data folder: the descriptor, its README and the tables it lists,
    nothing else (the validator rejects any other file there)."""
    data_dir = Path(data_dir)
    tables = [data_dir / res["path"] for res in package(data_dir)["resources"]]
    readme = [data_dir / PACKAGE_README] if (data_dir / PACKAGE_README).is_file() else []
    return [data_dir / PACKAGE_FILE, *readme, *tables]


def _typed(column: pd.Series, field: dict) -> pd.Series:
    kind = field.get("type", "string")
    enum = field.get("constraints", {}).get("enum")
    if kind == "date":
        return pd.to_datetime(column, format="%Y-%m-%d")
    if kind in ("number", "integer"):
        return pd.to_numeric(column).astype("Float64" if kind == "number" else "Int64")
    if enum:
        return pd.Categorical(column, categories=enum)
    return column.astype("string")


def load(name: str, data_dir: str | Path = DATA_DIR) -> pd.DataFrame:
    """Load one table of the package, typed by its schema."""
    res = resource(name, data_dir)
    path = Path(data_dir).resolve() / res["path"]
    _record(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    fields = res["schema"]["fields"]
    return pd.DataFrame({f["name"]: _typed(raw[f["name"]], f) for f in fields})


def known_by(frame: pd.DataFrame, as_of: str, column: str = "as_of") -> pd.DataFrame:
    """Rows whose fact was stated on or before ``as_of`` (YYYY-MM-DD)."""
    return frame[frame[column] <= pd.Timestamp(as_of)]


def source_of(frame: pd.DataFrame) -> pd.Series:
    """The document each row comes from: its ``primary_source_id``, or else the ``source_id``
    of the report that cites it when no primary source is named."""
    return frame.primary_source_id.fillna(frame.source_id)


_PERIOD_ENDS = {"year": pd.offsets.YearEnd(0), "month": pd.offsets.MonthEnd(0), "day": pd.offsets.Day(0)}


def period_end(date: pd.Timestamp, precision: str) -> pd.Timestamp:
    """The last day of the period a date stands for at its precision (year, month or day):
    2018 at year precision -> 31 December 2018; February 2020 at month precision -> 29 February 2020."""
    return date + _PERIOD_ENDS[precision]

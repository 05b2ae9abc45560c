"""The synthetic data of the scale series (scripts/make_scale_data.py): valid, N times as long, seeded."""

import csv
import subprocess
import sys

import pytest

from surveillance_book.paths import DATA_DIR, REPO
from surveillance_book.validate import validate

SCRIPT = REPO / "scripts" / "make_scale_data.py"


def _rows(folder, name: str) -> list[dict]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _make(out, factor: int = 3, seed: int = 1):
    subprocess.run([sys.executable, str(SCRIPT), "--factor", str(factor), "--seed", str(seed), "--out", str(out)],
                   check=True, capture_output=True)


def test_three_times_the_rows_and_still_valid(tmp_path):
    _make(tmp_path / "x3")
    assert validate(tmp_path / "x3") == []
    for name in ("organizations.csv", "systems.csv", "contracts.csv", "relationships.csv", "system_data.csv"):
        assert len(_rows(tmp_path / "x3", name)) == 3 * len(_rows(DATA_DIR, name)), name
    assert len(_rows(tmp_path / "x3", "sources.csv")) == len(_rows(DATA_DIR, "sources.csv"))  # shared


def test_copies_differ_and_the_same_seed_gives_the_same_data(tmp_path):
    _make(tmp_path / "a", seed=7)
    _make(tmp_path / "b", seed=7)
    _make(tmp_path / "c", seed=8)
    a, b, c = ((tmp_path / f / "contracts.csv").read_bytes() for f in "abc")
    assert a == b and a != c
    orgs = _rows(tmp_path / "a", "organizations.csv")
    assert len({o["name"] for o in orgs}) == len(orgs)


def test_it_refuses_to_write_over_the_data_it_reads(data_copy):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_scale_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    before = sorted(p.name for p in data_copy.iterdir())
    with pytest.raises(SystemExit, match="must not be the real data folder"):
        module.write(3, 1, data_copy, data=data_copy)  # a copy: a broken check cannot touch data/
    assert sorted(p.name for p in data_copy.iterdir()) == before

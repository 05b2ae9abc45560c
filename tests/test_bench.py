"""`make bench` (scripts/bench.py): a stage that fails is reported and measured as failed, not the end of a series."""

import importlib.util
import math
import sys

import pytest

from surveillance_book.paths import REPO


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FAILING = [sys.executable, "-c", "import sys; sys.exit('the stage broke here')"]


def test_a_failing_stage_in_a_series_is_nan_and_its_error_is_shown(bench, tmp_path, capsys):
    seconds, peak = bench.measure(FAILING, tmp_path, {}, may_fail=True)
    assert math.isnan(seconds) and peak >= 0
    assert "the stage broke here" in capsys.readouterr().err


def test_a_failing_build_situation_still_stops_the_bench(bench, tmp_path):
    with pytest.raises(SystemExit, match="the stage broke here"):
        bench.measure(FAILING, tmp_path, {})


def test_a_stage_that_works_is_timed(bench, tmp_path):
    seconds, _ = bench.measure([sys.executable, "-c", "pass"], tmp_path, {})
    assert 0 < seconds < 60

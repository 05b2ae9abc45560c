import pandas as pd
import pytest

from surveillance_book import text


@pytest.mark.parametrize(("value", "qualifier", "expected"), [
    (51_600_000, "exact", "$51.6 million"),
    (42_300_000, "potentially", "potentially $42.3 million"),
    (45_000_000, "nearly", "nearly $45 million"),
    (600_000, "approximately", "about $600,000"),
    (307_000_000, "exact", "$307 million"),
])
def test_money_keeps_the_hedge(value, qualifier, expected):
    assert text.money(value, qualifier) == expected


@pytest.mark.parametrize(("value", "qualifier", "expected"), [
    (230_000_000, "exact", "230 million"),
    (7_000_000_000, "over", "over 7 billion"),
    (500_000_000, "at least", "at least 500 million"),
    (29, "exact", "29"),
    (720_000, "at least", "at least 720,000"),
    (12, "over", "over twelve"),  # the source's "over a dozen": a small count in words, as count() writes it
    (7, "at least", "at least seven"),
    (2.5, "exact", "2.5"),
])
def test_number(value, qualifier, expected):
    assert text.number(value, qualifier) == expected


def test_range_is_shown_as_a_range_not_a_midpoint():
    assert text.value_range(350_000, 400_000) == "350,000–400,000"
    assert text.value_range(110, 110) == "110"


def test_unknown_qualifier_is_an_error_not_silence():
    with pytest.raises(ValueError, match="unknown qualifier 'roughly'"):
        text.money(1, "roughly")


def test_month_follows_the_precision_of_the_source():
    date = pd.Timestamp("2018-02-01")
    assert text.month(date, "month") == "February 2018"
    assert text.month(date, "year") == "2018"


@pytest.mark.parametrize("phrase", ["500,000", "29", "4.2", "1994", "$95 million", "Giant Oak's", "350,000–400,000",
                                    "(not known by this date)", 'the "high-level" tier'])
def test_glued_text_reads_back_exactly_as_written(phrase, monkeypatch):
    from myst_nb.core.variables import format_plain_text

    stored = {}
    monkeypatch.setattr("myst_nb.glue", lambda name, value, display: stored.update({name: repr(value)}))
    text.glue_text("key", phrase)
    assert format_plain_text(stored["key"], "") == phrase


def test_escape_markdown_shows_markup_as_text():
    assert text.escape_markdown("<script>x</script>") == r"\<script\>x\</script\>"
    assert text.escape_markdown("a|b *c*") == r"a\|b \*c\*"
    assert text.escape_markdown(None) == ""
    assert text.escape_markdown(float("nan")) == ""


@pytest.mark.parametrize(("n", "expected"), [
    (0, "zero"), (1, "one"), (3, "three"), (12, "twelve"), (13, "13"), (1200, "1,200"),
])
def test_count_spells_small_numbers(n, expected):
    assert text.count(n) == expected


@pytest.mark.parametrize(("items", "expected"), [
    ([], ""),
    (["ICE"], "ICE"),
    (["ICE", "CBP"], "ICE and CBP"),
    (iter(["ICE", "CBP", "USCIS"]), "ICE, CBP and USCIS"),
    (["faces", "scars and tattoos"], "faces and scars and tattoos"),
    (["scars and tattoos", "faces", "irises"], "scars and tattoos, faces, and irises"),
])
def test_and_list_joins_names_for_prose(items, expected):
    assert text.and_list(items) == expected


def test_times_keeps_a_floor_true_by_rounding_down():
    from surveillance_book.text import times

    assert times(500e6, 230e6, "at least") == "at least 2.1 times"  # 2.17 -> 2.1, never 2.2
    assert times(110, 26) == "4.2 times"
    assert times(30, 7, "up to") == "up to 4.3 times"  # 4.28 -> 4.3
    assert times(40, 20) == "2 times"


def test_counted_nouns_agree_in_number():
    from surveillance_book.text import counted

    assert counted(1, "office") == "one office"
    assert counted(3, "office") == "three offices"
    assert counted(24, "firm") == "24 firms"
    assert counted(2, "agency", "agencies") == "two agencies"


def test_typographic_turns_apostrophes_inside_words_and_nothing_else():
    spec = {"title": "IDENT's size", "data": {"values": [{"who's": "Sheriff's", "n": 1}]},
            "expr": "datum.who === \"Sheriff's\" ? 'a' : 'b'", "list": ["'quoted'", "rock 'n' roll"]}
    assert text.typographic(spec) == {
        "title": "IDENT’s size", "data": {"values": [{"who's": "Sheriff’s", "n": 1}]},
        "expr": "datum.who === \"Sheriff’s\" ? 'a' : 'b'", "list": ["'quoted'", "rock 'n' roll"]}

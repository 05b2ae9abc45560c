"""The amounts figure: one bar per stated amount, kept apart by kind, hedges kept, never summed."""

import json

import pandas as pd
import pytest
from IPython.display import Markdown

from surveillance_book import charts
from surveillance_book.chapter import Chapter, row_ids
from surveillance_book.figures import Figure
from surveillance_book.figures.amounts import WIDTH, amount_text, amounts, derived_by_ratio, when
from surveillance_book.paths import DATA_DIR

AS_OF = "2019-01-31"
DHS_BUYERS = {"dhs", "ice", "ice-dcr", "ice-hsi", "cbp"}


def chapter(section: str, highlight: str | None = None, as_of: str = AS_OF) -> Chapter:
    return Chapter(section, as_of=as_of, highlight=highlight, data_dir=DATA_DIR)


# The rows each chapter draws, and the call it makes.
def overview(book):
    return book.contracts, dict(name="money", title="Contract amounts by vendor, kept apart by kind",
                                unstated="note")


def case_management(book):
    c = book.contracts
    return c[c.system_id.isin(["icm", "falcon-sa"])], dict(
        name="money", title="Palantir's ICM and FALCON-SA amounts, by kind", panels="system_id",
        label="vendor, when", order="time")


def data_brokers(book):
    c = book.contracts
    return c[(c.section == "data_brokers") & c.agency_id.isin(DHS_BUYERS)], dict(
        name="contracts", title="Contracts of data brokers with ICE and DHS", panels=None, label="vendor, when")


def social_media(book):
    m = book.metrics
    spent = m[m.metric_id == "dhs-social-media-spending-2017"]
    ratio = m[m.metric_id == "dhs-social-media-spending-ratio"]
    return spent, dict(name="social-media-spending", title="DHS spending on software that mines social media",
                       panels=None, label="when", order="time", derived=derived_by_ratio(spent, ratio, book))


CHARTS = [("overview", overview, "palantir"), ("case_management", case_management, "palantir"),
          ("data_brokers", data_brokers, "thomson-reuters"), ("data_brokers", social_media, "dhs")]
IDS = ["overview-money", "case-management-money", "data-brokers-contracts", "data-brokers-social-media-spending"]

_CACHE: dict = {}


def draw(section, rows_of, highlight=None, as_of=AS_OF):
    key = (section, rows_of.__name__, highlight, as_of)
    if key not in _CACHE:
        book = chapter(section, highlight, as_of)
        rows, kw = rows_of(book)
        _CACHE[key] = book, rows, amounts(rows, book, **kw)
    return _CACHE[key]


def marks(spec: dict, inherited: dict | None = None):
    """Every (mark, encoding, data name) in a spec, with encodings inherited from enclosing layers."""
    encoding = {**(inherited or {}), **spec.get("encoding", {})}
    if "mark" in spec:
        yield spec["mark"], encoding, spec.get("data", {}).get("name")
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []):
            yield from marks(child, encoding)


def dataset_rows(spec: dict) -> list[dict]:
    return [r for values in spec["datasets"].values() for r in values]


def bar_rows(spec: dict) -> list[dict]:
    return [r for r in dataset_rows(spec) if "usd" in r]


def everything(obj):
    """Every dict inside a spec."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from everything(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from everything(v)


@pytest.mark.parametrize(("section", "rows_of", "highlight"), CHARTS, ids=IDS)
def test_each_chart_is_a_figure_named_sourced_and_described(section, rows_of, highlight):
    book, rows, fig = draw(section, rows_of, highlight)
    assert isinstance(fig, Figure)
    assert fig.name == f"{section.replace('_', '-')}-{rows_of(book)[1]['name']}"
    assert fig.rows.attrs["table"] == rows.attrs["table"]
    assert charts.source_line(fig.spec) == f"Source: {book.source_line(fig.rows)}"
    assert set(row_ids(rows)) <= set(row_ids(fig.rows))
    for r in dataset_rows(fig.spec):
        if "usd" in r:
            assert f"{r['name']}: {r['amount']}" in fig.output.description
    for mark, encoding, _ in marks(fig.spec):
        tooltip = encoding.get("tooltip", [])
        assert any(t["field"] == "row" and t["title"] == "Row" for t in tooltip), mark


@pytest.mark.parametrize(("section", "rows_of", "highlight"), CHARTS, ids=IDS)
def test_amounts_are_never_stacked_or_summed(section, rows_of, highlight):
    _, _, fig = draw(section, rows_of, highlight)
    text = json.dumps(fig.spec)
    assert '"aggregate"' not in text and '"sum"' not in text
    for mark, encoding, _ in marks(fig.spec):
        x = encoding.get("x", {})
        if x.get("type") == "quantitative":
            assert "stack" in x and x["stack"] is None, mark


@pytest.mark.parametrize(("section", "rows_of", "highlight"), CHARTS, ids=IDS)
def test_every_stated_amount_keeps_its_hedge_on_its_bar(section, rows_of, highlight):
    _, rows, fig = draw(section, rows_of, highlight)
    drawn = {r["row"]: r["amount"] for r in bar_rows(fig.spec)}
    stated = rows[rows.get("amount_usd", rows.get("value_low")).notna()]
    for (_, row), row_id in zip(stated.iterrows(), row_ids(stated), strict=True):
        assert amount_text(row) in drawn[row_id]
    hedged = {"nearly $45 million", "potentially $10 million", "over $46 million", "potentially $42.3 million",
              "reportedly about $600,000 a month"}
    shown = " | ".join(drawn.values())
    for phrase in hedged & {amount_text(r) for _, r in stated.iterrows()}:
        assert phrase in shown


def test_the_hedges_of_the_data_reach_the_labels():
    # Guard that the hedged phrases above are really in the rows (the previous test intersects with them).
    book, rows, fig = draw("data_brokers", data_brokers, "thomson-reuters")
    shown = " | ".join(r["amount"] for r in bar_rows(fig.spec))
    for phrase in ("nearly $45 million", "potentially $10 million", "over $46 million"):
        assert phrase in shown


@pytest.mark.parametrize(("section", "rows_of", "highlight"), [
    ("overview", overview, "palantir"), ("data_brokers", data_brokers, None)])
def test_unstated_amounts_are_listed_not_drawn_as_zero(section, rows_of, highlight):
    _, rows, fig = draw(section, rows_of, highlight)
    unstated = set(row_ids(rows[rows.amount_usd.isna()]))
    assert unstated
    assert not unstated & {r["row"] for r in bar_rows(fig.spec)}
    listed = " ".join(r["row"] for r in dataset_rows(fig.spec) if "text" in r)
    assert all(i in listed for i in unstated)
    assert "No amount stated (not zero)" in json.dumps(fig.spec)
    assert all(r["usd"] > 0 for r in bar_rows(fig.spec))


def test_the_unstated_panel_names_each_vendor_and_purpose():
    book, rows, fig = draw("data_brokers", data_brokers)
    texts = [r["text"].replace("\n", " ") for r in dataset_rows(fig.spec) if "text" in r]
    for r in rows[rows.amount_usd.isna()].itertuples():
        assert any(book.name(r.vendor_id) in t for t in texts)
        assert any(r.purpose[1:] in t for t in texts)


def test_the_kind_colours_follow_the_fixed_order_of_kinds():
    book, rows, fig = draw("overview", overview, "palantir")
    order = list(book.everything("contracts").amount_kind.cat.categories)
    domains = [e["color"]["scale"]["domain"] for _, e, _ in marks(fig.spec) if "scale" in e.get("color", {})]
    assert domains and all(d == domains[0] for d in domains)
    assert domains[0] == [k for k in order if k in set(rows.amount_kind[rows.amount_usd.notna()].astype(str))]
    assert "not stated" not in domains[0]
    # the same kind has the same colour in another chapter
    _, _, other = draw("data_brokers", data_brokers)
    colors = {}
    for spec in (fig.spec, other.spec):
        for _, e, _ in marks(spec):
            if "scale" in e.get("color", {}):
                for kind, color in zip(e["color"]["scale"]["domain"], e["color"]["scale"]["range"], strict=True):
                    assert colors.setdefault(kind, color) == color


def test_a_monthly_payment_is_its_own_unit_in_its_own_panel():
    _, rows, fig = draw("overview", overview, "palantir")
    monthly = set(row_ids(rows[rows.amount_kind == "monthly payment"]))
    assert monthly
    for panel in fig.spec["vconcat"]:
        names = {m for _, _, m in marks(panel)}
        drawn = [r for n in names if n for r in fig.spec["datasets"][n] if "usd" in r]
        if {r["row"] for r in drawn} & monthly:
            assert {r["row"] for r in drawn} <= monthly
            assert "a month" in panel["title"]["text"]
            assert all(r["amount"].endswith(" a month") for r in drawn)


def test_monthly_payments_leave_a_shared_scale_too():
    book = chapter("overview")
    c = book.contracts
    fig = amounts(c[c.amount_usd.notna()], book, name="money", title="t", panels=None)
    titles = [p["title"]["text"] for p in fig.spec["vconcat"]]
    assert len(titles) == 2 and "a month" in titles[1]


def test_kinds_are_named_beside_the_amount_where_a_panel_mixes_them():
    _, _, fig = draw("data_brokers", data_brokers)
    amounts_shown = {r["row"]: r["amount"] for r in bar_rows(fig.spec)}
    assert amounts_shown["west-clear"] == "over $46 million (ceiling)"
    assert amounts_shown["trss-2018"] == "$6.7 million (awarded)"
    _, _, by_kind = draw("overview", overview, "palantir")
    assert {r["row"]: r["amount"] for r in bar_rows(by_kind.spec)}["west-clear"] == "over $46 million"


def test_panels_per_system_follow_the_rows_and_share_one_scale():
    _, rows, fig = draw("case_management", case_management, "palantir")
    titles = [p["title"]["text"] for p in fig.spec["vconcat"]]
    assert titles == ["ICM (US dollars)", "FALCON-SA (US dollars)"]
    domains = {json.dumps(e["x"]["scale"]["domain"]) for _, e, _ in marks(fig.spec) if "scale" in e.get("x", {})}
    assert len(domains) == 1


def test_labels_fit_inside_the_panel():
    # The x scale ends far enough out that the longest amount label still ends inside the panel.
    for section, rows_of, highlight in CHARTS:
        _, _, fig = draw(section, rows_of, highlight)
        for _, e, name in marks(fig.spec):
            if "scale" in e.get("x", {}) and name:
                end = e["x"]["scale"]["domain"][1]
                for r in fig.spec["datasets"][name]:
                    assert r["usd"] / end * 400 + 4 + len(r["amount"]) * 6.0 <= 400 + 1


def test_derived_amounts_are_hollow_dashed_and_cite_their_inputs():
    book, rows, fig = draw("data_brokers", social_media)
    derived = [r for r in bar_rows(fig.spec) if r["derived"]]
    assert len(derived) == 1 and "÷" in derived[0]["row"] and derived[0]["amount"].startswith("derived: about $")
    assert any(m.get("filled") is False and m.get("strokeDash") for m, _, _ in marks(fig.spec))
    assert "dhs-social-media-spending-ratio" in row_ids(fig.rows)
    assert "computed by us" in fig.output.description
    assert derived_by_ratio(rows.iloc[:0], rows, book).empty


def test_the_highlight_changes_the_spec_and_shows_without_colour():
    _, _, plain = draw("data_brokers", data_brokers)
    _, _, lit = draw("data_brokers", data_brokers, "thomson-reuters")
    assert plain.spec != lit.spec
    assert {r["row"] for r in bar_rows(lit.spec) if r["hl"] == "thomson-reuters"} == {"west-clear", "trss-2018"}
    text = json.dumps(lit.spec)
    assert "'bold'" in text and "#e7298a" in text  # bold labels besides the outline: visible in greyscale
    assert "'bold'" not in json.dumps(plain.spec)
    _, _, none = draw("data_brokers", data_brokers, "microsoft")  # sells nothing in these rows
    assert not any(r["hl"] != "other" for r in dataset_rows(none.spec))


def test_highlight_per_contract_follows_vendor_or_agency():
    _, _, fig = draw("overview", overview, "palantir")
    lit = {r["row"] for r in bar_rows(fig.spec) if r["hl"] == "palantir"}
    assert {"icm-2014", "falcon-sa-2018-11", "amazon-palantir-servers"} <= lit  # Palantir pays Amazon
    assert "unisys-2016" not in lit


@pytest.mark.parametrize(("section", "rows_of", "highlight"), CHARTS, ids=IDS)
def test_nothing_known_before_the_sources(section, rows_of, highlight):
    _, _, early = draw(section, rows_of, highlight, as_of="1900-01-01")
    assert isinstance(early, Markdown) and "Nothing in the data" in early.data


def test_the_spec_is_identical_across_calls():
    book, rows, first = draw("case_management", case_management, "palantir")
    second = amounts(rows.copy(), chapter("case_management", "palantir"), **case_management(book)[1])
    assert json.dumps(first.spec, sort_keys=True) == json.dumps(second.spec, sort_keys=True)
    assert first.output.png == second.output.png


def test_only_unstated_rows_draw_a_list_and_no_legend():
    book = chapter("cloud")
    c = book.contracts
    fig = amounts(c[c.amount_usd.isna()], book, name="money", title="t")
    assert not bar_rows(fig.spec) and len(fig.spec["vconcat"]) == 1
    assert "Kind of amount" not in json.dumps(fig.spec)


def test_prose_helpers():
    book = chapter("data_brokers")
    c = book.contracts.set_index("contract_id", drop=False)
    assert amount_text(c.loc["giant-oak-total"]) == "nearly $45 million"
    assert amount_text(c.loc["west-clear"], kind=True) == "over $46 million (ceiling)"
    assert amount_text(c.loc["vigilant-2017"]) == "no amount stated"
    assert when(c.loc["giant-oak-total"], book) == "since at least 2014"
    assert when(c.loc["pen-link-4-year"], book) == "through 2022"
    assert when(c.loc["trss-2018"], book) == "February 2018"
    assert when(c.loc["trss-2018"], book, "year") == "2018"
    overview_book = chapter("overview")
    o = overview_book.contracts.set_index("contract_id", drop=False)
    assert amount_text(o.loc["amazon-palantir-servers"]) == "reportedly about $600,000 a month"
    assert when(o.loc["falcon-sa-2013-2018"], overview_book) == "2013–2018"


def test_a_chapter_may_name_the_bars_itself_and_keep_its_order():
    book = chapter("case_management")
    c = book.contracts
    rows = c[c.system_id.isin(["icm", "falcon-sa"])].sort_values("contract_id", ascending=False)
    fig = amounts(rows, book, name="money", title="t", panels=None, order="given", label=lambda r: r.contract_id)
    drawn = bar_rows(fig.spec)
    assert [r["name"] for r in drawn] == [r["row"] for r in drawn] == list(rows.contract_id)


def test_bad_choices_say_which():
    book = chapter("overview")
    for kw in ({"order": "size"}, {"label": "nonsense"}, {"unstated": "hide"}, {"panels": "nope"}):
        with pytest.raises(ValueError, match=next(iter(kw))):
            amounts(book.contracts, book, name="m", title="t", **kw)


def test_rows_keep_their_table_through_filtering():
    book, rows, fig = draw("case_management", case_management, "palantir")
    assert isinstance(fig.rows, pd.DataFrame) and fig.rows.attrs == rows.attrs


def test_amount_labels_are_measured_in_the_font_so_they_fit_their_panel():
    # Wide characters (W, M, digits) are wider than an average character: the scale must leave room for
    # the label as the font draws it, not for a count of characters.
    from surveillance_book.figures.amounts import _scale
    from surveillance_book.figures.fonts import text_width

    wide = pd.DataFrame({"usd": [100.0, 50.0], "amount": ["WWWWWWWWWW $100 million", "MMMM"],
                         "hl": ["palantir", "other"]})
    end, _ = _scale(wide, 400)
    for usd, text, hl in zip(wide.usd, wide.amount, wide.hl, strict=True):
        assert usd / end * 400 + 4 + text_width(text, 11, bold=hl != "other") <= 400
    for i, (section, rows_of, highlight) in enumerate(CHARTS):  # the book's charts: every label inside
        spec = draw(section, rows_of, highlight)[2].spec
        checked = 0
        def walk(node, data=None):
            data = node.get("data", {}).get("name", data)
            if "mark" in node:
                yield node["mark"], node.get("encoding", {}), data
            for key in ("layer", "vconcat", "hconcat"):
                for child in node.get(key, []):
                    yield from walk(child, data)
        for kind, encoding, name in walk(spec):
            domain = encoding.get("x", {}).get("scale", {}).get("domain")
            if (kind if isinstance(kind, str) else kind["type"]) != "bar" or not domain or name is None:
                continue
            for d in spec["datasets"][name]:
                bold = highlight is not None and d["hl"] == highlight
                assert d["usd"] / domain[1] * WIDTH + 4 + text_width(d["amount"], 11, bold) <= WIDTH, (IDS[i], d)
                checked += 1
        assert checked, IDS[i]

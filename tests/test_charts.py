import base64
import json
import struct
import types

import altair as alt
import numpy as np
import pandas as pd
import pytest

from surveillance_book import charts
from surveillance_book.figures.figure import plain
from surveillance_book.text import typographic


def _chart(values=(110, 26)):
    frame = pd.DataFrame({"provider": ["Amazon", "Microsoft"], "count": list(values)})
    return alt.Chart(frame).mark_bar().encode(x="count:Q", y="provider:N")


def _show(chart):
    return charts.show(chart, name="Cloud authorizations", title="T", description="Amazon leads.", sources="AFSC")


def test_output_stores_the_spec_and_one_png_once():
    bundle, metadata = _show(_chart())._repr_mimebundle_()
    assert set(bundle) == {charts.VEGALITE_MIME, "image/png", "text/plain"}
    assert bundle[charts.VEGALITE_MIME]["usermeta"]["name"] == "Cloud authorizations"
    assert metadata[charts.FIGURE_METADATA] == {"name": "fig-cloud-authorizations", "caption": "T"}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")


def test_html_draws_with_the_local_bundle_not_a_cdn():
    html = _show(_chart()).html()
    assert "vegaEmbed(" in html
    assert "<script src" not in html
    assert 'src="http' not in html and "href=" not in html


def test_element_id_is_deterministic_and_depends_on_the_spec():
    first, again, other = _show(_chart()), _show(_chart()), _show(_chart((110, 27)))
    assert first.element_id == again.element_id
    assert first.html() == again.html()
    assert first.png == again.png
    assert first.element_id != other.element_id
    assert first.element_id.startswith("chart-cloud-authorizations-")


def test_title_source_line_and_description_are_in_the_spec():
    spec = _show(_chart()).spec
    assert spec["title"] == {"text": "T", "subtitle": "Source: AFSC"}
    assert spec["description"] == "Amazon leads."


def test_description_is_escaped_in_html():
    out = charts.show(_chart(), name="x", title="T", description='<b> & "q"', sources="S")
    assert 'aria-label="&lt;b&gt; &amp; &quot;q&quot;"' in out.html()


@pytest.mark.parametrize("label", ["</script><script>alert(1)</script>", "Giant Oak <!--<script>",
                                   "a\u2028b", "x & y > z"])
def test_no_data_can_break_out_of_the_script(label):
    frame = pd.DataFrame({"label": [label], "n": [1]})
    out = _show(alt.Chart(frame).mark_bar().encode(x="n:Q", y="label:N"))
    script = out.html().split("<script>", 1)[1].rsplit("</script>", 1)[0]
    assert not set("<>&\u2028") & set(script.split("const spec = ", 1)[1].split(";\n", 1)[0])
    assert json.loads(charts.script_json(out.spec)) == json.loads(json.dumps(out.spec))  # same data back


def test_the_html_builder_draws_the_stored_spec():
    from surveillance_book.sphinx_ext import VegaLiteHTML

    out = _show(_chart())
    data = types.SimpleNamespace(mime_type=charts.VEGALITE_MIME, content=out.spec)
    (node,) = VegaLiteHTML.handle_mime(None, data, inline=False)
    assert node.astext() == out.html()
    assert VegaLiteHTML.handle_mime(None, types.SimpleNamespace(mime_type="image/png", content=""), False) is None
    assert ("html", charts.VEGALITE_MIME, 5) in VegaLiteHTML.mime_priority_overrides


def test_a_long_source_line_wraps_instead_of_widening_the_chart():
    sources = "; ".join(f"Publisher number {i} (2018)" for i in range(8))
    spec = charts.show(_chart(), name="x", title="T", description="d", sources=sources).spec
    lines = spec["title"]["subtitle"]
    assert isinstance(lines, list) and len(lines) > 1
    assert all(len(line) <= charts.SOURCE_LINE_CHARS for line in lines)
    assert " ".join(lines) == f"Source: {sources}"


@pytest.mark.parametrize("name", ["C:\\users\\TR", "O'Brien \"&\" Sons", "a\u2028b"])
def test_a_name_in_a_vega_expression_stays_a_literal(name):
    import vl_convert

    frame = pd.DataFrame({"who": [name, "other"], "n": [1, 2]})
    chart = alt.Chart(frame).mark_bar().encode(x="n:Q", y="who:N").properties(width=100, height=50)
    chart = chart.mark_bar(opacity=alt.expr(f"datum.who === {charts.vega_literal(name)} ? 1 : 0.3"))
    vl_convert.vegalite_to_svg(chart.to_json())  # an expression parse error would raise here


def test_the_stored_png_is_the_renderers_image_recompressed():
    import struct
    import zlib

    import vl_convert

    def pixels(png: bytes) -> bytes:
        data, i = b"", 8
        while i < len(png):
            (length,) = struct.unpack(">I", png[i:i + 4])
            if png[i + 4:i + 8] == b"IDAT":
                data += png[i + 8:i + 8 + length]
            i += 12 + length
        return zlib.decompress(data)

    out = _show(_chart())
    rendered = vl_convert.vegalite_to_png(json.dumps(typographic(out.spec), sort_keys=True), scale=charts.PNG_SCALE)
    assert pixels(out.png) == pixels(rendered)  # lossless
    assert len(out.png) < len(rendered)
    assert out.png == charts.compact_png(rendered)  # deterministic


def test_a_chart_keeps_every_row_however_long_the_data():
    rows = pd.DataFrame({"x": range(6000)})
    spec = alt.Chart(rows).mark_point().encode(x="x:Q").to_dict()
    assert len(next(iter(spec["datasets"].values()))) == 6000


def _size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def test_a_chart_too_large_to_print_legibly_prints_a_notice_in_its_place():
    """Data many times as long (the scale series) make a chart thousands of pixels tall: the PDF could not hold
    it (pdfTeX stops at 16,384 pt) and shrunk to a page its type would be a speck. Its image says so instead;
    the interactive chart keeps every row."""
    long = _show(alt.Chart(pd.DataFrame({"who": [f"company {i}" for i in range(3000)], "n": range(3000)}))
                 .mark_bar().encode(x="n:Q", y="who:N"))
    width, height = _size(long.png)
    assert height < 200 * charts.PNG_SCALE and width <= 460 * charts.PNG_SCALE
    notice = charts.print_spec(typographic(long.spec))
    lines = [v["line"] for v in notice["data"]["values"]]
    assert lines[0] == "Too large to print legibly." and "web edition" in lines[2]
    assert "by 60,0" in lines[1]  # 3,000 rows of 20 px: the size it would have had
    assert len(long.spec["datasets"][long.spec["data"]["name"]]) == 3000


def test_a_chart_that_fits_a_page_prints_itself():
    out = _show(_chart())
    assert charts.print_spec(typographic(out.spec)) == typographic(out.spec)
    assert out.png == charts.compact_png(charts.vl_convert.vegalite_to_png(
        json.dumps(typographic(out.spec), sort_keys=True), scale=charts.PNG_SCALE))


def test_the_smallest_type_is_found_anywhere_in_a_spec():
    assert charts.smallest_font({"config": {"axis": {"labelFontSize": 12}}}) == charts.AXIS_FONT
    assert charts.smallest_font({"layer": [{"mark": {"type": "text", "fontSize": 9}}], "title": {"fontSize": 15}}) == 9


def test_the_directorys_quick_rows_are_the_rows_altair_writes():
    import numpy as np

    frame = pd.DataFrame({"n": [1, 2, None], "text": ["x", None, "<z>"],
                          "date": pd.to_datetime(["2018-08-01", None, "2019-01-31"]),
                          "amount": [1.2345678901234, np.nan, 3e12], "kind": pd.Categorical(["p", "q", None]),
                          "count": pd.array([1, None, 3], dtype="Int64")})
    chart = alt.Chart(frame).mark_point().encode(x="n:Q")
    with charts.unchecked():
        quick = chart.to_dict(validate=False)
    assert quick == chart.to_dict()


def test_the_printed_image_takes_the_printed_apostrophe_and_a_mark_matched_by_name_still_matches():
    """The PNG (PDF, JupyterLab) prints "Sheriff’s" as the PDF's text does; the highlight test on the name
    changes with the data, so the matched bar is still drawn in the highlight colour."""
    frame = pd.DataFrame({"who": ["LA County Sheriff's Department", "ICE"], "n": [5, 3]})
    chart = alt.Chart(frame).mark_bar().encode(
        x="n:Q", y="who:N", color=alt.condition(alt.datum.who == "LA County Sheriff's Department",
                                                alt.value("#ff0000"), alt.value("#0000ff")))
    out = _show(chart)
    assert "LA County Sheriff's Department" in json.dumps(out.spec)  # the web's chart keeps the data as it is
    printed = charts.vl_convert.vegalite_to_svg(json.dumps(typographic(out.spec)))  # what the PNG draws
    assert "Sheriff’s" in printed and 'fill="#ff0000"' in printed  # still matched: the red bar is drawn
    straight = charts.compact_png(charts.vl_convert.vegalite_to_png(json.dumps(out.spec, sort_keys=True),
                                                                     scale=charts.PNG_SCALE))
    assert out.png != straight  # and its label is not the straight one


def test_schema_objects_are_made_as_altair_makes_them_with_the_class_table_built_once(monkeypatch):
    """charts.py builds Altair's table of schema classes once (vega/altair#3547): the objects it makes are
    the ones Altair's own from_dict makes, for text, dict and condition encodings alike."""
    built = []
    original_init = alt.utils.schemapi._FromDict.__init__
    monkeypatch.setattr(alt.utils.schemapi._FromDict, "__init__",
                        lambda self, classes: built.append(1) or original_init(self, classes))
    monkeypatch.setattr(charts, "_CLASS_TABLES", {})
    cases = [(alt.X2, {"shorthand": "lx2:Q"}), (alt.Color, {"field": "kind", "type": "nominal"}),
             (alt.StrokeWidthValue, alt.condition(alt.datum.hl == "palantir", alt.value(2), alt.value(0))),
             (alt.Tooltip, {"field": "name", "type": "nominal", "title": "Name"})]
    for channel, dct in cases:
        ours = channel.from_dict(dct, validate=False)
        altairs = charts.ALTAIR_FROM_DICT.__func__(channel, dct, validate=False)
        assert type(ours) is type(altairs) and ours.to_dict() == altairs.to_dict()
    assert len(built) == len(cases) + 1  # Altair's own: one table a call; ours: one for all (same family)
    spec = alt.Chart(pd.DataFrame({"a": [1]})).mark_rule().encode(x="a:Q", x2="a:Q").to_dict()
    assert spec["encoding"]["x2"] == {"field": "a"}
    assert len(built) == len(cases) + 1


def test_plain_values_are_converted_as_altair_converts_them(monkeypatch):
    """charts.py hands text, numbers, true/false and null to the spec as they are (Altair's own asks each
    whether it is a schema object): the specs are the ones Altair's own conversion makes, with inline rows of
    every kind, numpy values and conditions; only values of other types reach Altair's own."""
    frame = pd.DataFrame({"name": ["a", None], "count": [1, 2], "share": [0.5, float("nan")],
                          "flag": [True, False], "day": pd.to_datetime(["2018-01-02", None])})
    point = alt.Chart(frame).mark_point().encode(
        x=alt.X("count:Q", scale=alt.Scale(domain=[np.int64(0), np.float64(2.5)])), y="name:N",
        tooltip=["share:Q", "flag:N"], size=alt.condition(alt.datum.flag, alt.value(30), alt.value(10)))
    chart = alt.layer(point, alt.Chart(frame).mark_rule().encode(x="day:T")).properties(title="t")
    handed_on = []
    monkeypatch.setattr(charts, "ALTAIR_TODICT", lambda obj, *args: handed_on.append(type(obj))
                        or ALTAIRS_OWN(obj, *args))
    with charts.unchecked():  # the directory's conversion of rows too
        ours = [chart.to_dict(), chart.to_dict(validate=False)]
    assert handed_on and not {str, int, float, bool, type(None)} & set(handed_on)
    assert {np.int64, np.float64} <= set(handed_on)
    monkeypatch.setattr(alt.utils.schemapi, "_todict", ALTAIRS_OWN)
    with charts.unchecked():
        assert [chart.to_dict(), chart.to_dict(validate=False)] == ours
    assert ours[0]["datasets"] and ours[0]["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0.0, 2.5]


ALTAIRS_OWN = charts.ALTAIR_TODICT


def test_plain_gives_vega_lite_plain_values():
    """A chart's rows as Vega-Lite reads them: every column of objects, missing cells empty text, categories
    their labels, dates ISO text; lists kept whole."""
    frame = pd.DataFrame({"kind": pd.Categorical(["grant", None]), "day": pd.to_datetime(["2018-01-02", None]),
                          "amount": [1.5, float("nan")], "count": pd.array([1, None], dtype="Int64"),
                          "path": [[(0, 1)], None], "name": pd.array(["a", None], dtype="string")})
    out = plain(frame)
    assert set(out.dtypes) == {np.dtype(object)} and list(out.columns) == list(frame.columns)
    assert out.to_dict("records") == [
        {"kind": "grant", "day": "2018-01-02", "amount": 1.5, "count": 1, "path": [(0, 1)], "name": "a"},
        {"kind": "", "day": "", "amount": "", "count": "", "path": "", "name": ""}]
    assert frame.day.notna().sum() == 1  # the frame given is left as it was


def _layered_charts():
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    base = alt.Chart(frame).encode(x="a:Q", y="b:N")
    plain = alt.layer(base.mark_point(), base.mark_text(text="b"), width=200).properties(title="plain")
    brush = alt.selection_interval(name="brush")
    with_params = alt.layer(base.mark_point().add_params(brush), base.mark_rule().add_params(brush))
    named = alt.vconcat(alt.layer(base.mark_point().properties(name="first")), plain)
    return [plain, with_params, named]


def test_layers_are_combined_as_altair_combines_them(monkeypatch):
    """charts.py spares Altair's copies of every layer when no layer has parameters: the specs are the ones
    Altair's own functions make, with parameters (which they still handle), without, and with named layers."""
    ours = [c.to_dict() for c in _layered_charts()]
    assert "params" in ours[1] and "layer" in ours[0]
    point = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q")
    rule = alt.Chart(pd.DataFrame({"a": [2]})).mark_rule().encode(x="a:Q")  # data of its own: not lifted
    assert alt.layer(point, rule).layer[0] is point  # not copied: no parameters
    monkeypatch.setattr(alt.vegalite.v6.api, "_remove_duplicate_params", charts.ALTAIR_REMOVE_DUPLICATE_PARAMS)
    monkeypatch.setattr(alt.vegalite.v6.api, "_combine_subchart_params", charts.ALTAIR_COMBINE_SUBCHART_PARAMS)
    assert [c.to_dict() for c in _layered_charts()] == ours

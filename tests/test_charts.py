import base64
import json

import altair as alt
import pandas as pd

from surveillance_book import charts


def _chart(values=(110, 26)):
    frame = pd.DataFrame({"provider": ["Amazon", "Microsoft"], "count": list(values)})
    return alt.Chart(frame).mark_bar().encode(x="count:Q", y="provider:N")


def _show(chart):
    return charts.show(chart, name="Cloud authorizations", title="T", description="Amazon leads.", sources="AFSC")


def test_output_has_html_for_the_web_and_png_for_print():
    bundle, metadata = _show(_chart())._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
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


def test_spec_cannot_close_the_script_tag():
    frame = pd.DataFrame({"label": ["</script><script>alert(1)</script>"], "n": [1]})
    out = _show(alt.Chart(frame).mark_bar().encode(x="n:Q", y="label:N"))
    script = out.html().split("<script>", 1)[1]
    assert "</script><script>" not in script.split("</script>\n</figure>")[0]
    assert json.loads(json.dumps(out.spec))  # spec itself untouched


def test_highlight_colour_marks_only_the_chosen_value():
    spec = _chart().encode(color=charts.highlight_color("provider", "Amazon")).to_dict()
    assert spec["encoding"]["color"]["condition"]["value"] == charts.ACCENT
    assert spec["encoding"]["color"]["value"] != charts.ACCENT
    assert charts.highlight_color("provider", None) == {"value": charts.SECTION_COLORS["databases"]}

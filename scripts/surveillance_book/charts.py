"""The one chart helper: theme, highlight colours, and rendering for HTML, PDF and JupyterLab.

``show`` returns an output with each representation stored once:
- ``application/vnd.vegalite.v5+json``: the Vega-Lite spec. JupyterLab draws it with its own
  built-in Vega renderer (interactive, offline); for the HTML book, the myst-nb plugin in
  ``sphinx_ext`` turns it into :func:`chart_html`, drawn by the locally served Vega bundle;
- ``image/png``: the static image the LaTeX/PDF builder picks;
- ``text/plain``: "Chart <name>: <description>".
Element ids come from the chart name (kept in the spec's ``usermeta``) and a hash of the spec,
so reruns store identical outputs. The output's metadata names the figure (``fig-<name>``) and
its caption (the title); the build copies them into the cell's ``mystnb.figure`` metadata so
Sphinx numbers the chart as a figure in HTML and PDF alike.
"""

import base64
import contextlib
import hashlib
import html
import json
import re
import struct
import textwrap
import zlib
from functools import cached_property

import altair as alt
import pandas as pd
import vl_convert

from . import FIGURE_METADATA
from .text import typographic

THEME = "surveillance_book"
FONT = "Liberation Sans"  # shipped inside vl-convert, so PNGs look the same everywhere
ACCENT = "#e7298a"  # distinct from every section colour
MUTED = "#8a8f98"
SECTION_COLORS = {
    "overview": "#4d4d4d",
    "databases": "#1f5f8b",
    "case_management": "#b3372b",
    "cloud": "#5b8c3a",
    "biometrics": "#7a4f9a",
    "data_brokers": "#c27c0e",
}
PNG_SCALE = 2  # print resolution of the static image
# The PDF reads the PNG at 72 dpi (one image pixel, one point: a chart pixel is PNG_SCALE pt) and scales it
# down to the text width, and to at most 0.95 of the text height (print_edition's \spx@image@maxheight).
PRINT_WIDTH_PT, PRINT_HEIGHT_PT = 469.755, 0.95 * 650.43  # \textwidth, 0.95 \textheight (_config.yml)
MIN_PRINT_PT = 7  # the smallest type a printed chart may have


def printed_pt(font_px: float, width_px: float, height_px: float) -> float:
    """The size in points that text of ``font_px`` px has in the PDF, in a chart of that size in px (its
    whole drawing: title, keys and padding included). At least MIN_PRINT_PT: a chart that prints its type
    smaller must be narrower, shorter, or split."""
    return font_px * min(PNG_SCALE, PRINT_WIDTH_PT / width_px, PRINT_HEIGHT_PT / height_px)


AXIS_FONT = 11  # px: the theme's axis and legend labels; a spec that sets no size of its own uses these


def smallest_font(spec) -> float:
    """The smallest type size (px) a spec sets anywhere, or the theme's labels' size."""
    def sizes(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.lower().endswith("fontsize") and isinstance(value, int | float):
                    yield value
                else:
                    yield from sizes(value)
        elif isinstance(node, list):
            for value in node:
                yield from sizes(value)
    return min([AXIS_FONT, *sizes(spec)])


def print_spec(spec: dict) -> dict:
    """What the static image draws: the chart, or — when the data make it too large for a page to print its
    type at MIN_PRINT_PT (a page cannot hold thousands of rows legibly) — a short notice in its place, so the
    PDF keeps the figure's number and caption and says where the chart is drawn in full."""
    scene = vl_convert.vegalite_to_scenegraph(json.dumps(spec, sort_keys=True))
    width, height = scene.get("width", 0), scene.get("height", 0)
    printed = printed_pt(smallest_font(spec), width or 1, height or 1)
    if printed >= MIN_PRINT_PT:
        return spec
    lines = ["Too large to print legibly.",
             f"This chart is {width:,.0f} by {height:,.0f} pixels: shrunk to a page, its type would be "
             f"{printed:.1f} pt.",
             "The web edition of this book draws it in full, and its rows are in the book’s data download."]
    return {"$schema": spec.get("$schema"), "config": spec.get("config", {}), "width": 440, "height": 60,
            "description": spec.get("description", ""), "data": {"values": [{"line": line} for line in lines]},
            "transform": [{"window": [{"op": "row_number", "as": "n"}]}],
            "mark": {"type": "text", "align": "left", "baseline": "top", "font": FONT, "fontSize": 11},
            "encoding": {"text": {"field": "line"}, "x": {"value": 0},
                         "y": {"field": "n", "type": "ordinal", "axis": None}}}


SOURCE_LINE_CHARS = 70  # about 420 px of 11 px text: the width of the book's plots


@alt.theme.register(THEME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "title": {"anchor": "start", "fontSize": 15, "subtitleFontSize": 11, "subtitleColor": "#555"},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6"},
            "bar": {"color": SECTION_COLORS["databases"]},
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
        }
    }


def when_highlighted(channel: type, highlight: str | None, yes, no, field: str = "hl"):
    """One channel's value (``alt.ColorValue``, ``alt.SizeValue``, ...): ``yes`` for the marks whose ``field``
    equals ``highlight``, ``no`` for the others (and for all, with nothing highlighted). Made as the channel's
    own object, not as ``alt.condition``'s dict, which Altair matches against each schema it could fit (a
    fifth of a directory page's time); the spec is the same."""
    if not highlight:
        return channel(no)
    return channel(no, condition={"test": alt.datum[field] == highlight, "value": yes})


def highlight_color(field: str, highlight: str | None, color: str = SECTION_COLORS["databases"]) -> alt.ColorValue:
    """Colour marks whose ``field`` equals ``highlight`` in the accent colour."""
    return when_highlighted(alt.ColorValue, highlight, ACCENT, color, field)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


VEGALITE_MIME = "application/vnd.vegalite.v5+json"  # the Vega-Lite type JupyterLab 4 renders


def script_json(value) -> str:
    """JSON that is safe inside an HTML ``<script>``: ``<``, ``>``, ``&`` and the JavaScript line
    separators are written as escapes, so no data can close the tag or open a comment."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def compact_png(png: bytes) -> bytes:
    """The same image with its pixel data recompressed at zlib's highest level, in one IDAT chunk.
    The renderer compresses for speed; this is lossless and about four times smaller, which keeps
    the executed notebooks small."""
    chunks, i = [], 8
    while i < len(png):
        (length,) = struct.unpack(">I", png[i:i + 4])
        chunks.append((png[i + 4:i + 8], png[i + 8:i + 8 + length]))
        i += 12 + length
    pixels = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    out, idat_written = [png[:8]], False
    for kind, data in chunks:
        if kind == b"IDAT":
            if idat_written:
                continue
            kind, data, idat_written = b"IDAT", zlib.compress(pixels, 9), True
        out.append(struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data)))
    return b"".join(out)


def vega_literal(value) -> str:
    """A value written into a Vega expression as a literal (a string, number or list of them).
    JSON literals are valid Vega expression literals, backslashes and quotes included, so no name in
    the data can break or change an expression."""
    return json.dumps(value, ensure_ascii=True)


def element_id(spec: dict) -> str:
    name = spec.get("usermeta", {}).get("name", "chart")
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    return f"chart-{slug(name)}-{digest}"


def chart_html(spec: dict) -> str:
    """The HTML that draws a spec with the book's local Vega bundle (no CDN, works from file://)."""
    chart_id = element_id(spec)
    alt_text = html.escape(spec.get("description", ""))
    return (
        f'<figure class="hts-chart">\n'
        f'<div class="vega-chart" id="{chart_id}" role="img" aria-label="{alt_text}"></div>\n'
        "<script>(function () {\n"
        f"  const spec = {script_json(spec)};\n"
        f'  const draw = () => vegaEmbed("#{chart_id}", spec, {{renderer: "svg", actions: false}})\n'
        "    .catch((err) => console.error(err));\n"
        "  if (window.vegaEmbed) { draw(); }\n"
        '  else { window.addEventListener("load", () => { if (window.vegaEmbed) { draw(); } }); }\n'
        "})();</script>\n</figure>"
    )


class ChartOutput:
    """A rendered chart; Jupyter displays it through ``_repr_mimebundle_``."""

    def __init__(self, spec: dict, name: str, title: str, description: str):
        self.spec = spec | {"usermeta": {**spec.get("usermeta", {}), "name": name}}
        self.name = name
        self.title = title
        self.description = description
        self.element_id = element_id(self.spec)

    @cached_property
    def png(self) -> bytes:
        """The static image (for the PDF and JupyterLab), drawn when first asked for: a page that shows
        only the interactive chart (a directory profile) never pays for it. Its words take the printed
        apostrophe (’) the PDF's text takes; data values and the expressions that test them change alike,
        so a mark matched by name still matches. A chart too large for a page is a notice (:func:`print_spec`)."""
        spec = json.dumps(print_spec(typographic(self.spec)), sort_keys=True)
        return compact_png(vl_convert.vegalite_to_png(spec, scale=PNG_SCALE))

    def html(self) -> str:
        return chart_html(self.spec)

    def __repr__(self) -> str:  # deterministic: no memory address in stored outputs
        return f"Chart {self.name}: {self.description}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            VEGALITE_MIME: self.spec,
            "image/png": base64.b64encode(self.png).decode(),
            "text/plain": repr(self),
        }
        # The caption is the title: short enough for a printed page; the description stays in aria-label and alt.
        return data, {FIGURE_METADATA: {"name": f"fig-{slug(self.name)}", "caption": self.title}}


def source_line(spec: dict) -> str:
    """The source line under a chart's title, as one string (it is stored wrapped)."""
    subtitle = spec.get("title", {}).get("subtitle", "")
    return " ".join(subtitle) if isinstance(subtitle, list) else subtitle


def show(chart: alt.TopLevelMixin, *, name: str, title: str, description: str, sources: str) -> ChartOutput:
    """Render ``chart`` with its title, source line and screen-reader description.

    ``sources`` is the source line shown under the title, e.g. "AFSC (2019); Mijente et al. (2018)".
    """
    # wrapped, so a long list of sources does not widen the printed chart beyond its plot
    subtitle = textwrap.wrap(f"Source: {sources}", SOURCE_LINE_CHARS, break_on_hyphens=False)
    titled = chart.properties(
        title=alt.TitleParams(text=title, subtitle=subtitle[0] if len(subtitle) == 1 else subtitle),
        description=description,
    )
    return ChartOutput(titled.to_dict(validate=VALIDATE), name, title, description)


VALIDATE = True  # check every spec against the Vega-Lite schema (see ``unchecked``)


def _rows_inline(data, max_rows=None):
    """Every row in the spec: a chart draws all the rows it is given, however long the data grows (Altair's
    default stops past 5,000)."""
    return alt.utils.data.to_values(data)


def _rows_inline_quickly(data, max_rows=None):
    """The same values, converted by pandas' JSON writer (Altair's per-column checks are most of the time of
    a small chart): dates as ISO text without a zone (a missing one as ""), other missing values as null,
    numbers to full precision."""
    if not isinstance(data, pd.DataFrame):
        return alt.utils.data.to_values(data)
    dates = [c for c, dtype in data.dtypes.items() if pd.api.types.is_datetime64_any_dtype(dtype)]
    frame = data.assign(**{c: data[c].dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("") for c in dates}) if dates else data
    return {"values": json.loads(frame.to_json(orient="records", double_precision=15))}


alt.data_transformers.register("rows_inline", _rows_inline)
alt.data_transformers.register("rows_inline_quickly", _rows_inline_quickly)
alt.data_transformers.enable("rows_inline")


_CLASS_TABLES: dict = {}


def _class_table(cls: type) -> alt.utils.schemapi._FromDict:
    family = cls._default_wrapper_classes.__func__  # the classes a table holds: the same for a whole family
    if family not in _CLASS_TABLES:
        _CLASS_TABLES[family] = alt.utils.schemapi._FromDict(cls._default_wrapper_classes())
    return _CLASS_TABLES[family]


def _from_dict(cls, dct, validate: bool = True):
    """``SchemaBase.from_dict`` with the table of schema classes built once per family of classes. Altair
    6.3 rebuilds it, hashing every schema, on each call (vega/altair#3547, open), and every encoding given as
    text or a dict ("x2='lx2:Q'", ``alt.condition``) makes a call: a quarter of a small chart's time. The
    table depends only on the installed schema, so the objects made are the same."""
    if validate:
        cls.validate(dct)
    return _class_table(cls).from_dict(dct, cls)


ALTAIR_FROM_DICT = alt.utils.schemapi.SchemaBase.from_dict  # Altair's own, for the test that compares
alt.utils.schemapi.SchemaBase.from_dict = classmethod(_from_dict)


ALTAIR_TODICT = alt.utils.schemapi._todict  # Altair's own, for the test that compares
_JSON_VALUES = frozenset({str, int, float, bool, type(None)})


def _todict(obj, context, np_opt, pd_opt):
    """Altair's conversion of a spec's parts to JSON, returning a plain value (text, number, true/false, null)
    as it is at once. Altair's own asks each one whether it is one of its schema-like objects, a protocol
    check that inspects the value's class: a tenth of a directory page's time, most of it on the rows of
    inline data. For these exact types Altair's own returns the value unchanged."""
    if type(obj) in _JSON_VALUES:
        return obj
    return ALTAIR_TODICT(obj, context, np_opt, pd_opt)


alt.utils.schemapi._todict = _todict  # Altair's recursion looks the name up here, so it takes this one too


_API = alt.vegalite.v6.api
ALTAIR_REMOVE_DUPLICATE_PARAMS = _API._remove_duplicate_params  # Altair's own, for the test that compares
ALTAIR_COMBINE_SUBCHART_PARAMS = _API._combine_subchart_params


def _without_params(subcharts) -> bool:
    """No chart here has parameters (selections, variables), and no layer a name a concatenation renames."""
    def named_layers(chart) -> bool:
        return isinstance(chart, alt.LayerChart) and any(
            isinstance(layer, alt.Chart) and layer.name is not alt.Undefined for layer in chart.layer)
    return all(alt.utils.is_undefined(getattr(c, "params", alt.Undefined)) and not named_layers(c)
               for c in subcharts)


def _remove_duplicate_params(layer):
    """Altair's, without copying every layer when no layer has parameters to compare (none of the book's
    charts has any). Altair copies each layer of a layered chart, deep, twice (here and in the next
    function), each time the chart is made, and it is made again by every ``properties`` and ``to_dict``:
    a quarter of a directory page's time. A layer not copied is the one given, with the same contents."""
    return list(layer) if _without_params(layer) else ALTAIR_REMOVE_DUPLICATE_PARAMS(layer)


def _combine_subchart_params(params, subcharts):
    """Altair's, without the copies when there are no parameters to lift: it returns no parameters and the
    charts as they were (see ``_remove_duplicate_params``)."""
    if (alt.utils.is_undefined(params) or not params) and _without_params(subcharts):
        return alt.Undefined, list(subcharts)
    return ALTAIR_COMBINE_SUBCHART_PARAMS(params, subcharts)


_API._remove_duplicate_params = _remove_duplicate_params
_API._combine_subchart_params = _combine_subchart_params


@contextlib.contextmanager
def unchecked():
    """Draw without checking each spec against the Vega-Lite schema (most of the time of a small chart) and
    with the quicker conversion of rows: for pages drawn by the thousand (the directory) with figure code
    whose specs the chapters check."""
    global VALIDATE
    saved = VALIDATE
    VALIDATE = False
    try:
        with alt.utils.schemapi.debug_mode(False), alt.data_transformers.enable("rows_inline_quickly"):
            yield
    finally:
        VALIDATE = saved

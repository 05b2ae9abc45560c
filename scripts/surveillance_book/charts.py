"""The one chart helper: theme, highlight colours, and rendering for HTML and PDF.

``show`` returns an output with two representations:
- ``text/html``: the Vega-Lite spec drawn by the locally served Vega bundle
  (``_static/vega-bundle.js``, written by ``sphinx_ext``), with the static PNG
  inside the element as a fallback (JupyterLab, no JavaScript);
- ``image/png``: the static image the LaTeX/PDF builder picks.
Element ids come from the chart name and a hash of its spec, so reruns store
identical outputs. The output's metadata names the figure (``fig-<name>``) and its
caption (the title); the build copies them into the cell's ``mystnb.figure``
metadata so Sphinx numbers the chart as a figure in HTML and PDF alike.
"""

import base64
import hashlib
import html
import json
import re

import altair as alt
import vl_convert

from . import FIGURE_METADATA

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


def highlight_color(field: str, highlight: str | None, color: str = SECTION_COLORS["databases"]) -> alt.Color:
    """Colour marks whose ``field`` equals ``highlight`` in the accent colour."""
    if not highlight:
        return alt.value(color)
    return alt.condition(alt.datum[field] == highlight, alt.value(ACCENT), alt.value(color))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class ChartOutput:
    """A rendered chart; Jupyter displays it through ``_repr_mimebundle_``."""

    def __init__(self, spec: dict, name: str, title: str, description: str):
        self.spec = spec
        self.name = name
        self.title = title
        self.description = description
        spec_json = json.dumps(spec, sort_keys=True)
        self.element_id = f"chart-{slug(name)}-{hashlib.sha256(spec_json.encode()).hexdigest()[:10]}"
        self.png = vl_convert.vegalite_to_png(spec_json, scale=PNG_SCALE)

    def html(self) -> str:
        spec = json.dumps(self.spec, sort_keys=True).replace("</", "<\\/")
        png = base64.b64encode(self.png).decode()
        alt_text = html.escape(self.description)
        return (
            f'<figure class="hts-chart">\n'
            f'<div class="vega-chart" id="{self.element_id}" role="img" aria-label="{alt_text}">'
            f'<img src="data:image/png;base64,{png}" alt="{alt_text}" style="max-width:100%"></div>\n'
            "<script>(function () {\n"
            f'  const spec = {spec};\n'
            f'  const draw = () => vegaEmbed("#{self.element_id}", spec, {{renderer: "svg", actions: false}})\n'
            '    .catch((err) => console.error(err));\n'
            '  if (window.vegaEmbed) { draw(); }\n'
            '  else { window.addEventListener("load", () => { if (window.vegaEmbed) { draw(); } }); }\n'
            "})();</script>\n</figure>"
        )

    def __repr__(self) -> str:  # deterministic: no memory address in stored outputs
        return f"Chart {self.name}: {self.description}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "text/html": self.html(),
            "image/png": base64.b64encode(self.png).decode(),
            "text/plain": repr(self),
        }
        # The caption is the title: short enough for a printed page; the description stays in aria-label and alt.
        return data, {FIGURE_METADATA: {"name": f"fig-{slug(self.name)}", "caption": self.title}}


def show(chart: alt.TopLevelMixin, *, name: str, title: str, description: str, sources: str) -> ChartOutput:
    """Render ``chart`` with its title, source line and screen-reader description.

    ``sources`` is the source line shown under the title, e.g. "AFSC (2019); Mijente et al. (2018)".
    """
    titled = chart.properties(
        title=alt.TitleParams(text=title, subtitle=f"Source: {sources}"),
        description=description,
    )
    return ChartOutput(titled.to_dict(), name, title, description)

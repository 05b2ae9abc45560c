"""Type size in the PDF: every chart a notebook stores prints its smallest text at 7 pt or more.

The PDF shows a chart's PNG (PNG_SCALE px per chart px) read at 72 dpi and scaled down to the text width
and to at most 0.95 of the text height (charts.printed_pt): a wide or tall chart prints its type small.
"""

import base64
import json
import re
import struct

import pytest

from surveillance_book import charts
from surveillance_book.paths import NOTEBOOKS_DIR, REPO

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def stored_charts():
    for notebook in NOTEBOOKS:
        for cell in json.loads(notebook.read_text())["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                spec = data.get("application/vnd.vegalite.v5+json")
                if "image/png" in data and spec:
                    width, height = struct.unpack(">II", base64.b64decode(data["image/png"][:100])[16:24])
                    yield notebook.stem, spec, width / charts.PNG_SCALE, height / charts.PNG_SCALE


def _title(spec: dict) -> str:
    title = spec.get("title", "")
    title = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(title) if isinstance(title, list) else str(title)


CHARTS = list(stored_charts())


@pytest.mark.parametrize(("notebook", "spec", "width", "height"), CHARTS,
                         ids=[f"{n}-{_title(s)[:40]}" for n, s, _, _ in CHARTS])
def test_every_stored_chart_prints_its_type_at_7_pt_or_more(notebook, spec, width, height):
    smallest = charts.smallest_font(spec)
    printed = charts.printed_pt(smallest, width, height)
    assert printed >= charts.MIN_PRINT_PT, (f"{_title(spec)}: {smallest} px type prints at {printed:.1f} pt; "
                                            f"the chart is {width:.0f} x {height:.0f} px")


def test_the_print_measures_are_the_pdfs(built_book):
    # The text width and height LaTeX reports, and the images' greatest height (_config.yml).
    text = (built_book / ".work" / "pdf" / "_build" / "latex" / "book.log").read_text(encoding="latin-1")
    width = float(re.search(r"\\textwidth=([\d.]+)pt", text).group(1))
    height = float(re.search(r"\\textheight=([\d.]+)pt", text).group(1))
    share = float(re.search(r"spx@image@maxheight=([\d.]+)\\textheight", (REPO / "_config.yml").read_text()).group(1))
    assert abs(width - charts.PRINT_WIDTH_PT) < 0.5 and abs(share * height - charts.PRINT_HEIGHT_PT) < 0.5

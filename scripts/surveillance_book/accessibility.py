"""Sphinx extension (listed in _config.yml): what axe-core finds on every page of the theme, fixed.

The browser tests run axe-core on every page, from disk and served (tests/test_book_output.py); each fix
here names the axe rule it answers.

- Templates (``templates/``, searched before the themes'): the search button is named by what it shows
  and the colour-mode button's icons carry no text of their own (``label-content-name-mismatch``); the
  sidebar's logo and title sit in a landmark (``region``).
- "Show code cell outputs" (myst-nb's toggle of a hidden output) is named by its visible text, not
  "Toggle hidden content" (``label-content-name-mismatch``).
- The bibliography's entries are list items of their list: docutils gives them the role
  ``doc-biblioentry``, which ARIA 1.2 deprecates and which is no list item (``aria-required-children``).
- A chart wider than the page scrolls, so the keyboard can reach it (``scrollable-region-focusable``), as
  the theme already does for wide tables; a chart layer with nothing to draw is hidden from screen readers
  (Vega leaves an empty, unnamed mark group: ``svg-img-alt``).
"""

import os
from pathlib import Path

from docutils import nodes

TEMPLATES = Path(__file__).parent / "templates"

# Charts are drawn after the page loads, so watch them. A chart drawn wider than its box scrolls sideways:
# give it a tab stop then (and only then), so a keyboard can scroll it. A layer with no rows to draw (as of
# an earlier date, or nothing highlighted) leaves Vega's empty mark group with a role but no name: hide it.
CHARTS_JS = """
document.addEventListener("DOMContentLoaded", () => {
  const mark = (chart) => {
    if (chart.scrollWidth > chart.clientWidth) { chart.tabIndex = 0; } else { chart.removeAttribute("tabindex"); }
    chart.querySelectorAll("g.role-mark:empty").forEach((layer) => layer.setAttribute("aria-hidden", "true"));
  };
  const watch = new ResizeObserver((entries) => entries.forEach((entry) => mark(entry.target)));
  document.querySelectorAll(".hts-chart .vega-chart").forEach((chart) => {
    watch.observe(chart);
    new MutationObserver(() => mark(chart)).observe(chart, {childList: true, subtree: true});
  });
});
""".strip()


def _templates_first(app, config) -> None:
    # relative to the book, so the configuration (hashed into .buildinfo) is the same in every clone
    ours = os.path.relpath(TEMPLATES, app.confdir)
    config.templates_path = [ours, *[p for p in config.templates_path if p != ours]]


def _visit_hidden_cell(self, node) -> None:
    from myst_nb.sphinx_ import visit_HideCellInput

    start = len(self.body)
    visit_HideCellInput(self, node)
    self.body[start:] = [part.replace('<summary aria-label="Toggle hidden content">', "<summary>")
                         for part in self.body[start:]]


def _depart_hidden_cell(self, node) -> None:
    from myst_nb.sphinx_ import depart_HideCellInput

    depart_HideCellInput(self, node)


def _visit_citation(self, node) -> None:
    start = len(self.body)
    type(self).visit_citation(self, node)  # the writer's own markup, then the role a list item has
    self.body[start:] = [part.replace('role="doc-biblioentry"', 'role="listitem"') for part in self.body[start:]]


def _depart_citation(self, node) -> None:
    type(self).depart_citation(self, node)


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode

    app.setup_extension("myst_nb")  # its node first, then this visitor in its place
    app.connect("config-inited", _templates_first)
    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell, _depart_hidden_cell))
    app.add_node(nodes.citation, override=True, html=(_visit_citation, _depart_citation))
    app.add_js_file(None, body=CHARTS_JS)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

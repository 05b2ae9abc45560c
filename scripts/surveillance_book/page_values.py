"""Sphinx extension: values from data/ for the Markdown pages (listed in _config.yml).

The pages that are not notebooks (book/intro.md, book/methodology.md) cannot glue a figure, so the
dates they mention come from the data through MyST substitutions: ``{{ page_published }}`` prints
the month the AFSC page was published and ``{{ report_published }}`` that of the report it relies
on, both read from ``data/sources.csv`` at the precision stated there ("January 2019").
"""

from pathlib import Path

import pandas as pd

from .data import load
from .paths import DATA_DIR
from .text import month

# substitution name: source_id whose publication date it prints
PUBLISHED = {"page_published": "afsc-2019", "report_published": "mijente-2018"}


def values(data_dir: str | Path = DATA_DIR) -> dict[str, str]:
    """The substitutions, computed from the sources table. A source missing from the data or
    without a date is an error: a page would otherwise print an empty gap."""
    sources = load("sources", data_dir).set_index("source_id")
    found = {}
    for key, source_id in PUBLISHED.items():
        if source_id not in sources.index or pd.isna(sources.at[source_id, "published"]):
            raise ValueError(f"data/sources.csv: no publication date for {source_id!r} (needed for {{{{ {key} }}}})")
        row = sources.loc[source_id]
        found[key] = month(row.published, str(row.published_precision))
    return found


def _add_substitutions(app, config) -> None:
    # merged: the book extension (sphinx_ext) sets {{ edition }} and {{ data_version }} on the same event
    config.myst_substitutions = {**(config.myst_substitutions or {}), **values()}


def setup(app):
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

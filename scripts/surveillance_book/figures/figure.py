"""What every figure shares: a chart, the rows it draws, its name, title, sources and description."""

import altair as alt
import pandas as pd
from IPython.display import Markdown

from .. import charts
from ..chapter import ROWS_METADATA, row_refs


class Figure:
    """A rendered chart and the rows it draws; Jupyter displays the chart.

    ``name`` is prefixed with the chapter's section ("timeline" -> "data-brokers-timeline");
    the source line under the title is derived from ``rows``; ``description`` is the text a
    screen reader gets (and the PNG's alt text)."""

    def __init__(self, chart: alt.TopLevelMixin, rows: pd.DataFrame, book, *, name: str, title: str,
                 description: str):
        self.rows = rows
        self.data_dir = book.data_dir
        self.name = f"{book.section.replace('_', '-')}-{name}"
        self.output = charts.show(chart, name=self.name, title=title, description=description,
                                  sources=book.source_line(rows))

    @property
    def spec(self) -> dict:
        return self.output.spec

    def __repr__(self) -> str:
        return repr(self.output)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data, metadata = self.output._repr_mimebundle_(include, exclude)
        # the rows drawn, so a reader (and a test) can tell which facts the figure shows
        return data, metadata | {ROWS_METADATA: {"kind": "figure", "rows": row_refs(self.rows, self.data_dir)}}


class NothingKnown(Markdown):
    """The note a figure function returns when none of its rows is known; it keeps the (empty) rows,
    so a chapter can pass ``fig.rows`` to its rows table whatever the date."""

    def __init__(self, text: str, rows: pd.DataFrame):
        super().__init__(text)
        self.rows = rows


def nothing_known(book, what: str, rows: pd.DataFrame | None = None) -> NothingKnown:
    """What a figure function returns when none of its rows is known by the chapter's ``as_of``."""
    return NothingKnown(book.nothing_known(what).data, rows if rows is not None else pd.DataFrame())


PAGES_TIP = "In the directory"  # the tooltip line naming the rows' directory pages


def directory_pages(book, *columns: pd.Series) -> pd.Series:
    """Per row, the directory pages of the organizations and systems its id columns name, as text (a tooltip
    cannot hold a link): "book/directory/org/palantir.html; book/directory/system/icm.html"."""
    from ..directory.profile import doc  # the directory draws its pages with these figures

    pages = [[doc(i, book) for i in ids if isinstance(i, str)] for ids in zip(*columns, strict=True)]
    return pd.Series(["; ".join(dict.fromkeys(f"{d}.html" for d in row if d)) for row in pages],
                     index=columns[0].index, dtype=object)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain values for a Vega-Lite data set: missing cells become empty text, categories their labels,
    dates ISO strings."""
    dates = [c for c, dtype in frame.dtypes.items() if pd.api.types.is_datetime64_any_dtype(dtype)]
    if dates:
        frame = frame.assign(**{c: frame[c].dt.strftime("%Y-%m-%d") for c in dates})
    # one array of values for the whole frame: a frame's many small columns each cost more one by one
    values = frame.astype(object).to_numpy(copy=True)
    values[frame.isna().to_numpy()] = ""
    return pd.DataFrame(values, index=frame.index, columns=frame.columns, dtype=object)

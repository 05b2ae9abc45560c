"""Shared code of the book: data loading and validation, charts, tables, text."""

# Output-metadata key under which a chart names its figure (name, caption); the build
# copies it into the cell's mystnb.figure metadata. Here, so the build need not import Altair.
FIGURE_METADATA = "surveillance_book/figure"

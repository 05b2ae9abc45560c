"""Shared code of the book: data loading and validation, charts, tables, text."""

import sys

# jsonschema, which Altair and Frictionless import, builds a parser of RFC 3987's grammar when it is imported
# and rfc3987-syntax is installed (as it is, for JupyterLab's event schemas): one to two seconds in every kernel
# and build process, for the "iri" formats, which no schema of ours uses. Without it jsonschema leaves them
# unchecked. Only if jsonschema is not imported yet (a process that needs the check imports it first).
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

# Output-metadata key under which a chart names its figure (name, caption); the build
# copies it into the cell's mystnb.figure metadata. Here, so the build need not import Altair.
FIGURE_METADATA = "surveillance_book/figure"

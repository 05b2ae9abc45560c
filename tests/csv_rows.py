"""Editing one row of a data table copy, as a maintainer would in a spreadsheet."""

import csv
from pathlib import Path


def set_row(path: Path, row_id: str, **values) -> None:
    """Set some fields of the row whose first column is ``row_id``; the other rows and columns as they were."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row[next(iter(row))] == row_id:
            row.update(values)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

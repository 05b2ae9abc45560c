"""Which chapters discuss an entity: those whose figures, tables or glued figures show a row about it.

Read from the executed notebooks (the rows each output records, see ``chapter.ROWS_METADATA``), so a
profile links exactly the chapters that show something about it, not those whose data merely could.
"""

import json
from pathlib import Path

import pandas as pd

from ..chapter import ENTITY_COLUMNS, ROWS_METADATA, TABLE_ROWS_METADATA, Chapter, row_ids


def shown_rows(nb: dict) -> set[tuple[str, str]]:
    """Every (table, row id) an executed notebook's outputs show."""
    out = set()
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {})
            records = [meta.get(ROWS_METADATA, {})] + [m.get(TABLE_ROWS_METADATA, {}) for m in meta.values()
                                                       if isinstance(m, dict)]
            out |= {(r["table"], r["id"]) for record in records for r in record.get("rows", [])}
    return out


def title(nb: dict) -> str:
    """The chapter's title: its first markdown heading."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def entities_of_rows(book: Chapter) -> dict[tuple[str, str], set[str]]:
    """(table, row id) -> the organizations and systems the row names."""
    out = {}
    for table in ("contracts", "metrics", "relationships", "events", "concerns", "system_data", "systems",
                  "organizations"):
        frame = book.everything(table)
        columns = [c for c in ENTITY_COLUMNS if c in frame]
        for row_id, values in zip(row_ids(frame, table, book.data_dir), frame[columns].itertuples(index=False),
                                  strict=True):
            out[table, row_id] = {v for v in values if isinstance(v, str) and not pd.isna(v)}
    return out


def discussed_in(notebooks: list[Path], book: Chapter) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Entity id -> the chapters (notebook stems, in book order) that show a row about it; and each
    chapter's title."""
    named = entities_of_rows(book)
    by_entity: dict[str, list[str]] = {}
    titles = {}
    for path in notebooks:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        titles[path.stem] = title(nb)
        for entity in sorted({e for row in shown_rows(nb) for e in named.get(row, ())}):
            by_entity.setdefault(entity, []).append(path.stem)
    return by_entity, titles

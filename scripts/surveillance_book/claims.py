"""Claims: every figure printed in the prose, with the data rows and the sources behind it.

A chapter glues each phrase with ``book.glue`` (``chapter.py``), which stores the rows it came from in
the output's metadata; its markdown prints the phrase with ``{eval}`prose.KEY```. A *claim* is a glued
phrase the prose prints. This module reads them from the executed notebooks (the current ones or those
of an earlier edition in git) and is the one place that says, per row, what the source states: the
HTML notes, the PDF's "Where the figures come from" lists, ``claims.csv`` and the changes page all
take it from here.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .chapter import LAST_DATE, ROWS_METADATA, TABLE_ROWS_METADATA, Chapter
from .paths import DATA_DIR, REPO

REGISTER_NAME = "claims.csv"
# how the prose prints a glued phrase: {eval}`prose.KEY` (and, in editions before it, {glue:text}`KEY`)
PRINTED = re.compile(r"\{eval\}`\s*prose\.([A-Za-z_]\w*)\s*`|\{glue(?::text)?\}`([A-Za-z_]\w*)[^`]*`")
FIGURE_KINDS = ("stated", "computed")  # what must have rows; "parameter" and "not known" have none
REGISTER_COLUMNS = ["edition", "chapter", "key", "text", "kind", "rule", "value", "unit", "hedge", "rows",
                    "sources"]


@dataclass(frozen=True)
class Claim:
    chapter: str  # the notebook's stem: "cloud"
    key: str
    text: str  # as printed
    kind: str  # stated, computed, parameter, not known
    rows: tuple[tuple[str, str], ...] = ()  # (table, row id)
    rule: str = ""  # how the book computed it

    @property
    def is_figure(self) -> bool:
        return self.kind in FIGURE_KINDS


@dataclass
class ChapterClaims:
    """The claims of one notebook, in the order the prose first prints them, and what else it holds."""

    chapter: str
    claims: list[Claim]
    shown_rows: dict[tuple[str, str], str] = field(default_factory=dict)  # row -> table label showing it
    problems: list[str] = field(default_factory=list)


def _text(output: dict) -> str:
    import ast

    return str(ast.literal_eval(output["data"]["application/papermill.record/text/plain"]))


def read_notebook(nb: dict, chapter: str) -> ChapterClaims:
    """The claims of an executed notebook (as parsed JSON), with every glue problem named."""
    glued, shown, problems = {}, {}, []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            meta = output.get("metadata", {})
            for table_meta in meta.values():  # a table output carries its rows beside its mime type
                if isinstance(table_meta, dict) and TABLE_ROWS_METADATA in table_meta:
                    label = table_meta[TABLE_ROWS_METADATA]["name"]
                    shown.update({(r["table"], r["id"]): label for r in table_meta[TABLE_ROWS_METADATA]["rows"]})
            name = meta.get("scrapbook", {}).get("name")
            if name is None:
                continue
            record = meta.get(ROWS_METADATA)
            if record is None:  # glued by hand (or in an edition from before the rows were recorded)
                problems.append(f"notebooks/{chapter}.ipynb: `{name}` is glued without its rows; "
                                "glue it with book.glue(key, rows, text)")
                record = {"kind": "not recorded"}
            rows = tuple((r["table"], r["id"]) for r in record.get("rows", []))
            glued[name] = Claim(chapter, name, _text(output), record["kind"], rows, record.get("rule", ""))
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    claims = []
    for key in dict.fromkeys(a or b for a, b in PRINTED.findall(markdown)):
        if key not in glued:
            problems.append(f"notebooks/{chapter}.ipynb: the prose prints `{key}`, which no cell glues")
            continue
        claim = glued[key]
        if claim.is_figure and not claim.rows:
            problems.append(f"notebooks/{chapter}.ipynb: the {claim.kind} figure `{key}` has no rows behind it; "
                            "glue it from the rows it comes from")
        claims.append(claim)
    return ChapterClaims(chapter, claims, shown, problems)


def read(path: Path) -> ChapterClaims:
    return read_notebook(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).stem)


def problems(paths: list[Path]) -> list[str]:
    """Every claim problem of the notebooks, one line each (the build stops on any)."""
    return [p for path in paths for p in read(path).problems]


@dataclass(frozen=True)
class RowFact:
    table: str
    id: str
    statement: str  # what the row says, in the data's words
    hedge: str
    value: str
    unit: str
    source_ids: tuple[str, ...]


class Facts:
    """What each data row states, and how its sources are named: the one reading of rows for claims."""

    def __init__(self, data_dir: Path = DATA_DIR):
        self.book = Chapter("claims", as_of=f"{LAST_DATE:%Y-%m-%d}", data_dir=data_dir)  # every row
        self._facts: dict[tuple[str, str], RowFact | None] = {}  # a row behind many claims is read once

    @cached_property
    def _by_id(self) -> dict[tuple[str, str], pd.Series]:
        from .chapter import row_ids

        out = {}
        for table in ("metrics", "contracts", "events", "relationships", "system_data", "systems",
                      "organizations", "concerns", "sources"):
            frame = self.book.everything(table)
            out.update({(table, i): row for i, (_, row) in zip(row_ids(frame, table, self.book.data_dir),
                                                                   frame.iterrows(), strict=True)})
        return out

    def row(self, table: str, row_id: str) -> RowFact | None:
        if (table, row_id) not in self._facts:
            self._facts[table, row_id] = self._read(table, row_id)
        return self._facts[table, row_id]

    def _read(self, table: str, row_id: str) -> RowFact | None:
        row = self._by_id.get((table, row_id))
        if row is None:
            return None
        value, unit = self._value(table, row)
        sources = [row.get(c) for c in ("source_id", "primary_source_id") if c in row]
        sources = tuple(s for s in sources if isinstance(s, str))
        hedge = row.get("qualifier", row.get("hedge"))
        hedge = hedge if isinstance(hedge, str) and hedge != "exact" else ""
        return RowFact(table, row_id, self._statement(table, row), hedge, value, unit, sources)

    def source_label(self, source_id: str) -> str:
        return self.book.source_label(source_id)

    def source_title(self, source_id: str) -> str:
        return str(self.book.everything("sources").set_index("source_id").title[source_id])

    def _name(self, *ids) -> str:
        return next((self.book.name(i) for i in ids if isinstance(i, str)), "")

    @staticmethod
    def _value(table: str, row: pd.Series) -> tuple[str, str]:
        if table == "metrics":
            low, high = row.value_low, row.value_high
            text = f"{low:,.0f}" if low == high or pd.isna(high) else f"{low:,.0f}–{high:,.0f}"
            return text, str(row.unit) if pd.notna(row.unit) else ""
        if table == "contracts" and pd.notna(row.amount_usd):
            return f"{row.amount_usd:,.0f}", "USD"
        return "", ""

    def _statement(self, table: str, row: pd.Series) -> str:
        name = self._name
        if table == "metrics":
            value, unit = self._value(table, row)
            period = f" ({row.period})" if "period" in row and isinstance(row.period, str) else ""
            return f"{name(row.subject_system_id, row.subject_org_id)}: {row.measure}: {value} {unit}{period}"
        if table == "contracts":
            amount = f"${row.amount_usd:,.0f} {row.amount_kind}" if pd.notna(row.amount_usd) else "amount not stated"
            return f"{name(row.vendor_id)}: {row.purpose} ({amount})"
        if table == "events":
            when = self.book.when(row.date, row.date_precision)
            return f"{when}: {row.description}"
        if table == "relationships":
            return (f"{name(row.subject_org_id, row.subject_system_id)} {row.relation} "
                    f"{name(row.object_org_id, row.object_system_id)}")
        if table == "system_data":
            return f"{name(row.system_id)} {row.role} {row.data_type}"
        if table == "systems":
            return f"{row['name']} ({row.kind}, {row.status})"
        if table == "organizations":
            return f"{row['name']} ({row.kind})"
        if table == "concerns":
            return str(row.summary)
        return str(row.get("title", ""))


NOTE_ROWS = 6  # rows a note lists one by one; beyond that it counts them per table


@dataclass(frozen=True)
class Note:
    """What a reader is told about one printed claim: how the book got it, the rows, the sources."""

    claim: Claim
    rows: list[RowFact]  # the first NOTE_ROWS rows
    more: dict[str, int]  # table -> rows not listed one by one
    sources: list[str]  # source ids of all its rows, in order of first use

    @property
    def how(self) -> str:
        if self.claim.kind == "computed":
            return f"Computed by the book from the rows below: {self.claim.rule}."
        if self.claim.kind == "parameter":
            return "A parameter of this chapter, not a fact from the data."
        if self.claim.kind == "not known":
            return "No row of the data states this by the chapter's date."
        return "As the data states it:"


def note(claim: Claim, facts: Facts) -> Note:
    found = [f for f in (facts.row(t, i) for t, i in claim.rows) if f is not None]
    more: dict[str, int] = {}
    for fact in found[NOTE_ROWS:]:
        more[fact.table] = more.get(fact.table, 0) + 1
    sources = list(dict.fromkeys(s for f in found for s in f.source_ids))
    return Note(claim, found[:NOTE_ROWS], more, sources)


def register_rows(chapters: list[ChapterClaims], facts: Facts, edition: str) -> list[dict]:
    """One line per printed claim, for ``claims.csv``."""
    out = []
    for chapter in chapters:
        for claim in chapter.claims:
            found = [f for f in (facts.row(t, i) for t, i in claim.rows) if f]
            values = [f.value for f in found if f.value]
            out.append({
                "edition": edition, "chapter": claim.chapter, "key": claim.key, "text": claim.text,
                "kind": claim.kind, "rule": claim.rule,
                "value": "; ".join(values) if claim.kind == "stated" else "",
                "unit": "; ".join(dict.fromkeys(f.unit for f in found if f.unit)),
                "hedge": "; ".join(dict.fromkeys(f.hedge for f in found if f.hedge)),
                "rows": " ".join(f"{t}:{i}" for t, i in claim.rows),
                "sources": " ".join(dict.fromkeys(s for f in found for s in f.source_ids)),
            })
    return out


def register_csv(rows: list[dict]) -> str:
    """The claims register as CSV text; cells that would start a spreadsheet formula are made text."""
    from .tables import _spreadsheet_safe

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _spreadsheet_safe(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def register(notebook_paths: list[Path], edition: str, facts: Facts | None = None) -> str:
    """``claims.csv`` of the notebooks: every printed claim of the edition, with its rows and sources
    (``facts``: the data's, read again unless given)."""
    return register_csv(register_rows([read(p) for p in notebook_paths], facts or Facts(), edition))


def at_tag(tag: str, notebook_paths: list[Path], repo: Path = REPO) -> list[ChapterClaims]:
    """The claims of the notebooks as committed at an earlier edition's tag (missing ones skipped)."""
    import subprocess

    from .git import git

    out = []
    for path in notebook_paths:
        relative = Path(path).resolve().relative_to(repo.resolve()).as_posix()
        try:
            text = git("show", f"{tag}:{relative}", repo=repo)
        except subprocess.CalledProcessError:
            continue
        out.append(read_notebook(json.loads(text), Path(path).stem))
    return out


def changed(old: list[ChapterClaims], new: list[ChapterClaims]) -> list[tuple[str, str, str, str]]:
    """(chapter, key, text before, text now) for every claim whose printed text changed, appeared or
    went ("" on the side where it is not printed), in the order of the new edition."""
    before = {(c.chapter, c.key): c.text for ch in old for c in ch.claims}
    now = {(c.chapter, c.key): c.text for ch in new for c in ch.claims}
    keys = list(now) + [k for k in before if k not in now]
    return [(chapter, key, before.get((chapter, key), ""), now.get((chapter, key), ""))
            for chapter, key in keys if before.get((chapter, key)) != now.get((chapter, key))]

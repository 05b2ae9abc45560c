"""The data package as one zip that stands on its own: the tables and their descriptor, the licence,
the citation of the edition, and a README written for a reader who has only the zip.

``data/README.md`` is the maintainers' guide to the folder in the repository (how to add a fact, which
commands check it), so it is not shipped; the zip's README is generated from the descriptor and the
edition instead. The text and the data are under CC BY 4.0 (``LICENSE-CONTENT``, shipped as ``LICENSE``);
``LICENSE`` of the repository (MIT) covers the code, which the zip does not hold.
"""

import csv
from pathlib import Path

from . import edition as editions
from .archive import write_entries
from .data import package, published_files
from .paths import DATA_DIR, PACKAGE_FILE, PACKAGE_README, REPO

LICENCE = REPO / "LICENSE-CONTENT"
LICENCE_NAME = "LICENSE"  # the usual name, for a reader outside the repository
CITATION_NAME = "CITATION.cff"
README_NAME = "README.md"

README = """\
# {package_title}

Data package version {data_version}, published with edition {edition} ({released}) of the open research
book *{book_title}*.

{package_description}

The tables are CSV files (UTF-8, comma-separated, one header row). `{descriptor}` describes them as a
Frictionless Data Package (v2): each table's columns, their types and allowed values, its key and the
columns that refer to rows of other tables. Any Frictionless tool reads the package from that file.

## Files

| file | what it holds |
|---|---|
{files}

## License

The data are licensed under the {licence_title} license ({licence_name}), {licence_path};
the notice is in `{licence_file}`. You may share and adapt them for any purpose, giving appropriate credit
(cite the edition, below), linking to the license and saying if you changed them. The documents the facts
are drawn from (`sources.csv`) remain under their own terms.

## How to cite

> {citation} Data package version {data_version}.

Name the tables and the row ids you used. `{citation_file}` holds the same citation in the Citation File
Format.

## Conventions

- **One fact per row.** Every row names where it was read (`source_id`, a row of `sources.csv`) and, when
  the source names one, the document the fact comes from (`primary_source_id`).
- **Ids** are short, stable, lowercase identifiers; other tables refer to a row by its id (the columns
  ending in `_id`).
- **Dates** are written `YYYY-MM-DD`. Each date has a `*_precision` column (`year`, `month` or `day`)
  saying how much of it the source gives; the rest is the first day of that period ("February 2018" is
  `2018-02-01` with precision `month`). A precision is set if and only if its date is.
- **`as_of`** is the date a fact was stated, not the date it happened.
- **`qualifier`** and **`hedge`** keep the source's own hedges (`approximately`, `at least`,
  `reportedly`, `planned` ...).
- **Ranges** are `value_low` to `value_high`; a single number gives `value_low = value_high`.
- **Derived figures are never stored**: no sums, annualised amounts or computed ratios.
- Free text (`purpose`, `detail`, `description`, `summary`, `note`) is the book's own short wording,
  not the source's sentences. Money is nominal US dollars.

## Tables

{tables}
"""


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1  # less the header


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _column(field: dict, keys: dict[str, str]) -> str:
    constraints = field.get("constraints", {})
    kind = field.get("type", "string") + (", required" if constraints.get("required") else "")
    meaning = field.get("description", "")
    if "enum" in constraints:
        meaning += " One of: " + ", ".join(f"`{value}`" for value in constraints["enum"]) + "."
    if field["name"] in keys:
        meaning += f" {keys[field['name']]}"
    return f"| `{field['name']}` | {kind} | {_cell(meaning)} |"


def _names(fields) -> list[str]:
    return [fields] if isinstance(fields, str) else list(fields)  # Table Schema v1 also allowed "a" for ["a"]


def _table(res: dict, data_dir: Path) -> str:
    schema = res.get("schema", {})
    keys = {name: "The table's key: one row per value." for name in schema.get("primaryKey", [])}
    for fk in schema.get("foreignKeys", []):  # Data Package v2: lists of fields; no resource = this table
        ref, columns = fk["reference"], _names(fk["fields"])
        target = ", ".join(f"`{name}`" for name in _names(ref["fields"]))
        for column in columns:
            keys[column] = f"Refers to {target} in `{ref.get('resource') or res['name']}`."
    lines = [f"### `{res['path']}`: {res.get('title', res['name'])}", "",
             f"{res.get('description', '')} {_rows(data_dir / res['path']):,} rows.".strip(), "",
             "| column | type | meaning |", "|---|---|---|"]
    lines += [_column(field, keys) for field in schema.get("fields", [])]
    return "\n".join(lines)


def readme(data_dir: Path = DATA_DIR, ed: editions.Edition | None = None) -> str:
    """The README of the zip: what the package is, its files, licence, citation and columns."""
    ed = ed or editions.edition()
    descriptor = package(data_dir)
    licence = descriptor["licenses"][0]
    resources = descriptor["resources"]
    files = [(README_NAME, "this description"),
             (LICENCE_NAME, f"the license notice ({licence['name']})"),
             (CITATION_NAME, "the citation of the edition (Citation File Format)"),
             (PACKAGE_FILE, "the descriptor: tables, columns, types, keys")]
    files += [(res["path"], f"{res.get('title', res['name'])}: {res.get('description', '')}") for res in resources]
    return README.format(
        package_title=descriptor.get("title", descriptor["name"]), data_version=descriptor["version"],
        edition=ed.version, released=f"{ed.released:%-d %B %Y}", book_title=ed.title,
        package_description=descriptor.get("description", ""), descriptor=PACKAGE_FILE,
        files="\n".join(f"| `{name}` | {_cell(what)} |" for name, what in files),
        licence_title=licence.get("title", licence["name"]), licence_name=licence["name"],
        licence_path=licence.get("path", ""), licence_file=LICENCE_NAME,
        citation=editions.plain(ed), citation_file=CITATION_NAME,
        tables="\n\n".join(_table(res, data_dir) for res in resources),
    )


def entries(data_dir: Path = DATA_DIR) -> dict[str, bytes]:
    """What the zip holds: file name → content."""
    data_dir = Path(data_dir)
    found = {p.relative_to(data_dir).as_posix(): p.read_bytes() for p in published_files(data_dir)
             if p.name != PACKAGE_README}
    found[README_NAME] = readme(data_dir).encode("utf-8")
    found[LICENCE_NAME] = LICENCE.read_bytes()
    found[CITATION_NAME] = editions.CITATION.read_bytes()
    return found


def write_data_zip(target: Path, prefix: str, data_dir: Path = DATA_DIR) -> None:
    """The zip, byte-identical for identical contents, every file under the folder ``prefix``."""
    write_entries(target, {f"{prefix}/{name}": content for name, content in entries(data_dir).items()})

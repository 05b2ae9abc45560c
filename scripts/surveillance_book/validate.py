"""Validate the data package before anything runs.

Three layers, each error naming file, line, data row and field:
1. bytes: UTF-8 without a byte-order mark (Frictionless would guess an encoding);
2. Frictionless: the Table Schemas (types, required, enums, ranges, keys);
3. rules a Table Schema cannot state, declared in the descriptor:
   ``x-exactly-one`` column groups, ``x-not-above`` pairs and date/precision pairs.

Run as ``python -m surveillance_book.validate [data_dir]``; exit status 1 on errors.
"""

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .paths import DATA_DIR, PACKAGE_FILE

PRECISION_SUFFIX = "_precision"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None  # line of the file; the header is line 1
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.path]
        if self.line is not None:
            where.append(f"line {self.line} (data row {self.line - 1})" if self.line > 1 else "line 1 (header)")
        if self.field:
            where.append(f'field "{self.field}"')
        return f"{', '.join(where)}: {self.message}"


def check_bytes(path: Path, shown: str) -> list[Problem]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return [Problem(shown, 1, None, "file starts with a byte-order mark; save it as UTF-8 without BOM")]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 4]
        return [Problem(shown, line, None, f"bytes that are not UTF-8 ({bad!r}); save the file as UTF-8")]
    return []


def _frictionless_message(error) -> str:
    kind = error.type
    cell = getattr(error, "cell", None)
    if kind == "type-error":
        return f'"{cell}" is not a valid {error.note.split()[-1] if error.note else "value"} ({error.note})'
    if kind == "constraint-error":
        return f'"{cell}" breaks the rule {error.note}'
    if kind == "primary-key":
        return f"duplicate primary key: {error.note}"
    if kind == "foreign-key":
        return f"foreign key does not resolve: {error.note}"
    if kind in ("extra-cell", "missing-cell"):
        return f"ragged row: {error.message}"
    if kind.endswith("-label"):
        return f"wrong header: {error.message}"
    return f"{kind}: {error.message}"


def check_schema(package_path: Path, shown_dir: str) -> list[Problem]:
    import frictionless  # imported late: ~0.4 s, only when validating

    report = frictionless.validate(str(package_path))
    problems = [Problem(str(package_path), None, None, e.message) for e in report.errors]
    for task in report.tasks:
        for error in task.errors:
            problems.append(Problem(
                f"{shown_dir}/{task.place}",
                getattr(error, "row_number", None) or (1 if error.type.endswith("-label") else None),
                getattr(error, "field_name", None) or getattr(error, "label", None) or None,
                _frictionless_message(error),
            ))
    return problems


def _rows(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def check_rules(resource: dict, path: Path, shown: str) -> list[Problem]:
    names = [f["name"] for f in resource["schema"]["fields"]]
    dated = [n[: -len(PRECISION_SUFFIX)] for n in names if n.endswith(PRECISION_SUFFIX)]
    problems = []
    for line, row in _rows(path):
        for group in resource.get("x-exactly-one", []):
            if sum(bool(row.get(col)) for col in group) != 1:
                problems.append(Problem(shown, line, group[0], f"exactly one of {', '.join(group)} must be set"))
        for low, high in resource.get("x-not-above", []):
            try:
                if row.get(low) and row.get(high) and float(row[low]) > float(row[high]):
                    problems.append(Problem(shown, line, low, f"{low} ({row[low]}) is above {high} ({row[high]})"))
            except ValueError:
                pass  # a non-number is reported by the schema check
        for date in dated:
            if bool(row.get(date)) != bool(row.get(date + PRECISION_SUFFIX)):
                problems.append(Problem(shown, line, date + PRECISION_SUFFIX,
                                        f"{date} and {date}{PRECISION_SUFFIX} must be set together"))
    return problems


def validate(data_dir: str | Path = DATA_DIR) -> list[Problem]:
    data_dir = Path(data_dir)
    shown_dir = str(data_dir)
    package_path = data_dir / PACKAGE_FILE
    if not package_path.is_file():
        return [Problem(str(package_path), None, None, "data package descriptor not found")]
    try:
        descriptor = json.loads(package_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return [Problem(str(package_path), getattr(err, "lineno", None), None, f"not valid JSON: {err}")]
    problems = []
    for res in descriptor.get("resources", []):
        path = data_dir / res["path"]
        if not path.is_file():
            shown = f"{shown_dir}/{res['path']}"
            problems.append(Problem(shown, None, None, "file listed in datapackage.json is missing"))
            continue
        problems += check_bytes(path, f"{shown_dir}/{res['path']}")
    if problems:
        return problems  # the schema check would only misreport unreadable files
    problems += check_schema(package_path, shown_dir)
    if problems:
        return problems
    for res in descriptor["resources"]:
        problems += check_rules(res, data_dir / res["path"], f"{shown_dir}/{res['path']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else DATA_DIR
    problems = validate(data_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"\n{len(problems)} problem(s) in {data_dir}: fix them and run `make validate` again.", file=sys.stderr)
        return 1
    print(f"{data_dir}: valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())

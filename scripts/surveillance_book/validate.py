"""Validate the data package before anything runs.

Four layers, each problem naming file, line (data row) and field, in words a data editor understands;
a layer runs only when the one before found nothing, so one defect does not cascade into many messages:
1. the descriptor: valid JSON, with the resources, paths and schemas the later layers read;
2. the files: present, and no file in the folder that the descriptor does not list (only listed files
   are published); UTF-8 without a byte-order mark (Frictionless would guess an encoding), a header
   naming the schema's columns in order, as many cells in every row as in the header, and no cell
   holding invisible characters or only spaces (cells reach HTML, JavaScript, LaTeX and spreadsheets);
3. Frictionless: the Table Schemas (types, required, enums, ranges, keys), its errors reworded;
4. rules a Table Schema cannot state, declared in the descriptor:
   ``x-exactly-one`` column groups, ``x-not-above`` pairs and date/precision pairs.

"Line" counts CSV records with the header as line 1, as Frictionless does: it is the file's line
unless a quoted cell above spans several lines.

Run as ``python -m surveillance_book.validate [data_dir]``; exit status 1 on errors.
"""

import csv
import io
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .paths import DATA_DIR, PACKAGE_FILE, PACKAGE_README

PRECISION_SUFFIX = "_precision"
BOM = b"\xef\xbb\xbf"
# Characters no cell may hold: control characters (a NUL kills the notebook kernel; others are not
# allowed in XML or LaTeX), bidirectional controls (they reorder what a reader sees) and the Unicode
# line and paragraph separators (they end lines in JavaScript). Tab and newline are allowed.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
# What to show of each kind of problem: the first few in each file, then how many more.
SHOWN_PER_KIND = 5

# What a cell must look like, by Frictionless "type/format".
TYPE_WORDS = {
    "number": "a number (digits with an optional decimal point; no commas, units or words)",
    "integer": "a whole number",
    "date": "a valid date (YYYY-MM-DD)",
    "year": "a year (YYYY)",
    "boolean": "true or false",
    "string/uri": "a full web address (https://…)",
}
CONSTRAINT_WORDS = {
    "required": "a value is required",
    "enum": '"{cell}" is not one of: {value}',
    "minimum": '"{cell}" is below the minimum {value}',
    "maximum": '"{cell}" is above the maximum {value}',
    "pattern": '"{cell}" does not match the pattern {value}',
    "minLength": '"{cell}" is shorter than {value} characters',
    "maxLength": '"{cell}" is longer than {value} characters',
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None  # line of the file; the header is line 1
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.path]
        if self.line is not None and not self.path.endswith(".csv"):
            where.append(f"line {self.line}")  # the descriptor has lines but no data rows
        elif self.line is not None:
            where.append(f"line {self.line} (data row {self.line - 1})" if self.line > 1 else "line 1 (header)")
        if self.field:
            where.append(f'field "{self.field}"')
        return f"{', '.join(where)}: {self.message}"


def _and(words: list[str]) -> str:
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)  # Table Schema allows "a" for ["a"]


def check_descriptor(descriptor) -> list[str]:
    """What the later layers read without looking; Frictionless checks the rest of the descriptor."""
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        return ['"resources" must be a list of the tables']
    problems = []
    for number, res in enumerate(resources, start=1):
        res = res if isinstance(res, dict) else {}
        if not isinstance(res.get("name"), str):
            problems.append(f'resource {number} has no "name"')
        name = f'resource {number} ("{res.get("name")}")'
        if not isinstance(res.get("path"), str):
            problems.append(f'{name} has no "path" naming its CSV file')
        schema = res.get("schema")
        if not (isinstance(schema, dict) and isinstance(schema.get("fields"), list)
                and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in schema["fields"])):
            problems.append(f'{name} has no "schema" with a list of named "fields"')
    return problems


def check_bytes(raw: bytes, shown: str) -> list[Problem]:
    if raw.startswith(BOM):
        return [Problem(shown, 1, None, "file starts with a byte-order mark; save it as UTF-8 without BOM")]
    try:
        raw.decode("utf-8")
        return []
    except UnicodeDecodeError as err:
        bad = raw[err.start : err.end].hex(" ")
    # Decode again with � for the bad bytes to say which cell holds them.
    records = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace"), newline=""))
    header: list[str] = []
    for line, cells in enumerate(records, start=1):
        for column, cell in enumerate(cells):
            if "\ufffd" in cell:
                at = cell.index("\ufffd")
                field = header[column] if line > 1 and column < len(header) else None
                return [Problem(shown, line, field, f'byte {bad} is not UTF-8 (shown as � in "{cell[:at + 30]}"); '
                                "save the file as UTF-8")]
        header = header or cells
    return [Problem(shown, None, None, f"byte {bad} is not UTF-8; save the file as UTF-8")]


def check_header(header: list[str], names: list[str], shown: str) -> list[Problem]:
    problems, renamed = [], set()
    if len(header) == len(names):  # same width: a column named differently was most likely renamed
        for column, (got, want) in enumerate(zip(header, names, strict=True), start=1):
            if got != want and got not in names and want not in header:
                renamed.add(got)
                message = f'column {column} is headed "{got}"; the schema calls it "{want}"'
                problems.append(Problem(shown, 1, want, message))
    for column, want in enumerate(names, start=1):
        if want not in header and want not in {p.field for p in problems}:
            problems.append(Problem(shown, 1, want, f"column is missing (the schema puts it at position {column})"))
    for column, got in enumerate(header, start=1):
        if got not in names and got not in renamed:
            problems.append(Problem(shown, 1, None, f'column {column} "{got}" is not in the schema'))
        elif got in names and header.index(got) < column - 1:
            message = f"column appears twice (columns {header.index(got) + 1} and {column})"
            problems.append(Problem(shown, 1, got, message))
    if not problems:  # the same names in another order
        column, got, want = next((i, g, w) for i, (g, w) in enumerate(zip(header, names, strict=True), 1) if g != w)
        problems.append(Problem(shown, 1, None, f'column {column} is "{got}" where the schema has "{want}"; '
                                f"the order must be: {', '.join(names)}"))
    return problems


def check_shape(text: str, names: list[str], shown: str) -> list[Problem]:
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        return [Problem(shown, None, None, f"file is empty; its first line must name the columns: {', '.join(names)}")]
    if records[0] != names:
        return check_header(records[0], names, shown)  # rows are not worth reading against a wrong header
    problems = []
    for line, cells in enumerate(records[1:], start=2):
        if not any(cells):
            problems.append(Problem(shown, line, None, "line is empty; delete it"))
        elif len(cells) > len(names):
            extra = ", ".join(f'"{c}"' for c in cells[len(names):])
            problems.append(Problem(shown, line, None, f"{len(cells)} cells but the header has {len(names)} columns "
                                    f"(extra: {extra}); a value with a comma must be in double quotes"))
        elif len(cells) < len(names):
            problems.append(Problem(shown, line, None, f"{len(cells)} cells but the header has {len(names)} columns "
                                    f"(missing: {', '.join(names[len(cells):])})"))
    return problems


def _invisible(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character').lower()})"


def check_cells(text: str, names: list[str], shown: str) -> list[Problem]:
    """Cells that read as empty but are not, or that hold characters a reader cannot see."""
    problems = []
    records = csv.reader(io.StringIO(text, newline=""))
    next(records)  # the header, already checked to be the schema's names
    for line, cells in enumerate(records, start=2):
        for field, value in zip(names, cells, strict=True):
            bad = _INVISIBLE.search(value)
            if bad:
                shown_text = value[max(0, bad.start() - 20) : bad.start()]
                message = (f"character {_invisible(bad[0])} at position {bad.start() + 1}"
                           f'{f" (after {shown_text!r})" if shown_text else ""}; delete it')
                problems.append(Problem(shown, line, field, message))
            elif value and not value.strip():
                problems.append(Problem(shown, line, field, "the cell holds only spaces; leave it empty or fill it in"))
    return problems


def check_listed(data_dir: Path, descriptor: dict, shown_dir: str) -> list[Problem]:
    listed = {Path(res["path"]).parts[0] for res in descriptor["resources"]} | {PACKAGE_FILE, PACKAGE_README}
    return [Problem(f"{shown_dir}/{path.name}", None, None,
                    "not listed in datapackage.json, and only listed files are published; "
                    "add it as a resource or move it out of the data folder")
            for path in sorted(data_dir.iterdir()) if path.name not in listed]


def _frictionless_problem(error, schema: dict, shown: str, table: str = "") -> Problem | None:
    """Reword one Frictionless error; None when another error already says it. ``table`` is the
    resource's name: a foreign key into its own table names no resource (Data Package v2)."""
    fields = {f["name"]: f for f in schema["fields"]}
    names = list(fields)
    line, cell, note = getattr(error, "row_number", None), getattr(error, "cell", None), error.note or ""
    field = getattr(error, "field_name", None) or None
    if error.type == "type-error" and field in fields:
        kind = f'{fields[field]["type"]}/{fields[field].get("format", "default")}'
        words = TYPE_WORDS.get(kind) or TYPE_WORDS.get(kind.split("/")[0]) or f"a valid {kind}"
        return Problem(shown, line, field, f'"{cell}" is not {words}')
    rule = re.match(r'constraint "(\w+)"', note)
    if error.type == "constraint-error" and field in fields and rule:
        value = fields[field].get("constraints", {}).get(rule[1])
        value = ", ".join(map(str, value)) if isinstance(value, list) else value
        if rule[1] == "pattern" and "x-pattern-words" in fields[field]:  # the pattern in words
            return Problem(shown, line, field, f'"{cell}" is not {fields[field]["x-pattern-words"]}')
        words = CONSTRAINT_WORDS.get(rule[1], f'"{{cell}}" breaks the rule {rule[1]} = {{value}}')
        return Problem(shown, line, field, words.format(cell=cell, value=value))
    if error.type == "primary-key" and error.cells is not None:
        key = _list(schema.get("primaryKey", []))
        values = [error.cells[names.index(k)] if names.index(k) < len(error.cells) else "" for k in key]
        first = re.search(r"position (\d+)", note)
        if not any(values) and all(fields[k].get("constraints", {}).get("required") for k in key):
            return None  # "a value is required" is already reported for each key field
        if not any(values) or not first:
            return Problem(shown, line, key[0] if len(key) == 1 else None, f"the key {_and(key)} is empty")
        if len(key) == 1:
            return Problem(shown, line, key[0], f'"{values[0]}" is already used on line {first[1]}')
        pairs = ", ".join(f'{k} "{v}"' for k, v in zip(key, values, strict=True))
        return Problem(shown, line, None, f"the combination {pairs} is already used on line {first[1]}")
    found = re.match(r'for "(.+)": values "(.*)" not found in the lookup table "(.*)" as "(.+)"', note)
    if error.type == "foreign-key" and found:
        return Problem(shown, line, found[1], f'"{found[2]}" not found in {found[3] or table}.{found[4]}')
    return Problem(shown, line, field, error.message)  # unforeseen: Frictionless's own words


def _import_frictionless():
    # Imported late (~0.3 s), only when validating. jsonschema, which Frictionless loads, imports
    # rfc3987_syntax when installed (Jupyter installs it) and compiles ~40 grammars (~1 s) for an "iri"
    # format check that Frictionless never asks for: hide it while they load, to keep validation fast.
    hidden = "rfc3987_syntax" not in sys.modules
    if hidden:
        sys.modules["rfc3987_syntax"] = None  # None here makes `import rfc3987_syntax` fail
    try:
        import frictionless
        import jsonschema  # noqa: F401  (loaded here, while hidden, rather than on first use)
    finally:
        if hidden:
            del sys.modules["rfc3987_syntax"]
    return frictionless


def check_schema(package_path: Path, descriptor: dict, shown_dir: str) -> list[Problem]:
    frictionless = _import_frictionless()
    shown_package = f"{shown_dir}/{package_path.name}"
    try:
        report = frictionless.validate(str(package_path), limit_errors=sys.maxsize)  # true totals
    except Exception as err:  # Frictionless can fail on descriptors it does not expect (e.g. "minimum": "zero")
        message = f"Frictionless failed on the descriptor ({type(err).__name__}: {err}); check its fields' constraints"
        return [Problem(shown_package, None, None, message)]
    problems = [Problem(shown_package, None, None, e.message) for e in report.errors]
    resources = {res["name"]: res for res in descriptor["resources"]}
    for task in report.tasks:
        res = resources[task.name]
        for error in task.errors:
            problem = _frictionless_problem(error, res["schema"], f"{shown_dir}/{res['path']}", res["name"])
            problems += [problem] if problem else []
    return problems


def _rows(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def check_rules(resource: dict, path: Path, shown: str) -> list[Problem]:
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    dated = [n[: -len(PRECISION_SUFFIX)] for n in fields if n.endswith(PRECISION_SUFFIX)]
    problems = []
    for line, row in _rows(path):
        for group in resource.get("x-exactly-one", []):
            filled = [col for col in group if row.get(col)]
            if not filled:
                both = "both" if len(group) == 2 else "all"
                problems.append(Problem(shown, line, None, f"{_and(group)} are {both} empty; fill in one of them"))
            elif len(filled) > 1:
                values, both = _and([f'{col} ("{row[col]}")' for col in filled]), "both" if len(filled) == 2 else "all"
                problems.append(Problem(shown, line, None, f"{values} are {both} filled in; keep only one of them"))
        for low, high in resource.get("x-not-above", []):
            try:
                if row.get(low) and row.get(high) and float(row[low]) > float(row[high]):
                    problems.append(Problem(shown, line, low, f'"{row[low]}" is above {high} ("{row[high]}")'))
            except ValueError:
                pass  # a non-number is reported by the schema check
        for date in dated:
            precision = date + PRECISION_SUFFIX
            if row.get(date) and not row.get(precision):
                levels = _and(fields[precision].get("constraints", {}).get("enum", [])).replace(" and ", " or ")
                problems.append(Problem(shown, line, precision, f'a value ({levels}) is required because {date} '
                                        f'is set ("{row[date]}")'))
            elif row.get(precision) and not row.get(date):
                problems.append(Problem(shown, line, date, f'a date is required because {precision} is set '
                                        f'("{row[precision]}"); fill in the date or clear the precision'))
    return problems


def _display(data_dir: Path) -> str:
    # Relative to the working directory when inside it, so `make validate` prints data/contracts.csv.
    try:
        return str(data_dir.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(data_dir)


def validate(data_dir: str | Path = DATA_DIR) -> list[Problem]:
    data_dir = Path(data_dir)
    shown_dir = _display(data_dir)
    package_path = data_dir / PACKAGE_FILE
    shown_package = f"{shown_dir}/{PACKAGE_FILE}"
    if not package_path.is_file():
        return [Problem(shown_package, None, None, "data package descriptor not found")]
    try:
        descriptor = json.loads(package_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return [Problem(shown_package, None, None, "not UTF-8; save the file as UTF-8")]
    except json.JSONDecodeError as err:
        return [Problem(shown_package, err.lineno, None, f"not valid JSON: {err.msg} (column {err.colno})")]
    problems = [Problem(shown_package, None, None, message) for message in check_descriptor(descriptor)]
    if problems:
        return problems
    problems = check_listed(data_dir, descriptor, shown_dir)
    for res in descriptor["resources"]:
        path, shown = data_dir / res["path"], f"{shown_dir}/{res['path']}"
        if not path.is_file():
            problems.append(Problem(shown, None, None, "file listed in datapackage.json is missing"))
            continue
        raw = path.read_bytes()
        names = [f["name"] for f in res["schema"]["fields"]]
        problems += (check_bytes(raw, shown) or check_shape(raw.decode("utf-8"), names, shown)
                     or check_cells(raw.decode("utf-8"), names, shown))
    if problems:
        return problems  # the schema check would only misreport unreadable or misshapen files
    problems += check_schema(package_path, descriptor, shown_dir)
    if problems:
        return problems
    for res in descriptor["resources"]:
        problems += check_rules(res, data_dir / res["path"], f"{shown_dir}/{res['path']}")
    return problems or check_addresses(data_dir, shown_dir)


def check_addresses(data_dir: Path, shown_dir: str) -> list[Problem]:
    """Every organization and system gets a directory page named after its id: an id that would make an
    unsafe file name, or the same one as another row's, is a problem of its row."""
    from .chapter import Chapter
    from .directory.entities import address_problems

    book = Chapter("overview", as_of="2100-12-31", data_dir=data_dir)
    return [Problem(path.replace("data", shown_dir, 1), line, field, message)
            for path, line, field, message in address_problems(book)]


def _kind(problem: Problem) -> tuple:
    """Problems of one kind: same file, field and message but for the values quoted and the numbers."""
    return problem.path, problem.field, re.sub(r'"[^"]*"|\d+', "_", problem.message)


def report(problems: list[Problem], per_kind: int = SHOWN_PER_KIND) -> list[str]:
    """Each problem, but no more than ``per_kind`` of one kind; the rest as one line saying how many."""
    totals, shown, lines = Counter(map(_kind, problems)), Counter(), []
    for problem in problems:
        kind = _kind(problem)
        shown[kind] += 1
        if shown[kind] <= per_kind:
            lines.append(str(problem))
        if shown[kind] == per_kind + 1:
            field = f'field "{problem.field}"' if problem.field else "the file"
            lines.append(f"{problem.path}: … and {totals[kind] - per_kind:,} more like the above in {field}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else DATA_DIR
    problems = validate(data_dir)
    for line in report(problems):
        print(line, file=sys.stderr)
    if problems:
        print(f"\n{len(problems):,} problem(s) in {_display(data_dir)}: fix them and run `make validate` again.",
              file=sys.stderr)
        return 1
    print(f"{_display(data_dir)}: valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())

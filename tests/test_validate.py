"""The data validator on bad input: each defect, made in a copy of data/, gives one clear problem.

Every test asserts the file, line, field and a distinctive part of the message, and that nothing
else is reported. Rows are picked from the data where a test depends on their content, so the
tests keep working as the data grows.
"""

import csv
import io
import json
from pathlib import Path

import pytest

from surveillance_book.paths import DATA_DIR
from surveillance_book.validate import main, validate

# --- editing the copy --------------------------------------------------------------------------


def read(data: Path, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((data / name).read_text(encoding="utf-8"), newline="")))


def write(data: Path, name: str, records: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    (data / name).write_text(out.getvalue(), encoding="utf-8")


def cell(data: Path, name: str, line: int, field: str) -> str:
    records = read(data, name)
    return records[line - 1][records[0].index(field)]


def set_cells(data: Path, name: str, line: int, **values: str) -> None:
    records = read(data, name)
    for field, value in values.items():
        records[line - 1][records[0].index(field)] = value
    write(data, name, records)


def first_line(data: Path, name: str, **filled: bool) -> int:
    """The first line whose named fields are filled in (True) or empty (False)."""
    records = read(data, name)
    for line, row in enumerate(records[1:], start=2):
        if all(bool(row[records[0].index(f)]) == want for f, want in filled.items()):
            return line
    raise AssertionError(f"no row of {name} fits {filled}")


def edit_lines(data: Path, name: str, edit) -> None:
    path = data / name
    lines = path.read_text(encoding="utf-8").split("\n")
    edit(lines)
    path.write_text("\n".join(lines), encoding="utf-8")


def edit_descriptor(data: Path, edit) -> None:
    path = data / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    edit(descriptor)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def contracts(descriptor: dict) -> dict:
    return next(res for res in descriptor["resources"] if res["name"] == "contracts")


def the_problem(data: Path, name: str, line: int | None, field: str | None, *fragments: str):
    """Validate and check that exactly one problem is reported, where and as expected."""
    problems = validate(data)
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert Path(problem.path).resolve() == (data / name).resolve(), str(problem)
    assert (problem.line, problem.field) == (line, field), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)
    return problem


# --- the real data -----------------------------------------------------------------------------


def test_the_data_is_valid():
    assert validate(DATA_DIR) == []


def test_main_says_valid_and_exits_0(capsys):
    assert main([str(DATA_DIR)]) == 0
    assert capsys.readouterr().out.strip().endswith("data: valid")


# --- one cell wrong ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "line", "field", "value", "message"), [
    pytest.param("contracts.csv", 5, "amount_usd", "about 5 million",
                 '"about 5 million" is not a number (digits with an optional decimal point', id="text-in-number"),
    pytest.param("contracts.csv", 5, "amount_usd", "-5", '"-5" is below the minimum 0', id="negative-amount"),
    pytest.param("contracts.csv", 5, "amount_kind", "grant",
                 '"grant" is not one of: awarded, obligated to date, potential ceiling, ', id="outside-enum"),
    pytest.param("contracts.csv", 5, "purpose", "", "a value is required", id="missing-required"),
    pytest.param("contracts.csv", 5, "vendor_id", "acme", '"acme" not found in organizations.org_id',
                 id="dangling-foreign-key"),
    pytest.param("organizations.csv", 5, "parent_id", "nobody", '"nobody" not found in organizations.org_id',
                 id="dangling-key-into-its-own-table"),  # v2 names no resource for its own table
    pytest.param("contracts.csv", 5, "announced", "2018-02-30", '"2018-02-30" is not a valid date (YYYY-MM-DD)',
                 id="impossible-date"),
    pytest.param("sources.csv", 3, "url", "www.example.org", '"www.example.org" is not a full web address',
                 id="address-without-scheme"),
])
def test_a_wrong_cell_is_named(data_copy, name, line, field, value, message):
    set_cells(data_copy, name, line, **{field: value})
    the_problem(data_copy, name, line, field, message)


def test_a_duplicate_id_names_the_first_use(data_copy):
    first = cell(data_copy, "contracts.csv", 2, "contract_id")
    set_cells(data_copy, "contracts.csv", 5, contract_id=first)
    the_problem(data_copy, "contracts.csv", 5, "contract_id", f'"{first}" is already used on line 2')


def test_a_duplicate_composite_key_names_its_fields(data_copy):
    records = read(data_copy, "system_data.csv")
    records[4] = list(records[2])
    write(data_copy, "system_data.csv", records)
    system, data_type, _, role = records[2][:4]
    the_problem(data_copy, "system_data.csv", 5, None, f'the combination system_id "{system}", '
                f'data_type "{data_type}", role "{role}" is already used on line 3')


def test_an_empty_id_is_one_problem_not_two(data_copy):
    set_cells(data_copy, "contracts.csv", 5, contract_id="")
    the_problem(data_copy, "contracts.csv", 5, "contract_id", "a value is required")


def test_an_empty_key_that_is_not_declared_required(data_copy):
    edit_descriptor(data_copy, lambda d: contracts(d)["schema"]["fields"][0].pop("constraints"))
    set_cells(data_copy, "contracts.csv", 5, contract_id="")
    the_problem(data_copy, "contracts.csv", 5, "contract_id", "the key contract_id is empty")


def test_defects_in_two_files_are_both_reported(data_copy):
    set_cells(data_copy, "contracts.csv", 5, amount_usd="-5")
    set_cells(data_copy, "organizations.csv", 3, kind="charity")
    assert [(Path(p.path).name, p.line, p.field) for p in validate(data_copy)] == [
        ("organizations.csv", 3, "kind"), ("contracts.csv", 5, "amount_usd")]


# --- rows and header of the wrong shape --------------------------------------------------------


def test_a_row_with_too_many_cells(data_copy):
    edit_lines(data_copy, "contracts.csv", lambda lines: lines.__setitem__(4, lines[4] + ",surplus"))
    the_problem(data_copy, "contracts.csv", 5, None, '20 cells but the header has 19 columns (extra: "surplus")',
                "double quotes")


def test_a_row_with_too_few_cells(data_copy):
    edit_lines(data_copy, "contracts.csv", lambda lines: lines.__setitem__(4, lines[4].rsplit(",", 2)[0]))
    the_problem(data_copy, "contracts.csv", 5, None,
                "17 cells but the header has 19 columns (missing: primary_source_id, note)")


def test_an_empty_line(data_copy):
    edit_lines(data_copy, "contracts.csv", lambda lines: lines.insert(4, ""))
    the_problem(data_copy, "contracts.csv", 5, None, "line is empty")


def test_a_renamed_column(data_copy):
    edit_lines(data_copy, "contracts.csv",
               lambda lines: lines.__setitem__(0, lines[0].replace("amount_usd,", "amount,")))
    problem = the_problem(data_copy, "contracts.csv", 1, "amount_usd")
    assert str(problem) == (f'{problem.path}, line 1 (header), field "amount_usd": '
                            'column 6 is headed "amount"; the schema calls it "amount_usd"')


def test_a_missing_column_is_one_problem_not_one_per_row(data_copy):
    write(data_copy, "contracts.csv", [r[:5] + r[6:] for r in read(data_copy, "contracts.csv")])
    the_problem(data_copy, "contracts.csv", 1, "amount_usd", "column is missing (the schema puts it at position 6)")


def test_a_column_not_in_the_schema(data_copy):
    write(data_copy, "contracts.csv", [[*r, "comment"] for r in read(data_copy, "contracts.csv")])
    the_problem(data_copy, "contracts.csv", 1, None, 'column 20 "comment" is not in the schema')


def test_columns_out_of_order(data_copy):
    write(data_copy, "contracts.csv", [r[:5] + [r[6], r[5]] + r[7:] for r in read(data_copy, "contracts.csv")])
    the_problem(data_copy, "contracts.csv", 1, None, 'column 6 is "amount_kind" where the schema has "amount_usd"; '
                "the order must be: contract_id, vendor_id")


def test_a_column_twice(data_copy):
    edit_lines(data_copy, "contracts.csv",
               lambda lines: lines.__setitem__(0, lines[0].replace("amount_kind,", "amount_usd,")))
    problems = validate(data_copy)
    assert [(p.line, p.field, p.message) for p in problems] == [
        (1, "amount_kind", "column is missing (the schema puts it at position 7)"),
        (1, "amount_usd", "column appears twice (columns 6 and 7)")]


# --- bytes -------------------------------------------------------------------------------------


def test_a_byte_order_mark(data_copy):
    path = data_copy / "contracts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    the_problem(data_copy, "contracts.csv", 1, None, "byte-order mark", "UTF-8 without BOM")


def test_bytes_that_are_not_utf8_are_placed_in_their_cell(data_copy):
    set_cells(data_copy, "contracts.csv", 5, purpose="Caf\u00e9 services")
    path = data_copy / "contracts.csv"
    path.write_bytes(path.read_bytes().replace("Caf\u00e9".encode(), b"Caf\xe9"))  # as Latin-1 would save it
    the_problem(data_copy, "contracts.csv", 5, "purpose", 'byte e9 is not UTF-8 (shown as � in "Caf� services")',
                "save the file as UTF-8")


# --- rules declared in the descriptor ----------------------------------------------------------


def test_both_subjects_set(data_copy):
    line = first_line(data_copy, "metrics.csv", subject_system_id=True, subject_org_id=False)
    system = cell(data_copy, "metrics.csv", line, "subject_system_id")
    org = cell(data_copy, "organizations.csv", 2, "org_id")
    set_cells(data_copy, "metrics.csv", line, subject_org_id=org)
    the_problem(data_copy, "metrics.csv", line, None,
                f'subject_system_id ("{system}") and subject_org_id ("{org}") are both filled in; keep only one')


def test_no_subject_set(data_copy):
    line = first_line(data_copy, "metrics.csv", subject_system_id=True, subject_org_id=False)
    set_cells(data_copy, "metrics.csv", line, subject_system_id="")
    the_problem(data_copy, "metrics.csv", line, None, "subject_system_id and subject_org_id are both empty")


def test_low_above_high(data_copy):
    set_cells(data_copy, "metrics.csv", 3, value_low="500", value_high="400")
    the_problem(data_copy, "metrics.csv", 3, "value_low", '"500" is above value_high ("400")')


def test_a_date_without_its_precision(data_copy):
    line = first_line(data_copy, "contracts.csv", announced=True)
    date = cell(data_copy, "contracts.csv", line, "announced")
    set_cells(data_copy, "contracts.csv", line, announced_precision="")
    the_problem(data_copy, "contracts.csv", line, "announced_precision",
                f'a value (year, month or day) is required because announced is set ("{date}")')


def test_a_precision_without_its_date(data_copy):
    line = first_line(data_copy, "contracts.csv", announced=True)
    set_cells(data_copy, "contracts.csv", line, announced="")
    the_problem(data_copy, "contracts.csv", line, "announced", "a date is required because announced_precision is set")


# --- files and descriptor ----------------------------------------------------------------------


def test_a_missing_csv_file(data_copy):
    (data_copy / "events.csv").unlink()
    the_problem(data_copy, "events.csv", None, None, "file listed in datapackage.json is missing")


def test_a_missing_descriptor(data_copy):
    (data_copy / "datapackage.json").unlink()
    the_problem(data_copy, "datapackage.json", None, None, "data package descriptor not found")


def test_a_descriptor_that_is_not_json(data_copy):
    path = data_copy / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"version": "0.1.0",', '"version": "0.1.0"', 1), encoding="utf-8")
    line = text[: text.index('"version": "0.1.0",')].count("\n") + 2  # the key after it
    problem = the_problem(data_copy, "datapackage.json", line, None)
    assert str(problem) == f"{problem.path}, line {line}: not valid JSON: Expecting ',' delimiter (column 3)"


def test_a_resource_without_path(data_copy):
    edit_descriptor(data_copy, lambda d: contracts(d).pop("path"))
    the_problem(data_copy, "datapackage.json", None, None, 'resource 4 ("contracts") has no "path" naming its CSV file')


def test_a_resource_without_schema(data_copy):
    edit_descriptor(data_copy, lambda d: contracts(d).pop("schema"))
    the_problem(data_copy, "datapackage.json", None, None, 'resource 4 ("contracts") has no "schema"')


def test_an_unknown_field_type(data_copy):
    edit_descriptor(data_copy, lambda d: contracts(d)["schema"]["fields"][5].update(type="nubmer"))
    the_problem(data_copy, "datapackage.json", None, None, 'field type "nubmer" is not supported')


def test_a_constraint_frictionless_cannot_use(data_copy):
    edit_descriptor(data_copy, lambda d: contracts(d)["schema"]["fields"][5]["constraints"].update(minimum="zero"))
    the_problem(data_copy, "datapackage.json", None, None, "Frictionless failed on the descriptor", "constraints")


# --- the command line --------------------------------------------------------------------------


def test_main_prints_each_problem_and_exits_1(data_copy, capsys):
    set_cells(data_copy, "contracts.csv", 5, amount_usd="-5", amount_kind="grant")
    assert main([str(data_copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    where = f"{data_copy / 'contracts.csv'}, line 5 (data row 4)"
    assert err[:2] == [f'{where}, field "amount_usd": "-5" is below the minimum 0',
                       f'{where}, field "amount_kind": "grant" is not one of: awarded, obligated to date, '
                       "potential ceiling, cumulative received, contracts total, monthly payment, not stated"]
    assert err[2:] == ["", f"2 problem(s) in {data_copy}: fix them and run `make validate` again."]


def test_main_reports_a_missing_file(data_copy, capsys):
    (data_copy / "events.csv").unlink()
    assert main([str(data_copy)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{data_copy / 'events.csv'}: file listed in datapackage.json is missing")


# --- cells that pass the schema but would break or deceive a page ------------------------------


@pytest.mark.parametrize(("value", "message"), [
    pytest.param("Giant\x00Oak", "character U+0000 (a control character) at position 6 (after 'Giant'); delete it",
                 id="nul"),
    pytest.param("\x1bGiant Oak", "character U+001B (a control character) at position 1; delete it", id="escape"),
    pytest.param("Giant Oak\u202e", "character U+202E (right-to-left override) at position 10", id="bidi-override"),
    pytest.param("Giant\u2066Oak", "character U+2066 (left-to-right isolate)", id="bidi-isolate"),
    pytest.param("Giant\u2028Oak", "character U+2028 (line separator)", id="line-separator"),
    pytest.param("Giant\u2029Oak", "character U+2029 (paragraph separator)", id="paragraph-separator"),
    pytest.param("   ", "the cell holds only spaces; leave it empty or fill it in", id="only-spaces"),
    pytest.param("\t ", "the cell holds only spaces", id="only-a-tab"),
])
def test_an_invisible_or_blank_cell_is_named(data_copy, value, message):
    line = first_line(data_copy, "organizations.csv", short_name=True)
    set_cells(data_copy, "organizations.csv", line, short_name=value)
    the_problem(data_copy, "organizations.csv", line, "short_name", message)


def test_a_required_cell_of_spaces_is_not_a_value(data_copy):
    set_cells(data_copy, "contracts.csv", 5, purpose="  ")
    the_problem(data_copy, "contracts.csv", 5, "purpose", "holds only spaces")


def test_a_newline_and_a_tab_inside_a_cell_are_allowed(data_copy):
    line = first_line(data_copy, "organizations.csv", short_name=True)
    set_cells(data_copy, "organizations.csv", line, short_name="Giant\tOak\nLLC")
    assert validate(data_copy) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 "file:///etc/passwd", "ftp://example.org/x"])
def test_only_http_and_https_addresses(data_copy, url):
    set_cells(data_copy, "sources.csv", 3, url=url)
    the_problem(data_copy, "sources.csv", 3, "url", f'"{url}" is not a web address starting with http:// or https://')


def test_an_https_address_is_accepted(data_copy):
    set_cells(data_copy, "sources.csv", 3, url="https://example.org/a_b?c=d&e=%20#f")
    assert validate(data_copy) == []


@pytest.mark.parametrize("name", ["private-notes.csv", ".hidden.csv", "notes.txt"])
def test_a_file_the_package_does_not_list(data_copy, name):
    (data_copy / name).write_text("a,b\n1,2\n", encoding="utf-8")
    the_problem(data_copy, name, None, None, "not listed in datapackage.json, and only listed files are published")


def test_a_folder_the_package_does_not_list(data_copy):
    (data_copy / "drafts").mkdir()
    the_problem(data_copy, "drafts", None, None, "not listed in datapackage.json")


def test_the_documentation_is_not_an_unlisted_file(data_copy):
    (data_copy / "README.md").write_text("# Data\n", encoding="utf-8")
    assert validate(data_copy) == []


# --- many problems -----------------------------------------------------------------------------


def _ragged(data: Path, rows: int) -> None:
    records = read(data, "events.csv")
    write(data, "events.csv", records + [["x", "y"]] * rows)


def test_many_problems_are_shown_a_few_per_kind_with_the_true_total(data_copy, capsys):
    _ragged(data_copy, 3000)
    assert main([str(data_copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    shown = [line for line in err if "cells but the header has" in line]
    assert len(shown) == 5, err[:10]
    assert err[5] == f"{data_copy / 'events.csv'}: … and 2,995 more like the above in the file"
    assert err[-1] == f"3,000 problem(s) in {data_copy}: fix them and run `make validate` again."
    assert len(err) == 8


def test_past_a_thousand_schema_errors_the_count_is_true(data_copy):
    records = read(data_copy, "contracts.csv")
    column = records[0].index("amount_usd")
    template = next(r for r in records[1:] if r[column])
    extra = []
    for number in range(1500):
        row = list(template)
        row[0] = f"{row[0]}-copy-{number}"
        row[column] = "lots"
        extra.append(row)
    write(data_copy, "contracts.csv", records + extra)
    problems = validate(data_copy)
    assert len(problems) == 1500
    assert {(p.field, p.message) for p in problems} == {("amount_usd", '"lots" is not a number (digits with an '
                                                         "optional decimal point; no commas, units or words)")}


def test_a_publisher_with_braces(data_copy):
    set_cells(data_copy, "sources.csv", 3, publisher="ACME {Inc}")
    the_problem(data_copy, "sources.csv", 3, "publisher", '"ACME {Inc}" is not a name without braces { }')

"""Rewrite chapters from myst-nb's {glue:text}`KEY` to {eval}`prose.KEY`, which JupyterLab renders too.

    .venv/bin/python scripts/eval_roles.py notebooks/*.ipynb

In each notebook, every {glue:text}`KEY` in a markdown cell becomes {eval}`prose.KEY` (jupyterlab-myst
evaluates it in the kernel; the book's Sphinx extension pastes the stored glue for it), and the setup
cell gets ``prose = book.prose`` right after ``book = Chapter(...)``. Running it again changes nothing;
a notebook is rewritten only when something in it changed, in the layout it was stored in.
"""

import ast
import json
import re
import sys
from pathlib import Path

GLUE_TEXT = re.compile(r"\{glue:text\}`([A-Za-z_][A-Za-z0-9_]*)`")
OTHER_GLUE = re.compile(r"\{glue(?::[a-z]+)?\}`[^`]*`")  # {glue}, {glue:md}, a format spec: left as they are
PROSE_LINE = "prose = book.prose"


def convert_markdown(text: str) -> str:
    return GLUE_TEXT.sub(r"{eval}`prose.\1`", text)


def _chapter_assignment_end(code: str) -> int | None:
    """The last line (1-based) of the statement ``book = Chapter(...)``, or None when there is none."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["book"]
                and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "Chapter"):
            return node.end_lineno
    return None


def add_prose(code: str) -> str:
    """``code`` with ``prose = book.prose`` after ``book = Chapter(...)``, unless it has that line."""
    end = _chapter_assignment_end(code)
    lines = code.splitlines(keepends=True)
    if end is None or any(line.strip() == PROSE_LINE for line in lines):
        return code
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines.insert(end, PROSE_LINE + ("\n" if end < len(lines) else ""))
    return "".join(lines)


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _set_source(cell, text: str) -> None:
    cell["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text


def convert(nb: dict) -> tuple[dict, list[str]]:
    """The notebook converted in place, and notes on what could not be converted."""
    notes, has_prose = [], False
    for index, cell in enumerate(nb["cells"], start=1):
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            new = convert_markdown(text)
            notes += [f"cell {index}: {m.group(0)} left as it is" for m in OTHER_GLUE.finditer(new)]
        elif cell["cell_type"] == "code":
            new = add_prose(text)
            has_prose = has_prose or any(line.strip() == PROSE_LINE for line in new.splitlines())
        else:
            continue
        if new != text:
            _set_source(cell, new)
    uses_prose = any("{eval}`prose." in _source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    if uses_prose and not has_prose:
        notes.append(f"no `book = Chapter(...)` cell to add {PROSE_LINE!r} to: add it by hand")
    return nb, notes


def convert_file(path: Path) -> tuple[bool, list[str]]:
    """Convert one notebook file; True when it was rewritten."""
    raw = path.read_text(encoding="utf-8")
    nb, notes = convert(json.loads(raw))
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"  # the layout the chapters are stored in
    if text == raw:
        return False, notes
    path.write_text(text, encoding="utf-8")
    return True, notes


def main(paths) -> int:
    problems = 0
    for path in map(Path, paths):
        changed, notes = convert_file(path)
        print(f"{path}: {'converted' if changed else 'unchanged'}")
        for note in notes:
            print(f"  {note}")
        problems += len(notes)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The directory: a page for every organization and every system in data/, an index and a glossary.

Generated from the data at build time (``build.py`` calls :func:`generate` before Sphinx runs) into
``book/directory/`` (not committed): ``index.md`` (in the table of contents; in the PDF it is the
directory appendix) and ``glossary.md`` for Sphinx, and each profile as HTML, ``org/<id>.json`` and
``system/<id>.json`` (``profile.page``). Sphinx builds one page for them all, ``org/profile_shell.md``,
which cites every source; once Sphinx has built the HTML, ``publish.publish`` writes each profile into
it, at ``org/<id>.html`` and ``system/<id>.html``: stable addresses a citation can use, derived from the
row id. The profiles are in the web edition only (the PDF's appendix stands for them).

Incremental: with none of its inputs changed (data, notebooks, glossary, renames, code, the pages there)
nothing is read; otherwise each page is rendered only when what it shows changed (a digest of its rows,
the chapters that discuss it and this package's code, kept in ``.digests.json``), and written only when
its text changed. An id renamed in a later edition leaves a page that sends the reader on
(``book/directory_renames.csv``: table, old_id, new_id).
"""

import csv
import hashlib
import json
import multiprocessing
import os
from pathlib import Path

from ..chapter import BOOK_AS_OF, Chapter
from ..charts import unchecked
from ..files import write_if_changed
from ..paths import DATA_DIR, REPO, package_digest
from . import chapters as chapter_links
from .entities import ADDRESS, FOLDERS, Entity, address_problems, entities, own_row, rows_about, rows_text
from .index import glossary, glossary_page, glossary_terms, index_page
from .profile import PREFIX, page
from .publish import PAGE, SHELL, shell_page

TARGET = REPO / "book" / "directory"
RENAMES = REPO / "book" / "directory_renames.csv"
DIGESTS = ".digests.json"


def _inputs_digest(notebooks: list[Path], data_dir: Path, target: Path, renames: Path, code: str) -> str:
    """Everything the directory is made from, and the pages it holds: when none changed, nothing is read."""
    digest = hashlib.sha256(code.encode())
    glossary_file = REPO / "book" / "glossary.csv"
    found = [*target.rglob("*.md"), *target.glob(f"*/*{PAGE}")] if target.is_dir() else []
    pages = sorted(p.relative_to(target).as_posix() for p in found)  # not DIGESTS, written after this
    for path in [*sorted(Path(data_dir).glob("*")), *notebooks, glossary_file, renames]:
        digest.update(str(path).encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    digest.update("\n".join(pages).encode())
    return digest.hexdigest()


def _digest(entity: Entity, book: Chapter, chapters: list[str], titles: dict, common: str) -> str:
    """What one page shows: its rows, its chapters, and what every page shows (``common``: the code, and
    the names of the entities its rows mention)."""
    parts = [common, json.dumps([entity.__dict__, chapters, [titles.get(c) for c in chapters]]),
             rows_text(book, entity)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


# What the pages are drawn from, for the worker processes (inherited on fork, not sent to them).
_DRAWING: dict = {}
PARALLEL_FROM = 40  # pages; fewer are drawn in this process (starting workers costs more)


def _draw(entity: Entity) -> str:
    base, chapters, titles, data_dir = (_DRAWING[k] for k in ("base", "chapters", "titles", "data_dir"))
    book = Chapter(_section(entity, base), as_of=BOOK_AS_OF, highlight=entity.id, data_dir=data_dir, sharing=base)
    with unchecked():
        drawn = page(entity, rows_about(book, entity), book, chapters.get(entity.id, []), titles)
    return json.dumps(drawn, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def _draw_all(todo: list[Entity], **drawing) -> list[str]:
    """Each page's text, drawn on every core when there are many (the pages do not depend on each other)."""
    _DRAWING.update(drawing)
    try:
        cores = len(os.sched_getaffinity(0))
        if len(todo) < PARALLEL_FROM or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [_draw(e) for e in todo]
        with multiprocessing.get_context("fork").Pool(cores) as pool:
            return pool.map(_draw, todo, chunksize=max(1, len(todo) // (cores * 8)))
    finally:
        _DRAWING.clear()


def _redirect(new_address: str) -> str:
    target = new_address.split("/")[-1]
    return ("---\norphan: true\n---\n\n# Moved\n\n```{raw} html\n"
            f'<meta http-equiv="refresh" content="0; url={target}.html">\n```\n\n'
            f"This page has a new address: [{target}](/{PREFIX}{new_address}.md).\n")


def _renamed(renames: Path, known: set[str]) -> dict[str, str]:
    """Old address -> new address, for ids renamed in a later edition (and not in use again)."""
    if not renames.is_file():
        return {}
    out = {}
    with renames.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["table"] not in FOLDERS or not all(ADDRESS.fullmatch(row[k] or "") for k in ("old_id", "new_id")):
                raise ValueError(f"{renames.name}, line {line}: table must be organizations or systems and both "
                                 "ids lowercase letters, digits and single hyphens")
            folder = FOLDERS[row["table"]]
            old, new = f"{folder}/{row['old_id']}", f"{folder}/{row['new_id']}"
            if old not in known and new in known:
                out[old] = new
    return out


def generate(notebooks: list[Path], data_dir: Path = DATA_DIR, target: Path = TARGET,
             renames: Path = RENAMES) -> dict[str, int]:
    """Write the directory's pages; how many pages were rendered, written and left as they were."""
    digests_path = target / DIGESTS
    old = json.loads(digests_path.read_text()) if digests_path.is_file() else {}
    code = package_digest()
    inputs = _inputs_digest(notebooks, data_dir, target, renames, code)
    if old.get("inputs") == inputs:  # a build with nothing changed pays nothing here
        return {"rendered": 0, "written": 0, "unchanged": len(old.get("pages", {}))}
    base = Chapter("overview", as_of=BOOK_AS_OF, data_dir=data_dir)
    problems = address_problems(base)  # validation reports them before anything runs; never write past them
    if problems:
        raise ValueError("; ".join(f"{path}, line {line}, field {field}: {message}" for path, line, field, message
                                   in problems))
    everyone = entities(base)
    by_entity, titles = chapter_links.discussed_in(notebooks, base)
    common = code + json.dumps(sorted(base._all_names.items()))
    new, todo = {}, []
    for entity in everyone:
        new[entity.address] = _digest(entity, base, by_entity.get(entity.id, []), titles, common)
        if old.get("pages", {}).get(entity.address) != new[entity.address] or not (
                target / f"{entity.address}{PAGE}").is_file():
            todo.append(entity)
    texts = _draw_all(todo, base=base, chapters=by_entity, titles=titles, data_dir=data_dir)
    counts = {"rendered": len(todo), "written": 0, "unchanged": len(everyone) - len(todo)}
    for entity, text in zip(todo, texts, strict=True):
        counts["written"] += write_if_changed(target / f"{entity.address}{PAGE}", text)
    redirects = _renamed(renames, {e.address for e in everyone})
    for old_address, new_address in redirects.items():
        write_if_changed(target / f"{old_address}.md", _redirect(new_address))
    write_if_changed(target / SHELL, shell_page(base.everything("sources").source_id))
    keep = {f"{e.address}{PAGE}" for e in everyone} | {f"{a}.md" for a in redirects} | {SHELL}
    for stale in [p for folder in FOLDERS.values() for p in (target / folder).glob("*.*")]:
        if f"{stale.parent.name}/{stale.name}" not in keep:
            stale.unlink()  # an entity no longer in the data has no page (nor a page of an older build's kind)
    write_if_changed(target / "index.md", index_page(everyone, {e.id: e.belongs for e in everyone}))
    write_if_changed(target / "glossary.md", glossary_page(glossary(everyone, glossary_terms(REPO / "book"))))
    # the pages as they are now (stale ones gone), so the next build with nothing changed skips all of this
    inputs = _inputs_digest(notebooks, data_dir, target, renames, code)
    write_if_changed(digests_path, json.dumps({"inputs": inputs, "pages": new}, indent=0, sort_keys=True))
    return counts


def _section(entity: Entity, book: Chapter) -> str:
    return str(own_row(book, entity).section)

"""The directory's entities — every organization and every system in data/ — and the rows about each.

An entity's rows follow the chapter API's rules (known by ``as_of``); what "about" means is said once
here, per table: a contract names it as vendor, agency or system; a figure has it as subject; a tie has
it at either end; an event, a concern or a data type names it.
"""

import re
from dataclasses import dataclass, replace

import pandas as pd

from ..chapter import Chapter

ADDRESS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # a page address: safe in a path and a URL, on any disk
MAX_ADDRESS = 80
FOLDERS = {"organizations": "org", "systems": "system"}
KEYS = {"organizations": "org_id", "systems": "system_id"}
INDEX = "_rows_about"  # where a chapter keeps the positions of the rows that name each entity
TEXTS = "_rows_text"  # and each table's rows as text, for the pages' digests


ACRONYM = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")  # letters a name may stand for: "GAO", "ARC-P", "FALCON-SA"


@dataclass(frozen=True)
class Entity:
    table: str  # "organizations" or "systems"
    id: str
    name: str  # full name, as the source gives it
    short: str  # acronym or short name ("" when none)
    kind: str
    source: str = ""  # where the row was read, as the text cites it: "AFSC (2019)"
    owner: str = ""  # the label of its parent (an organization) or of its owner or operator (a system), or ""

    @property
    def address(self) -> str:
        """The page's path in the directory, without suffix: "org/palantir", "system/ident"."""
        return f"{FOLDERS[self.table]}/{self.id.casefold()}"

    @property
    def short_in_name(self) -> bool:
        """Whether the short name is already a word of the name ("U.S. GAO", "CSRA ARC-P Cloud", "DMVs
        (not named)"; a plural counts): the name then says it, and is no expansion of it."""
        if not self.short:
            return False
        return re.search(rf"(?<![\w-]){re.escape(self.short)}s?(?![\w-])", self.name) is not None

    @property
    def unexpanded_acronym(self) -> bool:
        """An acronym that the name leaves as letters ("GAO" in "U.S. GAO", "EID"): what it stands for is not
        in the source, and the book does not invent it."""
        return bool(ACRONYM.fullmatch(self.short)) and self.short_in_name

    @property
    def not_spelled_out(self) -> str:
        """The words that say so, naming the source ("AFSC (2019) does not spell it out"), or ""."""
        return f"{self.source or 'the source'} does not spell it out" if self.unexpanded_acronym else ""

    @property
    def label(self) -> str:
        """The name, with the short name after it when the name does not already say it: "Immigration and
        Customs Enforcement (ICE)", but "U.S. GAO", "DMVs (not named)"; one pair of brackets, not two:
        "Automated Biometric Identification System (DOD; ABIS)"."""
        if not self.short or self.short_in_name:
            return self.name
        if self.name.endswith(")"):
            return f"{self.name[:-1]}; {self.short})"
        return f"{self.name} ({self.short})"


    @property
    def heading(self) -> str:
        """Its one heading in the PDF's index: the label, the full name with the short name it goes by
        ("Immigration and Customs Enforcement (ICE)", "U.S. GAO"), as the directory and its page title it;
        an index entry's text has no ";" (the index directive's separator)."""
        return self.label.replace(";", ",")

    @property
    def see_from(self) -> list[str]:
        """The other names a reader may look it up by, each sent to the heading with a "see" entry: the
        short name, when it is not the heading ("ICE", "GAO", "Booz Allen"; not "FBI")."""
        return [self.short] if self.short and self.short != self.heading else []

    @property
    def belongs(self) -> str:
        """Whose it is, in words, from the data: "part of Immigration and Customs Enforcement (ICE)" (an
        organization's parent), "owner or operator: Microsoft" (a system's), or ""."""
        if not self.owner:
            return ""
        return f"part of {self.owner}" if self.table == "organizations" else f"owner or operator: {self.owner}"


OWNERS = {"organizations": "parent_id", "systems": "owner_id"}


def entities(book: Chapter) -> list[Entity]:
    """Every organization, then every system, in the order of the data."""
    out, owners = [], []
    for table, short in (("organizations", "short_name"), ("systems", "acronym")):
        frame = book.everything(table)
        for _, row in frame.iterrows():
            source = book.source_label(row["source_id"]) if pd.notna(row.get("source_id")) else ""
            out.append(Entity(table, str(row[KEYS[table]]), str(row["name"]),
                              str(row[short]) if pd.notna(row[short]) else "", str(row["kind"]), source))
            owner = row.get(OWNERS[table])
            owners.append(str(owner) if isinstance(owner, str) else "")
    labels = {e.id: e.label for e in out if e.table == "organizations"}  # owners and parents are organizations
    return [replace(e, owner=labels.get(o, o)) for e, o in zip(out, owners, strict=True)]


def address_problems(book: Chapter) -> list[tuple[str, int, str, str]]:
    """(file, line, field, message) for each id that cannot be a page address (unsafe characters, too
    long) or that would share one with another row (ids that differ only in case)."""
    problems, seen = [], {}
    for table in FOLDERS:
        frame = book.everything(table)
        for line, value in enumerate(frame[KEYS[table]], start=2):
            address = str(value).casefold()
            if not ADDRESS.fullmatch(address) or len(address) > MAX_ADDRESS:
                message = (f"{value!r} cannot be the address of its directory page: use lowercase letters, digits "
                           f"and single hyphens (at most {MAX_ADDRESS} characters)")
            elif (table, address) in seen:
                message = (f"{value!r} would share the directory address {FOLDERS[table]}/{address} with line "
                           f"{seen[table, address]}")
            else:
                seen[table, address] = line
                continue
            problems.append((f"data/{table}.csv", line, KEYS[table], message))
    return problems


def _indexed(book: Chapter, table: str, columns: tuple[str, ...], every: bool) -> tuple[pd.DataFrame, dict]:
    """A table (known by the book's date, or ``every`` row) and, per entity id, the positions of the rows
    that name it in any of the columns, in the data's order. Indexed once per data and date
    (``Chapter.memo``), so that drawing thousands of pages does not scan every table for each."""
    cache = book.memo.setdefault(INDEX, {})
    if (table, columns, every) not in cache:
        frame = book.everything(table) if every else book.known(table)
        index: dict[str, set[int]] = {}
        for column in (c for c in columns if c in frame):
            for position, value in enumerate(frame[column]):
                if isinstance(value, str):
                    index.setdefault(value, set()).add(position)
        cache[table, columns, every] = frame, {k: sorted(v) for k, v in index.items()}
    return cache[table, columns, every]


def _about(book: Chapter, table: str, columns: tuple[str, ...], entity_id: str, every: bool = False) -> pd.DataFrame:
    """The rows of a table (known by the book's date, or ``every`` row) that name an entity in any of the
    columns, in the data's order."""
    frame, index = _indexed(book, table, columns, every)
    return frame.iloc[index.get(entity_id, [])]


@dataclass
class Rows:
    """Everything the data holds about one entity, each frame known by the book's ``as_of``."""

    contracts: pd.DataFrame
    metrics: pd.DataFrame
    ties: pd.DataFrame
    events: pd.DataFrame
    concerns: pd.DataFrame
    data_types: pd.DataFrame
    owned: pd.DataFrame  # systems it owns or operates (systems.owner_id)
    subsidiaries: pd.DataFrame
    predecessors: pd.DataFrame  # organizations that became this one (successor_id)

    def frames(self) -> dict[str, pd.DataFrame]:
        return dict(vars(self))


# What a profile shows of each table: the rows that name it in these columns (``every``: known or not).
ABOUT = {"contracts": ("contracts", ("vendor_id", "agency_id", "system_id"), False),
         "metrics": ("metrics", ("subject_org_id", "subject_system_id"), False),
         "ties": ("relationships", ("subject_org_id", "subject_system_id", "object_org_id", "object_system_id"),
                  False),
         "events": ("events", ("org_id", "system_id"), False),
         "concerns": ("concerns", ("raised_by_id", "system_id"), False),
         "data_types": ("system_data", ("system_id",), False),
         "owned": ("systems", ("owner_id",), False),
         "subsidiaries": ("organizations", ("parent_id",), True),
         "predecessors": ("organizations", ("successor_id",), True)}


def rows_about(book: Chapter, entity: Entity) -> Rows:
    return Rows(**{part: _about(book, *ABOUT[part][:2], entity.id, every=ABOUT[part][2]) for part in ABOUT})


def rows_text(book: Chapter, entity: Entity) -> str:
    """The text of every row a profile shows, and of its own row: what its page's digest is made of. From
    each table's rows written out once, so that telling which of thousands of pages changed does not build
    a frame per page and table."""
    texts = book.memo.setdefault(TEXTS, {})
    out = []
    for table, columns, every in [*ABOUT.values(), _own(entity)]:
        frame, index = _indexed(book, table, columns, every)
        if (table, every) not in texts:
            texts[table, every] = ["\x1f".join(map(str, row)) for row in frame.to_numpy().tolist()]
        out += [table, *(texts[table, every][i] for i in index.get(entity.id, []))]
    return "\x1e".join(out)


def _own(entity: Entity) -> tuple[str, tuple[str, ...], bool]:
    """Where an entity's own row is: its table, its key column, known or not."""
    return entity.table, (KEYS[entity.table],), True


def own_row(book: Chapter, entity: Entity) -> pd.Series:
    table, columns, every = _own(entity)
    return _about(book, table, columns, entity.id, every=every).iloc[0]

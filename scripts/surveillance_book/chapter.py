"""The chapter API: one object per chapter that owns the book's rules.

A chapter starts with ``book = Chapter("cloud", as_of=as_of, highlight=highlight, data_dir=data_dir)``
and then only makes editorial choices (which rows, which order, which words). The rules live here, once:

- **Known by ``as_of``**: a row of any fact table is shown when its ``as_of`` (the date the fact was
  stated, see ``data/README.md``) is on or before the chapter's ``as_of``. ``book.contracts`` and the
  like are the known rows; ``book.everything("systems")`` is every row, for names only.
- **Highlight**: an organization, its parent and its subsidiaries, and the systems any of them owns or
  builds; a system id highlights that system alone. ``book.marks(...)`` tags rows for the charts.
- **Names**: ``book.name(id)`` (short: acronym or short name), ``book.full_name(id)``.
- **Not known**: ``book.NOT_KNOWN`` in prose, ``book.nothing_known(what)`` under a heading.
- **Dates at the source's precision**: ``book.when(date, precision)``; ``book.stated(row)`` for when a
  row's fact was stated (its ``as_of``, as exact as the source that dates it: "January 2019", not
  "2019-01-01"); a reader's table prints every date column that way.
- **Sources**: ``book.source_line(rows)`` from the rows shown, never typed.
- **Gluing**: ``book.glue(key, rows, text)`` glues a phrase and records the rows it came from.
- **Order**: ``in_order(values, order)`` ranks values by a chapter's chosen order; a value the chapter
  did not list (a row a maintainer added later) goes after the listed ones instead of stopping the chapter.
"""

from collections.abc import Callable, Sequence
from functools import cached_property

import pandas as pd
from IPython.display import Markdown

from .data import load, package
from .paths import DATA_DIR
from .tables import ROW_HEADER, source_table
from .text import and_list, month, qualifier_in_table

FIRST_DATE, LAST_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")
BOOK_AS_OF = "2019-01-31"  # the date the chapters' parameters default to, and the directory's (a test checks)
ROWS_METADATA = "surveillance_book/rows"  # output metadata: the rows behind a glued value
TABLE_ROWS_METADATA = "surveillance_book/table_rows"  # output metadata: the rows a table shows
GLUE_MIME = "application/papermill.record/text/plain"
HIGHLIGHT_RELATIONS = {"builds", "set up"}  # besides ownership, what ties a system to a highlighted organization
HIGHLIGHT_TIES = "_ties_of_organizations"  # where a chapter keeps them (``memo``)


class Phrase(str):
    """A glued phrase; its repr is the phrase itself, so JupyterLab's ``{eval}`` shows it without quotes."""

    def __repr__(self) -> str:
        return str(self)


class Prose:
    """The chapter's glued phrases by key: ``{eval}`prose.cloud_providers``` in a markdown cell reads
    ``book.prose.cloud_providers`` live in JupyterLab; the book resolves the same role from the stored
    glue (see ``sphinx_ext``)."""

    def __init__(self, glued: dict[str, dict]):
        self._glued = glued

    def __getattr__(self, key: str) -> Phrase:
        if key.startswith("_"):
            raise AttributeError(key)
        # A paragraph can come before the cell that glues its figures: say so in the text, not as an error.
        return Phrase(self._glued[key]["text"] if key in self._glued else f"[{key}: run the next code cell]")

    def __dir__(self):
        return sorted(self._glued)


class ParameterError(ValueError):
    """A chapter parameter that cannot be used; the message is one line saying which and why."""


def in_order(values: pd.Series, order: Sequence) -> pd.Series:
    """Each value's place in a chapter's chosen order, for sorting; values not in it come last."""
    place = {value: i for i, value in enumerate(order)}
    return values.map(lambda v: place.get(v, len(place))).astype(int)


def _cutoff(as_of) -> pd.Timestamp:
    try:
        cutoff = pd.Timestamp(pd.to_datetime(str(as_of), format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise ParameterError(f"as_of {as_of!r} is not a date written YYYY-MM-DD, e.g. 2019-01-31") from None
    if not FIRST_DATE <= cutoff <= LAST_DATE:
        raise ParameterError(f"as_of {as_of} is outside {FIRST_DATE:%Y-%m-%d} to {LAST_DATE:%Y-%m-%d}")
    return cutoff


# the columns of the tables that name an organization or a system
ENTITY_COLUMNS = ("org_id", "system_id", "vendor_id", "agency_id", "subject_org_id", "subject_system_id",
                  "object_org_id", "object_system_id", "raised_by_id", "owner_id", "parent_id", "successor_id")


def primary_key(table: str, data_dir=DATA_DIR) -> list[str]:
    """The key columns of a table of the package."""
    key = next(r for r in package(data_dir)["resources"] if r["name"] == table)["schema"]["primaryKey"]
    return [key] if isinstance(key, str) else list(key)


def row_ids(frame: pd.DataFrame, table: str | None = None, data_dir=DATA_DIR) -> list[str]:
    """Each row's id in its table ("trss-2018"; "ident/fingerprints/stores" for a composite key)."""
    table = table or frame.attrs.get("table")
    if table is None:
        raise ValueError("rows without a table: take them from the chapter's tables (book.contracts, …)")
    return ["/".join(str(v) for v in values) for values in frame[primary_key(table, data_dir)].itertuples(index=False)]


def row_refs(frame: pd.DataFrame, data_dir=DATA_DIR) -> list[dict]:
    """The rows of a frame as ``{"table", "id"}``: from the frame's table, or — for a frame combined
    from several tables — from a ``table`` column naming each row's table."""
    if "table" in frame.columns:
        return [{"table": table, "id": i} for table, part in frame.groupby("table", sort=False)
                for i in row_ids(part, table, data_dir)]
    return [{"table": frame.attrs["table"], "id": i} for i in row_ids(frame, data_dir=data_dir)]


def _keys(frame: pd.DataFrame, data_dir) -> list[str]:
    """The id columns of the tables a frame's rows come from (a key of one column: in a composite key such
    as system_data's, the system is a reference like any other)."""
    return [key[0] for t in tables_of(frame) if len(key := primary_key(t, data_dir)) == 1]


def _are_rows(frame: pd.DataFrame, data_dir) -> bool:
    """Whether a frame holds rows of data/ with their keys (a summary of rows, e.g. grouped, does not)."""
    tables = tables_of(frame)
    return bool(tables) and all(set(primary_key(t, data_dir)) <= set(frame.columns) for t in tables)


def tables_of(frame: pd.DataFrame) -> list[str]:
    """The tables a frame's rows come from."""
    if "table" in frame.columns:
        return list(dict.fromkeys(frame.table))
    return [frame.attrs["table"]] if "table" in frame.attrs else []


class Chapter:
    """One chapter of the book at its parameters: the known rows, names, highlight, sources and glue."""

    NOT_KNOWN = "(not known by this date)"
    SHARED = ("_tables", "_all_names", "_full_names", "_kinds", "_source_labels", "_published")  # see ``sharing``

    def __init__(self, section: str, *, as_of: str, highlight: str | None = None, data_dir=DATA_DIR,
                 sharing: "Chapter | None" = None):
        self.section = section
        self.data_dir = data_dir
        self.cutoff = _cutoff(as_of)
        # What depends on the data and the date alone, not on the section or the highlight, is worked out
        # once and shared: the directory makes a chapter per page. ``memo`` holds what other modules keep.
        same = sharing is not None and sharing.cutoff == self.cutoff and sharing.data_dir == data_dir
        self.memo: dict = sharing.memo if same else {}
        if same:
            self.__dict__.update({name: getattr(sharing, name) for name in self.SHARED})
        self.as_of = f"{self.cutoff:%Y-%m-%d}"
        self.highlight = highlight or None
        if self.highlight and self.highlight not in self._all_names:
            raise ParameterError(f"highlight {highlight!r} is not an org_id in data/organizations.csv "
                                 "or a system_id in data/systems.csv")
        self.glued: dict[str, dict] = {}
        self.prose = Prose(self.glued)

    # --- tables -------------------------------------------------------------------------------------
    def everything(self, table: str) -> pd.DataFrame:
        """Every row of a table, known by ``as_of`` or not (for names and lookups, not for facts)."""
        return self._tables[table]

    def known(self, table: str) -> pd.DataFrame:
        """The rows of a table whose fact was stated on or before ``as_of``."""
        frame = self.everything(table)
        return frame[frame.as_of <= self.cutoff] if "as_of" in frame else frame

    @cached_property
    def _tables(self) -> dict[str, pd.DataFrame]:
        return _LazyTables(self.data_dir)

    def __getattr__(self, table: str) -> pd.DataFrame:
        # book.contracts, book.events, ...: the known rows of that table
        if table.startswith("_") or table not in _table_names(self.data_dir):
            raise AttributeError(table)
        return self.known(table)

    def row(self, table: str, row_id: str) -> pd.DataFrame:
        """The known row with this id, as a frame of one row (or none, when it is not known yet)."""
        frame = self.known(table)
        return frame[pd.Series(row_ids(frame, table, self.data_dir), index=frame.index, dtype=object) == row_id]

    # --- names --------------------------------------------------------------------------------------
    @cached_property
    def _all_names(self) -> dict[str, str]:
        orgs, systems = self.everything("organizations"), self.everything("systems")
        return (dict(zip(orgs.org_id, orgs.short_name.fillna(orgs.name), strict=True))
                | dict(zip(systems.system_id, systems.acronym.fillna(systems.name), strict=True)))

    def name(self, entity_id) -> str:
        """Short name of an organization or system: "TRSS", "IDENT", "Giant Oak"."""
        return self._all_names.get(entity_id, entity_id) if isinstance(entity_id, str) else ""

    @cached_property
    def _full_names(self) -> dict[str, str]:
        orgs, systems = self.everything("organizations"), self.everything("systems")
        # an organization's name first, where an id names both (as a scan of organizations first would)
        return (dict(zip(systems.system_id, systems.name.astype(str), strict=True))
                | dict(zip(orgs.org_id, orgs.name.astype(str), strict=True)))

    def full_name(self, entity_id) -> str:
        """Full name: "Thomson Reuters Special Services", "Automated Biometric Identification System"."""
        if isinstance(entity_id, str) and entity_id in self._full_names:
            return self._full_names[entity_id]
        return self.name(entity_id)

    @cached_property
    def _kinds(self) -> dict[str, tuple[str, str]]:
        orgs, systems = self.everything("organizations"), self.everything("systems")
        # an organization first, where an id names both (as _full_names)
        return ({i: ("system", k) for i, k in zip(systems.system_id, systems.kind.astype(str), strict=True)}
                | {i: ("organization", k) for i, k in zip(orgs.org_id, orgs.kind.astype(str), strict=True)})

    def entity_kind(self, entity_id: str) -> tuple[str, str]:
        """Whether an id is an organization's or a system's, and its kind in the data: ("organization",
        "company"), ("system", "database"); an id in neither table is taken for a system."""
        return self._kinds.get(entity_id, ("system", "system"))

    def names(self, ids: pd.Series) -> pd.Series:
        return ids.map(self.name)

    def ends(self, ties: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """The subject and the object id of each relationship row, organization or system alike."""
        return (ties.subject_org_id.fillna(ties.subject_system_id),
                ties.object_org_id.fillna(ties.object_system_id))

    def within(self, ids: pd.Series, org_id: str) -> pd.Series:
        """Per id, whether it is ``org_id`` or sits below it by ``parent_id`` (ICE and its offices are
        within DHS)."""
        parents = self.everything("organizations").set_index("org_id").parent_id.dropna().to_dict()

        def inside(entity) -> bool:
            seen = set()
            while isinstance(entity, str) and entity not in seen:
                if entity == org_id:
                    return True
                seen.add(entity)
                entity = parents.get(entity)
            return False

        return ids.map(inside).astype(bool)

    # --- highlight ----------------------------------------------------------------------------------
    @cached_property
    def highlighted(self) -> frozenset[str]:
        """The ids the highlight covers: the organization, its parent and subsidiaries, and the systems
        any of them owns or builds (by the known rows); a highlighted system alone."""
        if not self.highlight:
            return frozenset()
        ties = self._ties_of_organizations
        if self.highlight not in ties["parent"]:
            return frozenset({self.highlight})
        parent, children = self._family
        family = {self.highlight, *children} | ({parent} if parent else set())
        return frozenset(family.union(*(ties[kind].get(org, ()) for kind in ("owns", "builds") for org in family)))

    @cached_property
    def _family(self) -> tuple[str | None, list[str]]:
        """The highlighted organization's parent (or None) and its subsidiaries, in the data's order."""
        ties = self._ties_of_organizations
        return ties["parent"].get(self.highlight), ties["children"].get(self.highlight, [])

    @property
    def _ties_of_organizations(self) -> dict[str, dict]:
        """Per organization: its parent (every organization is a key), its subsidiaries in the data's order,
        the systems it owns and those it builds by the known rows. Worked out once per data and date
        (``memo``): the directory highlights each of thousands of entities in turn."""
        if HIGHLIGHT_TIES not in self.memo:
            orgs, systems, ties = self.everything("organizations"), self.known("systems"), self.known("relationships")
            out: dict[str, dict] = {"parent": {}, "children": {}, "owns": {}, "builds": {}}
            for org, parent in zip(orgs.org_id, orgs.parent_id, strict=True):
                out["parent"][org] = parent if isinstance(parent, str) else None
                if isinstance(parent, str):
                    out["children"].setdefault(parent, []).append(org)
            for system, owner in zip(systems.system_id, systems.owner_id, strict=True):
                if isinstance(owner, str):
                    out["owns"].setdefault(owner, set()).add(system)
            built = ties[ties.relation.isin(HIGHLIGHT_RELATIONS)]
            for org, system in zip(built.subject_org_id, built.object_system_id, strict=True):
                if isinstance(org, str) and isinstance(system, str):
                    out["builds"].setdefault(org, set()).add(system)
            self.memo[HIGHLIGHT_TIES] = out
        return self.memo[HIGHLIGHT_TIES]

    def is_highlighted(self, *ids) -> bool:
        return any(isinstance(i, str) and i in self.highlighted for i in ids)

    def marks(self, *columns: pd.Series) -> pd.Series:
        """Per row, ``book.highlight`` when any of the given id columns is highlighted, else "other";
        charts colour by it with ``charts.highlight_color("hl", book.highlight)``."""
        rows = zip(*columns, strict=True)
        return pd.Series([self.highlight if self.is_highlighted(*ids) else "other" for ids in rows],
                         index=columns[0].index, dtype=object)

    # --- not known ----------------------------------------------------------------------------------
    @property
    def date_text(self) -> str:
        return f"{self.cutoff:%-d %B %Y}"

    def nothing_known(self, what: str) -> Markdown:
        """The note shown instead of a chart or table when none of its rows is known yet."""
        return Markdown(f"*Nothing in the data about {what} had been stated by {self.date_text}.*")

    # --- sources ------------------------------------------------------------------------------------
    def source_label(self, source_id: str) -> str:
        """How a source is named on a chart, in a table and in a claim's note, as the text cites it: short
        author and year, "AFSC (2019)", lettered where two would read alike ("ACLU (n.d.-b)"); a source the
        book knows only through another says so: "Mijente et al. (2018), as cited in AFSC (2019)"."""
        return self._source_labels[source_id]

    @cached_property
    def _source_labels(self) -> dict[str, str]:
        from .references import source_labels  # the citations' rule, so both read the same

        sources, orgs = self.everything("sources"), self.everything("organizations")
        return source_labels(sources, dict(zip(orgs.name, orgs.short_name.fillna(orgs.name), strict=True)))

    def source_ids(self, *frames: pd.DataFrame) -> list[str]:
        """The documents behind some rows: where each was read, then what those rely on."""
        read = [s for f in frames for s in f.source_id.dropna()]
        cited = [s for f in frames if "primary_source_id" in f for s in f.primary_source_id.dropna()]
        return list(dict.fromkeys(read + sorted(set(cited) - set(read), key=self.source_label)))

    def source_line(self, *frames: pd.DataFrame) -> str:
        """The sources of the rows a chart draws: "AFSC (2019); Mijente et al. (2018)"."""
        return "; ".join(dict.fromkeys(self.source_label(s) for s in self.source_ids(*frames)))

    # --- tables of rows -----------------------------------------------------------------------------
    def rows_table(self, rows: pd.DataFrame, *, name: str, caption: str, columns: dict | None = None,
                   widths: list[int] | None = None):
        """The rows behind a chart or paragraph as a numbered table with a CSV download.

        ``columns`` maps the columns to show to their headers (``{"vendor": "vendor", "contract_id": "id"}``);
        ``name`` is prefixed "tbl-<section>-"; ``widths`` (relative, one per column) overrides the widths
        measured from the cells. With no rows known, a one-line note instead."""
        files = ", ".join(f"data/{t}.csv" for t in tables_of(rows))
        if not len(rows):
            return Markdown(f"*No row of {files or 'the data'} for this table had been stated by {self.date_text}.*")
        shown = self._in_words(self._dates_in_words(rows[list(columns)] if columns else rows, rows))
        if "qualifier" in shown:  # "exact" is no hedge, not an unrounded figure: printed "as stated"
            shown = shown.assign(qualifier=shown.qualifier.map(qualifier_in_table).astype(object))
        shown = self._row_ids_last(shown.rename(columns=columns) if columns else shown, columns or {}, rows)
        caption = f"{caption} ({files})" if files and ".csv" not in caption else caption
        anchored = row_refs(rows, self.data_dir) if _are_rows(rows, self.data_dir) else None  # not a summary
        links = {header: self.profile_links(rows, column) for column, header in (columns or {}).items()}
        return source_table(shown, caption=caption, name=f"tbl-{self.section.replace('_', '-')}-{name}",
                            widths=widths, rows=anchored, links={h: v for h, v in links.items() if v})

    def _row_ids_last(self, shown: pd.DataFrame, columns: dict, rows: pd.DataFrame) -> pd.DataFrame:
        """Every reader's table heads the rows' own ids alike ("row", whatever the chapter called the
        column) and prints them last, where they serve a reader who looks a row up in data/."""
        ids = [columns.get(k, k) for k in _keys(rows, self.data_dir) if columns.get(k, k) in shown.columns]
        if len(ids) != 1:  # none shown, or rows of several tables (each keeps its own header)
            return shown
        return shown[[c for c in shown.columns if c != ids[0]] + ids].rename(columns={ids[0]: ROW_HEADER})

    def _dates_in_words(self, shown: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        """A reader's table prints a date only as exactly as its source gives it: a column with a
        ``<column>_precision`` partner in the rows at that precision, ``as_of`` at the precision of the
        source that dates it ("January 2019", not "2019-01-01"). Other columns are left as they are."""
        words = {}
        for column in shown.columns:
            if not pd.api.types.is_datetime64_any_dtype(shown[column]):
                continue
            if f"{column}_precision" in rows:
                precisions = rows[f"{column}_precision"]
            elif column == "as_of" and "source_id" in rows:
                precisions = self.as_of_precision(rows)
            else:
                continue
            words[column] = [self.when(d, str(p)) if pd.notna(d) and pd.notna(p) else (d if pd.notna(d) else None)
                             for d, p in zip(shown[column], precisions, strict=True)]
        return shown.assign(**{c: pd.Series(v, index=shown.index, dtype=object) for c, v in words.items()})

    def _in_words(self, shown: pd.DataFrame) -> pd.DataFrame:
        """A reader's table names organizations, systems and sources as the text does, not by their ids: a
        column of ids of another table becomes names (linked to their pages), one of source ids citations.
        The rows' own ids stay: they are how a reader finds the row in data/."""
        own = set(_keys(shown, self.data_dir))
        sources = set(self.everything("sources").source_id)
        words = {}
        for column in shown.columns:
            values = shown[column].dropna()
            if column in own or not len(values) or not all(isinstance(v, str) for v in values):
                continue
            if column in ENTITY_COLUMNS:
                words[column] = shown[column].map(lambda i: self.name(i) if isinstance(i, str) else i)
            elif set(values) <= sources:
                words[column] = shown[column].map(lambda i: self.source_label(i) if isinstance(i, str) else i)
        return shown.assign(**words) if words else shown

    def profile_links(self, rows: pd.DataFrame, column: str) -> list | None:
        """Per row, the address of the directory page of the organization or system a column names (by
        id, or by the name ``book.name`` gives an id column of the same rows); None when it names none."""
        from .directory.profile import href

        here = f"notebooks/{self.section}"
        if column in ENTITY_COLUMNS:
            return [href(i, self, here) for i in rows[column]]
        for ids in (c for c in ENTITY_COLUMNS if c in rows and rows[c].notna().any()):
            names = self.names(rows[ids])
            if (rows[ids].isna() | (names == rows[column].astype(object))).all():
                return [href(i, self, here) for i in rows[ids]]
        return None

    def sources_cited(self) -> pd.DataFrame:
        """The rows of ``sources`` that a known fact of any table refers to."""
        facts = [self.known(t) for t in _table_names(self.data_dir) if t not in ("sources", "organizations")]
        cited = set(self.source_ids(*facts))
        sources = self.everything("sources")
        return sources[sources.source_id.isin(cited)]

    # --- gluing -------------------------------------------------------------------------------------
    def glue(self, key: str, rows: pd.DataFrame | Sequence[pd.DataFrame], text: str | Callable, *,
             computed: str | None = None, whole: bool = False) -> None:
        """Glue a phrase for the prose and record the rows it came from.

        ``rows`` is a frame of one of the chapter's tables, or a list of them when the phrase draws on
        several tables. ``text`` is the phrase, or a function that makes it from the rows: from the row
        itself when one frame holds exactly one row, unless ``whole`` (then always from the frame — use
        it for counts and lists, which must not change meaning when only one row is known); from the
        list of frames when a list was given. With no rows known, the phrase is the "not known" wording.
        ``computed`` names the rule when the book derived the figure ("twelve times the monthly amount")."""
        frames = list(rows) if isinstance(rows, list | tuple) else [rows]
        if not any(len(f) for f in frames):
            return self._glue(key, self.NOT_KNOWN, kind="not known", rows=[])
        if callable(text):
            if isinstance(rows, list | tuple):
                text = text(rows)
            else:
                text = text(rows if whole or len(rows) > 1 else rows.iloc[0])
        ids = [ref for f in frames for ref in row_refs(f, self.data_dir)]
        self._glue(key, str(text), kind="computed" if computed else "stated", rows=ids, rule=computed)

    def glue_parameters(self) -> None:
        """Glue the chapter's parameters as prose: ``as_of`` ("31 January 2019") and ``highlight``."""
        self._glue("as_of", self.date_text, kind="parameter", rows=[])
        self._glue("highlight", self.full_name(self.highlight) if self.highlight else "nothing",
                   kind="parameter", rows=[])
        self._glue("highlight_family", self.highlight_family(), kind="parameter", rows=[])

    def highlight_family(self) -> str:
        """The highlight in words with the parent and subsidiaries it covers, as the data give them: "Thomson
        Reuters, with its subsidiaries Thomson Reuters Special Services and West Publishing"; only the name
        when it has neither."""
        if not self.highlight:
            return "nothing"
        orgs = self.everything("organizations").set_index("org_id")
        if self.highlight not in orgs.index:
            return self.full_name(self.highlight)
        parent, children = self._family
        company = orgs.kind.get(self.highlight) == "company"  # an agency has parts, not subsidiaries
        above, below = ("parent", ("subsidiary", "subsidiaries")) if company else ("parent body", ("part", "parts"))
        parts = [f"its {above} {self.full_name(parent)}"] if parent else []
        if children:
            names = [self.full_name(i) for i in children]
            parts.append(f"its {below[len(names) > 1]} {and_list(names)}")
        return self.full_name(self.highlight) + (f", with {and_list(parts)}" if parts else "")

    def _glue(self, key: str, text: str, **record) -> None:
        from IPython.display import display

        self.glued[key] = {"text": text, **record}  # a cell run again in JupyterLab glues anew
        # As myst-nb's glue(display=False) stores it, with the rows beside it. The repr is stored so that
        # myst-nb's literal_eval gives the text back ('500,000', not the tuple (500, 0)).
        display({GLUE_MIME: repr(text)}, raw=True,
                metadata={"scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"},
                          ROWS_METADATA: {k: v for k, v in record.items() if v is not None}})

    @cached_property
    def _published(self) -> dict[str, tuple]:
        s = self.everything("sources")
        return {i: (d, p, c) for i, d, p, c in zip(s.source_id, s.published, s.published_precision, s.cited_by_id,
                                                   strict=True)}

    def _as_of_precision(self, row) -> str:
        # as_of is the date of the document the fact is attributed to, or of the one that cites it
        # (data/README.md): that document's published_precision says how much of the date it gives.
        ids = [row.get("primary_source_id"), row.get("source_id")]
        ids += [self._published.get(i, (None, None, None))[2] for i in list(ids)]
        for source_id in ids:
            date, precision, _ = self._published.get(source_id, (None, None, None)) if isinstance(
                source_id, str) else (None, None, None)
            if pd.notna(date) and date == row.get("as_of") and pd.notna(precision):
                return str(precision)
        return "day"  # no source gives this date: print all of it rather than invent a coarser one

    def as_of_precision(self, rows: pd.DataFrame) -> pd.Series:
        """Per row, how exactly the source that dates its fact gives that date ("year", "month", "day")."""
        return pd.Series([self._as_of_precision(r) for _, r in rows.iterrows()], index=rows.index, dtype=object)

    def stated(self, row) -> str:
        """When a row's fact was stated (its ``as_of``), as exactly as the source gives it: "August 2018"."""
        return self.when(row["as_of"], self._as_of_precision(row))

    def when(self, date, precision) -> str:
        """A date at the precision the source gives ("2014", "February 2018"); "date not stated" when a
        known row has none (a row not known yet gets the not-known wording from ``glue``)."""
        return month(date, precision) if pd.notna(date) else "date not stated"


class _LazyTables(dict):
    """Tables loaded on first use, each tagged with its name so glued rows know their table."""

    def __init__(self, data_dir):
        super().__init__()
        self.data_dir = data_dir

    def __missing__(self, table: str) -> pd.DataFrame:
        frame = load(table, self.data_dir)
        frame.attrs["table"] = table
        self[table] = frame
        return frame


def _table_names(data_dir) -> set[str]:
    return {r["name"] for r in package(data_dir)["resources"]}

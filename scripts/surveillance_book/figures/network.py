"""Network diagrams: relationship rows as nodes joined by labelled arrows.

A row of data/relationships.csv reads "subject relation object" and is drawn as an arrow from the
subject to the object, labelled with the relation; as everywhere in the book, organizations are circles
and systems squares. A row the source hedges ("planned", "appears to", "may", …) is a dashed line and its
label carries the hedge. Rows between the same two nodes in the same direction share one line and one
label ("builds, operates and maintains"); the line's tooltip lists their row ids.

Two layouts (:mod:`.layout`): "layered", nodes in ranks along the arrows (or in ranks the chapter gives),
each rank ordered to reduce crossings, for a flow of a dozen nodes; "clusters", nodes round an anchor per
group (the part of the report), for the map of everything. Every label is placed where it covers no node
and no other label, and off the lines where it can be (the layered drawing grows until no line runs
through a name); it is wrapped, never shortened. A node's name (or number) lies nearer its own node than
any other, so that it cannot be read as another's; on the dense map, one that has no such place is
joined to its node by a leader. A node whose name is not drawn (a map too dense for all of them names
the busiest) gets a number, and the list under the drawing gives each number its name, part by part:
every node can be told on paper, and each part by its paragraph, not by colour alone. A relation's
words cross no other line; where they find no such place, the line carries a letter (a, b, …) and the
list under the drawing gives the tie in full ("a Delta takes part in Biometric Entry-Exit program").
"""

import math
from collections.abc import Iterable, Mapping
from itertools import pairwise

import altair as alt
import pandas as pd

from .. import charts
from ..chapter import Chapter, row_ids
from ..text import and_list, count, number
from .figure import PAGES_TIP, Figure, NothingKnown, directory_pages, nothing_known, plain
from .fonts import text_width
from .layout import (
    Box,
    Boxes,
    Lines,
    Points,
    along,
    around,
    clustered,
    crossings,
    layered,
    nearest,
    place_labels,
    routes,
    text_box,
)
from .layout import wrap as wrap_text

UNDIRECTED = ("interoperable with",)  # relations that read the same both ways: a line without an arrowhead
OWNER_RELATION = "owns or runs"  # the tie the systems table states in owner_id
WIDTH = 420  # px: landscape, prints at full column width
NODE_SIZE = {"layered": 200, "clusters": 70}  # area of a node's symbol, px²: circles about 16 and 9 px across
NODE_FONT = {"layered": 11, "clusters": 10}  # px
EDGE_FONT, EDGE_WRAP = 10, 18  # px, characters
NUMBER_FONT = 10  # px (prints at 7 pt or more): a node's number on the drawing and in the list under it
NUMBER_MARGIN = 2  # px of clear space either side of a node's number
LINE_HEIGHT = 1.2  # times the font size
EDGE_GREY, TEXT = "#8a8f98", "#222222"
DASH = [5, 3]
SPACING_STEPS = (1.0, 1.2, 1.45, 1.75, 2.1)  # layered: tried in turn until every label finds a free place
MARGIN = 4  # px round the drawing
STRETCH = 2  # clusters: how much more one way than the other the map may be stretched to fill its frame
ALL_NAMED = 15  # a map of this many nodes or fewer names them all, whatever label_min_ties says
ROOM_PX = 45  # clusters: a label this wide doubles the room round its node


def network(rows: pd.DataFrame, book: Chapter, *, name: str, title: str, layout: str = "layered",
            ranks: Mapping[str, int] | None = None, direction: str = "right",
            groups: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None,
            relations: Mapping[str, str] | None = None, reverse: Mapping[str, str] | None = None,
            owners: bool = False, undirected: Iterable[str] = UNDIRECTED, edge_labels: str = "all",
            label_min_ties: int = 0, wrap: int = 16, width: int = WIDTH, spacing: float | None = None,
            most: int | None = None, what: str = "these ties") -> "NetworkFigure | NoNetwork":
    """Relationship rows as a diagram: organizations (circles) and systems (squares) joined by arrows from
    subject to object, each labelled with its relation and the source's hedge.

    ``layout="layered"``: ``ranks`` fixes the rank of some nodes (0 first; the others follow the arrows),
    ``direction`` is where the arrows run ("right": ranks are columns across the width, "down": rows),
    ``spacing`` the px between neighbours in a rank ("right") or between ranks ("down"); by default it
    grows until every label has a free place. ``layout="clusters"``: ``groups`` maps
    node ids to a part of the report (a section key; default: the node's own ``section``); each part has
    its anchor and colour, the chapter's own section in the middle.

    ``names`` are shorter chart labels for some ids (tooltips keep the full name); ``relations`` rewords
    relations on the chart ({"operates": "runs"}). ``reverse`` maps relations whose data moves from object
    to subject to the words read that way ({"uses": "used by"}): their arrow is turned round.
    ``owners`` adds, for each system drawn, the tie to its owner from data/systems.csv. ``undirected``
    relations are lines without an arrowhead. ``edge_labels`` is "all", "hedged" (only
    the hedged lines say so in words) or "none"; ``label_min_ties`` names only nodes with that many lines
    (and the highlight and its neighbours). ``most`` caps the nodes drawn: the highlight's own and ``most`` more
    taken line by line round the busiest nodes (those with the most lines, ties broken by id), with every
    line between them; the figure's ``nodes`` and ``lines`` say what was drawn and what was left out."""
    if (layout not in NODE_SIZE or direction not in ("right", "down") or edge_labels not in EDGE_LABELS
            or most is not None and most < 2):
        raise ValueError(f"network: layout is one of {sorted(NODE_SIZE)}, direction 'right' or 'down', "
                         f"edge_labels one of {sorted(EDGE_LABELS)}, most 2 or more")
    if not len(rows):
        return NoNetwork(nothing_known(book, what, rows).data, rows)
    edges = _edges(rows, book, relations or {}, reverse or {}, set(undirected), owners)
    every = _busiest_first(edges, book)
    kept = _kept(every, edges, most)
    all_lines = edges.assign(drawn=edges.source.isin(kept) & edges.target.isin(kept))
    edges = all_lines[all_lines.drawn].drop(columns="drawn").reset_index(drop=True)
    every["drawn"] = every.id.isin(set(edges.source) | set(edges.target))  # a kept node may have no line left
    subject, obj = book.ends(rows)
    rows = rows[subject.isin(kept) & obj.isin(kept)]  # the rows behind the lines drawn
    if groups is None and layout == "clusters":
        groups = _sections(book)
    nodes = _nodes(edges, book, names or {}, groups or {}, wrap, every)
    if layout == "layered":
        drawing = _layered(nodes, edges, ranks or {}, direction, width, spacing, edge_labels, label_min_ties)
    else:
        drawing = _clusters(nodes, edges, book.section, width, edge_labels, label_min_ties)
    chart = _chart(drawing, book)
    return NetworkFigure(chart, rows, book, name=name, title=title, description=_description(drawing, book, every),
                         nodes=every, lines=all_lines[["source", "target", "hl", "drawn"]])


class _Drawn:
    """What a network's ``nodes`` say about the drawing, for prose (the figure and its note alike)."""

    nodes: pd.DataFrame

    def extent(self, every: str, capped: str = "") -> str:
        """``every`` when the drawing holds every node, else how many it draws (a ``most`` cap), followed by
        ``capped`` (where the reader finds the rest)."""
        if self.nodes.drawn.all():
            return every
        return (f"the ties around the busiest nodes and the highlight, {number(int(self.nodes.drawn.sum()))} of "
                f"the {number(len(self.nodes))} nodes these ties join{capped}")


class NetworkFigure(_Drawn, Figure):
    """A network's figure and what it holds: ``nodes`` (id, kind, ties: its lines in the rows, hl, drawn:
    whether it is on the drawing), busiest first, and ``lines`` (source, target, hl, drawn), one per pair
    of ends and direction, so that a chapter's counts are the figure's own."""

    def __init__(self, *args, nodes: pd.DataFrame, lines: pd.DataFrame, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes, self.lines = nodes, lines


class NoNetwork(_Drawn, NothingKnown):
    """The note ``network`` gives when none of its rows is known, with no nodes and no lines, so that a chapter
    can count a network's ``nodes`` and ``lines`` whatever the date."""

    @property
    def nodes(self) -> pd.DataFrame:
        return pd.DataFrame({"id": [], "ties": [], "kind": [], "hl": [], "drawn": []}).astype({"drawn": bool})

    @property
    def lines(self) -> pd.DataFrame:
        return pd.DataFrame({"source": [], "target": [], "hl": [], "drawn": []}).astype({"drawn": bool})


# Which lines carry their relation in words.
EDGE_LABELS = {"all": lambda edges: pd.Series(True, index=edges.index), "hedged": lambda edges: edges.hedged,
               "none": lambda edges: pd.Series(False, index=edges.index)}


# --- what is drawn --------------------------------------------------------------------------------------

def _edges(rows: pd.DataFrame, book: Chapter, relations: Mapping[str, str], reverse: Mapping[str, str],
           undirected: set[str], owners: bool) -> pd.DataFrame:
    """One record per line: rows with the same drawn ends merged, in the order of their first row."""
    subject = rows.subject_org_id.fillna(rows.subject_system_id).astype(object)
    obj = rows.object_org_id.fillna(rows.object_system_id).astype(object)
    hedge = rows.hedge.astype(object).where(rows.hedge.notna(), "")
    detail = rows.detail.astype(object).where(rows.detail.notna(), "")
    ties = [_tie(s, r, o, h, d, i, relations, reverse, undirected) for s, r, o, h, d, i in zip(
        subject, rows.relation.astype(str), obj, hedge, detail, row_ids(rows, data_dir=book.data_dir), strict=True)]
    if owners:
        ties += _owner_ties(book, {t["source"] for t in ties} | {t["target"] for t in ties})
    lines: dict[tuple, list[dict]] = {}  # (source, target) -> its ties, in the order of the first
    for tie in ties:
        lines.setdefault((tie["source"], tie["target"]), []).append(tie)
    merged = pd.DataFrame([_line(source, target, group) for (source, target), group in lines.items()],
                          columns=LINE_COLUMNS)
    merged["hl"] = book.marks(merged.source, merged.target)
    return merged


LINE_COLUMNS = ["source", "target", "label", "hedged", "hedges", "directed", "detail", "rows", "readings", "edge"]


def _tie(subject, relation, obj, hedge, detail, row, relations, reverse, undirected) -> dict:
    """One row as a tie: its ends as drawn (a relation read the other way round turned), its words."""
    turned = relation in reverse
    words = reverse[relation] if turned else relations.get(relation, relation)
    return {"source": obj if turned else subject, "target": subject if turned else obj, "hedge": hedge,
            "reading": (subject, relation, hedge, obj), "said": words + (f" ({hedge})" if hedge else ""),
            "directed": relation not in undirected, "detail": detail, "row": row}


def _line(source: str, target: str, ties: list[dict]) -> list:
    """The ties with the same drawn ends as one line, in the columns of ``LINE_COLUMNS``."""
    hedges = [t["hedge"] for t in ties]
    return [source, target, and_list(dict.fromkeys(t["said"] for t in ties)), all(hedges),
            ", ".join(dict.fromkeys(h for h in hedges if h)) or "stated", any(t["directed"] for t in ties),
            "; ".join(t["detail"] for t in ties if t["detail"]), ", ".join(t["row"] for t in ties),
            [t["reading"] for t in ties], f"{source} > {target}"]


def _owner_ties(book: Chapter, drawn: set[str]) -> list[dict]:
    # Who owns or runs a system is stated in the systems table, not as a relationship row.
    systems = book.systems
    owned = systems[systems.system_id.isin(drawn) & systems.owner_id.notna()]
    return [{"source": owner, "target": system, "reading": (owner, OWNER_RELATION, "", system), "hedge": "",
             "said": OWNER_RELATION, "directed": True, "detail": "owner_id in data/systems.csv",
             "row": f"{system} (systems)"} for owner, system in zip(owned.owner_id, owned.system_id, strict=True)]


def _sections(book: Chapter) -> dict[str, str]:
    """The part of the report each organization and system belongs to (its ``section``)."""
    orgs, systems = book.everything("organizations"), book.everything("systems")
    return (dict(zip(orgs.org_id, orgs.section.astype(str), strict=True))
            | dict(zip(systems.system_id, systems.section.astype(str), strict=True)))


def _busiest_first(edges: pd.DataFrame, book: Chapter) -> pd.DataFrame:
    """Every node the lines join, with its kind and its lines (each counted once, a line from a node to
    itself too), the most lines first and ties broken by id."""
    lines = pd.concat([edges.source, edges.target[edges.target != edges.source]]).value_counts()
    nodes = lines.rename_axis("id").reset_index(name="ties").sort_values(["ties", "id"], ascending=[False, True])
    return nodes.assign(kind=[book.entity_kind(i)[0] for i in nodes.id],
                        hl=book.marks(nodes.id)).reset_index(drop=True)


def _kept(nodes: pd.DataFrame, edges: pd.DataFrame, most: int | None) -> set[str]:
    """The nodes a map of at most ``most`` draws: the highlight's own whatever their lines, and up to ``most``
    others taken line by line round the busiest nodes (the busiest node's lines first, to the busiest ends
    first), so that every node drawn has a line: the busiest nodes alone may not be tied to each other."""
    if most is None:
        return set(nodes.id)
    rank = {node: i for i, node in enumerate(nodes.id)}
    own = set(nodes.id[nodes.hl != "other"])
    kept = set(own)
    for ends in sorted({tuple(sorted((rank[a], rank[b]))) for a, b in zip(edges.source, edges.target, strict=True)}):
        new = {nodes.id[i] for i in ends} - kept
        if len(kept) - len(own) + len(new) <= most:
            kept |= new
    return kept


def _nodes(edges: pd.DataFrame, book: Chapter, names: Mapping[str, str], groups: Mapping[str, str],
           wrap: int, every: pd.DataFrame) -> pd.DataFrame:
    """The drawn nodes, in the order of their first line, with what ``_busiest_first`` found of each (kind,
    lines, highlight) and what the drawing writes."""
    ids = list(dict.fromkeys([*edges.source, *edges.target]))
    known = every.set_index("id").loc[ids]
    short = [names.get(i, book.name(i)) for i in ids]
    return pd.DataFrame({
        "id": ids, "kind": list(known.kind), "short": short, "label": [wrap_text(s, wrap) for s in short],
        "group": [str(groups.get(i, "")) for i in ids],
        "name": [book.full_name(i) for i in ids],
        "what": [book.entity_kind(i)[1] for i in ids],
        "ties": list(known.ties),
    }).assign(hl=list(known.hl), page=lambda d: directory_pages(book, d.id))


# --- layout in pixels -----------------------------------------------------------------------------------

class _Drawing:
    """Nodes and lines in pixels, with their placed labels; ``layout`` says which sizes apply. ``height`` is
    the map's; the keys and the list of numbered nodes go below it."""

    def __init__(self, nodes, edges, width, height, layout, unplaced, crossed, lettered=0):
        self.nodes, self.edges, self.width, self.height, self.layout = nodes, edges, width, height, layout
        self.unplaced = unplaced  # labels tried that found no free place
        self.crossed = crossed  # (label, line) pairs where a line runs through a node's name or number
        self.lettered = lettered  # lines whose relation is listed under the drawing, for want of room
        self.points = _points(edges, layout)

    @property
    def score(self) -> tuple[int, int, int]:
        return self.unplaced, self.crossed, self.lettered


def _layered(nodes, edges, given, direction, width, spacing, edge_labels, min_ties) -> _Drawing:
    """Ranks along the arrows; the gap between neighbours in a rank grows until every label has a free
    place and no line runs through a node's name (the least gap that does best is kept; ``spacing``, when
    given, is where it starts; of the two orders of sides, the one with fewer lettered lines). The first
    and the last rank name their nodes on the outer side, where no line goes, unless a label then finds
    no place; then all are named above or beside their node."""
    directed = list(zip(edges.source[edges.directed], edges.target[edges.directed], strict=True))
    links = list(zip(edges.source[~edges.directed], edges.target[~edges.directed], strict=True))
    units = layered(nodes.id, directed, given, links)
    paths = routes(nodes.id, directed, given, links)
    radius = _radius("layered")
    sizes = _label_sizes(nodes, "layered")
    tallest = max(h for _, h in sizes.values())
    base = spacing or (tallest + 2 * radius + 14 if direction == "right" else tallest + 2 * radius + 36)
    outer = _outer_sides(units, direction)
    inner = dict.fromkeys(outer, "vertical" if direction == "right" else "horizontal")
    best = None
    for factor in SPACING_STEPS:
        for orders in ([outer, inner] if outer != inner else [inner]):
            orders = dict(orders)
            at, drawn = _ranks_to_pixels(units, paths, direction, width, base * factor, radius, sizes, orders)
            drawing = _labelled(nodes, edges, at, drawn, width, "layered", edge_labels, min_ties, orders)
            if best is None or drawing.score < best.score:
                best = drawing
            if best.score == (0, 0, 0):
                return best
        if best.score[:2] == (0, 0):  # every label placed, no name crossed: more room would only make the
            return best  # figure taller, and so its type smaller in print, to save a letter or two
    return best


def _outer_sides(units, direction: str) -> dict[str, str]:
    """The side of its node each label tries first: the outer side in the first and the last rank (left
    and right across, above and below down), beside the node in between (the lines come and go along
    the ranks' axis)."""
    last = max(r for r, _ in units.values())
    inner = "vertical" if direction == "right" else "horizontal"
    outer = ("left", "right") if direction == "right" else ("above", "below")
    return {n: outer[0] if r == 0 and last else outer[1] if r == last and last else inner
            for n, (r, _) in units.items()}


def _ranks_to_pixels(units, paths, direction, width, gap, radius, sizes, orders):
    """Ranks spread over the width ("right") or one gap apart ("down"); slots the other way round. Across,
    the first and last ranks stand in from the edges by their widest label, which goes on the outer side
    (``orders`` are changed to "vertical" when that leaves too little room in between)."""
    half = min(max(w for w, _ in sizes.values()) / 2 + 2, width / 4)
    pad = max(half, radius + 4)
    left = right = pad
    if direction == "right":
        outside = {side: max((sizes[n][0] + radius + 5 for n, o in orders.items() if o == side), default=0)
                   for side in ("left", "right")}
        if outside["left"] + outside["right"] <= 0.6 * width:
            left, right = max(pad, outside["left"]), max(pad, outside["right"])
        else:
            orders.update({n: "vertical" for n in orders})
    top = 2 * max(h for _, h in sizes.values()) + 40  # room above the first nodes, cropped later
    rank_span = max(x for x, _ in units.values()) or 1
    slot_span = max(y for _, y in units.values()) or 1
    if direction == "right":
        def pixel(point):
            return left + point[0] / rank_span * (width - left - right), top + point[1] * gap
    else:
        across = min((width - 2 * pad) / slot_span, 3 * gap)
        offset = (width - 2 * pad - slot_span * across) / 2

        def pixel(point):
            return pad + offset + point[1] * across, top + point[0] * gap
    return ({n: pixel(p) for n, p in units.items()},
            {key: [pixel(p) for p in path] for key, path in paths.items()})


def _clusters(nodes, edges, centre, width, edge_labels, min_ties) -> _Drawing:
    """A map in the proportions of a page: groups round the chapter's own part, straight lines."""
    sizes = _label_sizes(nodes, "clusters")
    named = _to_name(nodes, edges, min_ties)
    room = {i: sizes[i][0] / ROOM_PX for i in named}  # labelled nodes keep their neighbours further off
    units = clustered(nodes.id, zip(edges.source, edges.target, strict=True),
                      dict(zip(nodes.id, nodes.group, strict=True)), centre=centre, room=room)
    height = round(width * 0.72)
    radius = _radius("clusters")
    xs, ys = [x for x, _ in units.values()], [y for _, y in units.values()]
    pad = 3 * radius
    # The map fills the frame, but one way is stretched at most STRETCH times the other (a map of a few
    # nodes stays in proportion); it is centred.
    sx = (width - 2 * pad) / ((max(xs) - min(xs)) or 1)
    sy = (height - 2 * pad) / ((max(ys) - min(ys)) or 1)
    sx, sy = min(sx, STRETCH * sy), min(sy, STRETCH * sx)
    left, top = (width - (max(xs) - min(xs)) * sx) / 2, (height - (max(ys) - min(ys)) * sy) / 2
    at = {n: (left + (x - min(xs)) * sx, top + (y - min(ys)) * sy) for n, (x, y) in units.items()}
    drawn = {(s, t): [at[s], at[t]] for s, t in zip(edges.source, edges.target, strict=True)}
    return _labelled(nodes, edges, at, drawn, width, "clusters", edge_labels, min_ties,
                     dict.fromkeys(nodes.id, "horizontal"), height)


def _radius(layout: str) -> float:
    return NODE_SIZE[layout] ** 0.5 / 2 + 1.5  # half the symbol, and its outline


def _label_sizes(nodes: pd.DataFrame, layout: str) -> dict:
    font = NODE_FONT[layout]
    return {i: text_box(t, font, h != "other", round(font * LINE_HEIGHT))
            for i, t, h in zip(nodes.id, nodes.label, nodes.hl, strict=True)}


def _labelled(nodes, edges, at, paths, width, layout, edge_labels, min_ties, orders, height=None) -> _Drawing:
    """Nodes, lines and their labels in pixels, the drawing cropped to what it holds. A node whose name
    has no place gets a number, listed with its name under the drawing."""
    edges = _offset_pairs(edges.assign(path=[_path(paths, at, s, t) for s, t in zip(edges.source, edges.target,
                                                                                     strict=True)]))
    edges = edges.assign(labelled=EDGE_LABELS[edge_labels](edges))
    nodes = nodes.assign(x=[at[i][0] for i in nodes.id], y=[at[i][1] for i in nodes.id])
    frame_height = height or 10_000  # a layered drawing is as tall as it needs, then cropped
    leaders = layout == "clusters"  # a dense map may set a name further off, with a line to its node
    radius = _radius(layout)
    boxes, numbers, lines = _place(nodes, edges, _label_sizes(nodes, layout), radius, (0, 0, width, frame_height),
                                   orders, min_ties, leaders)
    nodes = nodes.assign(label_box=[boxes.get(("node", i)) for i in nodes.id],
                         number=[numbers.get(i, 0) for i in nodes.id],
                         number_box=[boxes.get(("number", i)) for i in nodes.id])
    anchors = Points(dict(zip(nodes.id, zip(nodes.x, nodes.y, strict=True), strict=True)))
    # (a node with neither name nor number, on a map too crowded for both, has no leader either)
    nodes = nodes.assign(leader=[_leader(x, y, b or n, radius, nearest(b or n, i, anchors)) if leaders and (b or n)
                                 else None for i, x, y, b, n in zip(nodes.id, nodes.x, nodes.y, nodes.label_box,
                                                          nodes.number_box, strict=True)])
    edges = edges.assign(label_box=[boxes.get(("edge", e)) for e in edges.edge],
                         letter=[numbers.get(("letter", e), "") for e in edges.edge],
                         letter_box=[boxes.get(("letter", e)) for e in edges.edge])
    if height is None:
        nodes, edges, height = _crop(nodes, edges, radius)
    unplaced = sum(b is None for b in boxes.values()) + int(
        (edges.labelled & edges.label_box.isna() & edges.letter_box.isna()).sum())
    # A name or number a line runs through is misread (a letter sits on its own line).
    crossed = sum(k[0] in ("node", "number") or (k[0] == "letter" and line[1] != k[1])
                  for k, line in crossings(boxes, lines))
    lettered = sum(k[0] == "letter" for k in boxes)
    return _Drawing(nodes, edges, width, height, layout, unplaced, crossed, lettered)


def _leader(x: float, y: float, box: Box | None, radius: float, attached: bool = True) -> tuple | None:
    """A line from the rim of a node to the nearest point of its label, when the label does not touch it or
    lies as near another node (not ``attached``)."""
    if box is None:
        return None
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    length = math.hypot(nx - x, ny - y)
    if length <= radius + 4 and attached or length == 0:
        return None
    return (round(x + (nx - x) / length * (radius + 1), 2), round(y + (ny - y) / length * (radius + 1), 2),
            round(nx, 2), round(ny, 2))


def _crop(nodes, edges, radius):
    """Shift everything up to a small margin and end the drawing below its lowest mark."""
    labels = [*nodes.label_box.dropna(), *nodes.number_box.dropna(), *edges.label_box.dropna(),
              *edges.letter_box.dropna()]
    tops = [*(nodes.y - radius), *(b[1] for b in labels), *(y for p in edges.path for _, y in p)]
    bottoms = [*(nodes.y + radius), *(b[3] for b in labels), *(y for p in edges.path for _, y in p)]
    shift = min(tops) - MARGIN

    def up(box):
        return None if box is None else (box[0], box[1] - shift, box[2], box[3] - shift)
    nodes = nodes.assign(y=nodes.y - shift, label_box=[up(b) for b in nodes.label_box],
                         number_box=[up(b) for b in nodes.number_box],
                         leader=[None if v is None else (v[0], v[1] - shift, v[2], v[3] - shift) for v in nodes.leader])
    edges = edges.assign(path=[[(x, y - shift) for x, y in p] for p in edges.path],
                         label_box=[up(b) for b in edges.label_box], letter_box=[up(b) for b in edges.letter_box])
    return nodes, edges, math.ceil(max(bottoms) - shift + MARGIN)


def _path(paths, at, source, target) -> list:
    if (source, target) in paths:
        return paths[(source, target)]
    if (target, source) in paths:
        return paths[(target, source)][::-1]  # a link stored the other way round
    return [at[source], at[target]]  # a row tying a node to itself: a line of no length


def _offset_pairs(edges: pd.DataFrame) -> pd.DataFrame:
    """A tie drawn both ways (A to B and B to A) is two lines 3 px either side of the centre, so each arrow
    can be seen."""
    pairs = set(zip(edges.source, edges.target, strict=True))
    paths = []
    for s, t, path in zip(edges.source, edges.target, edges.path, strict=True):
        if (t, s) in pairs:
            (ax, ay), (bx, by) = path[0], path[-1]
            length = math.hypot(bx - ax, by - ay) or 1
            nx, ny = -(by - ay) / length * 3, (bx - ax) / length * 3
            path = [(x + nx, y + ny) for x, y in path]
        paths.append(path)
    return edges.assign(path=paths)


def _to_name(nodes: pd.DataFrame, edges: pd.DataFrame, min_ties: int) -> list[str]:
    """The nodes to label, most important first: the highlight, its neighbours (so that its ties can be
    told apart on paper), then the others with at least ``min_ties`` lines, busiest first; in a map of a
    few nodes, all of them."""
    marked = set(nodes.id[nodes.hl != "other"])
    near = set(edges.target[edges.source.isin(marked)]) | set(edges.source[edges.target.isin(marked)])
    ranked = nodes.assign(first=[0 if i in marked else 1 if i in near else 2 for i in nodes.id]).sort_values(
        ["first", "ties", "id"], ascending=[True, False, True])
    if len(nodes) <= ALL_NAMED:
        return list(ranked.id)
    return list(ranked.id[(ranked["first"] < 2) | (ranked.ties >= min_ties)])


def _number_size(n: int) -> tuple[float, float]:
    """The room a node's number takes: as drawn (bold), with NUMBER_MARGIN either side, so that two numbers
    side by side never touch and read as one ("8" beside "5" read "85")."""
    w, h = text_box(str(n), NUMBER_FONT, True)
    return w + 2 * NUMBER_MARGIN, h


def _place(nodes, edges, sizes, radius, frame: Box, orders: Mapping[str, str], min_ties: int,
           leaders: bool) -> tuple[dict, dict, dict]:
    """Node names first (the highlight, its neighbours, then the busiest), then a number for each node left
    unnamed, then relation labels (the highlight's and the hedged ones first); each on a free candidate
    place near its node or on its line, off the lines where there is one. A name or number lies nearer its
    own node than any other; with ``leaders``, one that finds no such place (or only one on a line) may sit
    further out, joined to its node by a leader (:func:`_attached`). A relation crosses no other line, or
    its line gets a letter. Returns the boxes, the numbers and letters given, and the lines."""
    node_boxes = [(x - radius - 1, y - radius - 1, x + radius + 1, y + radius + 1)
                  for x, y in zip(nodes.x, nodes.y, strict=True)]
    at = dict(zip(nodes.id, zip(nodes.x, nodes.y, strict=True), strict=True))
    rings = (0, 10, 24, 40, 60, 80) if leaders else (0, 10, 24)
    lines = Lines({("edge", e): list(pairwise(p)) for e, p in zip(edges.edge, edges.path, strict=True)})
    anchors = Points({("node", i): at[i] for i in nodes.id} | {("number", i): at[i] for i in nodes.id})
    # With leaders, a place one ring further out (16 candidates) costs as much as two lines crossed: leaders
    # stay short.
    how = {"lines": lines, "anchors": anchors, "frame": frame, "reach": 0.125 if leaders else 0}
    names = _attached({("node", i): around(at[i], radius, sizes[i], order=orders[i], rings=rings)
                       for i in _to_name(nodes, edges, min_ties)}, node_boxes, how, leaders)
    numbers = _numbering(nodes, {i for i in nodes.id if names.get(("node", i)) is None})
    taken = node_boxes + [b for b in names.values() if b is not None]
    marks = _attached({("number", i): around(at[i], radius, _number_size(n), gap=1.5, order=orders[i],
                                             rings=(0, 4, *rings[1:], *((80, 100) if leaders else ())))
                       for i, n in numbers.items()}, taken, how, leaders, clear=False)
    taken += [b for b in marks.values() if b is not None]
    candidates = {}
    shown = edges[edges.labelled].assign(first=lambda e: e.hl == "other", plain=lambda e: ~e.hedged)
    paths = dict(zip(shown.edge, shown.path, strict=True))
    for e, text in shown.sort_values(["first", "plain", "edge"])[["edge", "label"]].itertuples(index=False):
        w, h = text_box(wrap_text(text, EDGE_WRAP), EDGE_FONT, False, round(EDGE_FONT * LINE_HEIGHT))
        candidates[("edge", e)] = along(paths[e], (w + 4, h + 1))
    # A relation's words cross no other line; where they find no such place, its line gets a letter instead
    # (on a stretch no other line crosses), and the list under the drawing gives the letter its tie.
    words = place_labels(candidates, taken, **how, clear=True)
    taken += [b for b in words.values() if b is not None]
    lettered = [k for k, b in words.items() if b is None]
    letters = {k[1]: _letter(n) for n, k in enumerate(lettered)}
    spots = {("letter", e): along(paths[e], _letter_size(letters[e]), fractions=LETTER_AT) for e in letters}
    marks_on = place_labels(spots, taken, **how, clear=True)
    room = Boxes(taken + [b for b in marks_on.values() if b is not None])
    for key in [k for k, b in marks_on.items() if b is None]:  # no clear stretch: the one fewest lines cross
        marks_on |= place_labels({key: spots[key]}, room, **how)
    lettered = [k for k in lettered if marks_on[("letter", k[1])] is not None]  # else: in the tooltip only
    letters = {k[1]: _letter(n) for n, k in enumerate(lettered)}
    marks_on = {("letter", k[1]): marks_on[("letter", k[1])] for k in lettered}
    words = {k: b for k, b in words.items() if b is not None}
    return names | marks | words | marks_on, numbers | {("letter", e): c for e, c in letters.items()}, lines


LETTER_AT = tuple(f / 20 for f in (10, 9, 11, 8, 12, 7, 13, 6, 14, 5, 15, 4, 16, 3, 17))  # along a line


def _letter(n: int) -> str:
    """a, b, …, z, aa, ab, …: the mark of a line whose relation is listed under the drawing."""
    return _letter(n // 26 - 1) + chr(97 + n % 26) if n >= 26 else chr(97 + n)


def _letter_size(letter: str) -> tuple[float, float]:
    w, h = text_box(letter, EDGE_FONT, True)
    return w + 4, h


def _attached(candidates: dict, taken: list, how: dict, leaders: bool, clear: bool = True) -> dict:
    """Names (or numbers) each nearer its own node than any other; on a map with leaders, those that find
    no such place then take the best free place further off, and a leader joins them to their node."""
    if not leaders:
        return place_labels(candidates, taken, **how)
    placed, taken = {}, Boxes(taken)  # each box placed is added to it (place_labels)
    loose = how | {"anchors": {}}
    for key, boxes in candidates.items():  # one by one, so that a more important label goes first either way
        box = None  # off the lines by its node, off the lines with a leader, by its node, with a leader
        for rule, off in ((how, True), (loose, True), (how, False), (loose, False)):
            if off <= clear:
                box = box or place_labels({key: boxes}, taken, **rule, clear=off)[key]
        placed[key] = box
    return placed


def _numbering(nodes: pd.DataFrame, unnamed: set[str]) -> dict[str, int]:
    """Numbers 1, 2, … for the nodes left unnamed, part by part (in the parts' fixed order), by name
    within a part, so that each part's numbers run together in the list under the drawing."""
    parts = list(charts.SECTION_COLORS)
    ordered = nodes[nodes.id.isin(unnamed)].assign(
        at=lambda d: [parts.index(g) if g in parts else len(parts) for g in d.group],
        key=lambda d: d.short.str.lower()).sort_values(["at", "key", "id"])
    return {i: n for n, i in enumerate(ordered.id, start=1)}


def _points(edges: pd.DataFrame, layout: str) -> pd.DataFrame:
    """The lines as points in order: each starts at the rim of its subject and stops short of its object,
    where the arrowhead goes."""
    rim = _radius(layout) + 1
    rows = []
    for record in edges.itertuples():
        path = [list(p) for p in record.path]
        for end, nxt, gap in ((0, 1, rim), (-1, -2, rim + (4 if record.directed else 0))):
            (ax, ay), (bx, by) = path[end], path[nxt]
            length = math.hypot(bx - ax, by - ay) or 1
            path[end] = [ax + (bx - ax) / length * gap, ay + (by - ay) / length * gap]
        rows += [{"edge": record.edge, "step": k, "px": round(x, 2), "py": round(y, 2)}
                 for k, (x, y) in enumerate(path)]
    return pd.DataFrame(rows)


# --- the chart ------------------------------------------------------------------------------------------

def _chart(drawing: _Drawing, book: Chapter) -> alt.LayerChart:
    # Pixels in, pixels out: one unit is one pixel, y growing downwards as in the layout.
    short = dict(zip(drawing.nodes.id, drawing.nodes.short, strict=True))
    edges = _edge_frame(drawing.edges, short)
    nodes = _node_frame(drawing.nodes)
    font = NODE_FONT[drawing.layout]
    keys = _keys(drawing, nodes)
    listing = _number_list(drawing, nodes, keys.pop("bottom") + 4)
    height = max(drawing.height, math.ceil(listing.y.max() + KEY_LINE) + MARGIN) if len(listing) else drawing.height
    x_scale = alt.Scale(domain=[0, drawing.width], range=[0, drawing.width], nice=False)
    y_scale = alt.Scale(domain=[0, height], range=[0, height], nice=False)

    def at(x_field: str = "px", y_field: str = "py") -> dict:
        return {"x": alt.X(f"{x_field}:Q", scale=x_scale, axis=None),
                "y": alt.Y(f"{y_field}:Q", scale=y_scale, axis=None)}
    layers = [_lines(drawing.points.merge(edges, on="edge"), book, at, keys["line"]),
              _heads(drawing, edges, book, at), *_edge_texts(edges[edges.placed], at),
              *_letter_texts(edges[edges.lettered], at),
              _leaders(nodes, at), *_symbols(nodes, book, at, drawing.layout, keys),
              *_node_texts(nodes[nodes.placed], book, at, font), *_number_texts(nodes[nodes.numbered], at),
              *_listing(listing, at)]
    return alt.layer(*[layer for layer in layers if layer is not None]).properties(width=drawing.width, height=height)


def _boxes(boxes: pd.Series) -> dict:
    # Text is drawn centred, hanging from the top of its box, so that its lines fall inside the box.
    return {"placed": boxes.notna(),
            "tx": [round((b[0] + b[2]) / 2, 2) if b else 0.0 for b in boxes],
            "ty": [round(b[1] + 1, 2) if b else 0.0 for b in boxes],
            **{k: [round(b[i], 2) if b else 0.0 for b in boxes] for i, k in enumerate(("bx", "by", "bx2", "by2"))}}


def _edge_frame(edges: pd.DataFrame, short: Mapping[str, str]) -> pd.DataFrame:
    frame = edges.assign(
        line=["hedged by the source" if h else "stated" for h in edges.hedged],
        link=["; ".join(_reading(r, short) for r in readings) for readings in edges.readings],
        text=[wrap_text(t, EDGE_WRAP) for t in edges.label], **_boxes(edges.label_box))
    letters = _boxes(edges.letter_box)
    frame = frame.assign(lettered=letters["placed"] & (edges.letter != ""), etx=letters["tx"], ety=letters["ty"],
                         **{f"e{k}": letters[k] for k in ("bx", "by", "bx2", "by2")})
    return plain(frame.drop(columns=["path", "readings", "label_box", "letter_box"]))


def _node_frame(nodes: pd.DataFrame) -> pd.DataFrame:
    leader = nodes.leader if "leader" in nodes else pd.Series(None, index=nodes.index, dtype=object)
    number_box = nodes.number_box if "number_box" in nodes else pd.Series(None, index=nodes.index, dtype=object)
    numbers = _boxes(number_box)
    frame = nodes.assign(px=nodes.x.round(2), py=nodes.y.round(2), part=nodes.group.map(_part),
                         has_leader=leader.notna(),
                         **{k: [v[i] if v else 0.0 for v in leader] for i, k in enumerate(("lx", "ly", "lx2", "ly2"))},
                         **_boxes(nodes.label_box), numbered=numbers["placed"], nx=numbers["tx"], ny=numbers["ty"],
                         **{f"n{k}": numbers[k] for k in ("bx", "by", "bx2", "by2")},
                         number_text=[str(n) if n else "" for n in nodes.get("number", [0] * len(nodes))])
    return plain(frame.drop(columns=["label_box", "leader", "number_box"], errors="ignore"))


def _leaders(nodes: pd.DataFrame, at) -> alt.Chart | None:
    joined = nodes[nodes.has_leader]
    if joined.empty:
        return None
    return alt.Chart(joined).mark_rule(color="#333333", strokeWidth=0.8, strokeDash=[1, 1.5]).encode(
        **at("lx", "ly"), x2="lx2:Q", y2="ly2:Q", tooltip=_node_tips())


def _edge_tips() -> list[alt.Tooltip]:
    return [alt.Tooltip("link:N", title="Link"), alt.Tooltip("hedges:N", title="Hedge"),
            alt.Tooltip("detail:N", title="Detail"), alt.Tooltip("rows:N", title="Row")]


def _node_tips() -> list[alt.Tooltip]:
    return [alt.Tooltip("name:N", title="Name"), alt.Tooltip("what:N", title="Kind"),
            alt.Tooltip("ties:Q", title="Lines"), alt.Tooltip("id:N", title="Row"),
            alt.Tooltip("page:N", title=PAGES_TIP)]


def _keys(drawing: _Drawing, nodes: pd.DataFrame) -> dict:
    """The keys under the drawing, one line each (the parts of the report on two), so that side by side
    they do not run wider than the drawing. When the map numbers nodes, the list of numbers, part by part,
    shows the parts' colours instead."""
    listed = drawing.layout == "clusters" and (nodes.number_text != "").any()  # its parts lead the list
    rows = {"line": 1 if drawing.edges.hedged.any() else 0,
            "part": 0 if listed else -(-len(_parts(nodes)) // 3), "node": 1}
    keys, top = {}, drawing.height + 10
    for key, extra in (("line", {"symbolType": "stroke", "symbolStrokeColor": EDGE_GREY, "symbolStrokeWidth": 2}),
                       ("part", {"columns": 3, "symbolType": "circle"}),
                       ("node", {"symbolStrokeWidth": 0, "symbolFillColor": charts.MUTED})):
        keys[key] = alt.Legend(orient="none", legendX=0, legendY=top, direction="horizontal",
                               titleOrient="left", **extra) if rows[key] else None
        top += 20 * rows[key]
    return keys | {"bottom": top}


def _parts(nodes: pd.DataFrame) -> list[str]:
    return [g for g in charts.SECTION_COLORS if g in set(nodes.group)]


def _lines(points: pd.DataFrame, book: Chapter, at, key) -> alt.Chart:
    kinds = [k for k in ("stated", "hedged by the source") if k in set(points.line)]
    dash = alt.StrokeDash("line:N", title="Line", scale=alt.Scale(
        domain=kinds, range=[[1, 0] if k == "stated" else DASH for k in kinds]), legend=key)
    return alt.Chart(points).mark_line(strokeCap="butt").encode(
        **at(), detail="edge:N", order="step:Q", tooltip=_edge_tips(), strokeDash=dash,
        color=charts.highlight_color("hl", book.highlight, EDGE_GREY),
        # besides colour, width marks the highlight, so that it survives greyscale printing
        strokeWidth=charts.when_highlighted(alt.StrokeWidthValue, book.highlight, 2.6, 1.3))


def _heads(drawing: _Drawing, edges: pd.DataFrame, book: Chapter, at) -> alt.Chart | None:
    """An arrowhead where each directed line ends, turned along its last stretch (screen y grows down)."""
    last_two: dict[str, list] = {}  # each line's last stretch, the lines in the order of their points
    for edge, x, y in zip(drawing.points.edge, drawing.points.px, drawing.points.py, strict=True):
        last_two[edge] = [*last_two.get(edge, [])[-1:], (x, y)]
    tips = [{"edge": edge, "hx": bx, "hy": by, "angle": round(math.degrees(math.atan2(by - ay, bx - ax)), 1)}
            for edge, ((ax, ay), (bx, by)) in last_two.items()]
    heads = pd.DataFrame(tips).merge(edges, on="edge")
    heads = heads[heads.directed]
    if heads.empty:
        return None
    small = drawing.layout == "clusters"
    return alt.Chart(heads).mark_point(shape="triangle-right", filled=True, opacity=1).encode(
        **at("hx", "hy"), angle=alt.Angle("angle:Q", scale=None), tooltip=_edge_tips(),
        color=charts.highlight_color("hl", book.highlight, EDGE_GREY),
        size=charts.when_highlighted(alt.SizeValue, book.highlight, 70 if small else 110, 30 if small else 60))


def _symbols(nodes: pd.DataFrame, book: Chapter, at, layout: str, keys: dict) -> list[alt.Chart]:
    """Circles and squares in the chapter's colour (with groups, each part's colour); the highlight in the
    accent colour with a dark outline, drawn again on top when the parts have the colours."""
    kinds = [k for k in ("organization", "system") if k in set(nodes.kind)]
    shape = alt.Shape("kind:N", title="Node", legend=keys["node"], scale=alt.Scale(
        domain=kinds, range=["circle" if k == "organization" else "square" for k in kinds]))
    base = alt.Chart(nodes).mark_point(filled=True, opacity=1, size=NODE_SIZE[layout]).encode(
        **at(), tooltip=_node_tips(), shape=shape,
        stroke=charts.when_highlighted(alt.StrokeValue, book.highlight, "#111111", "white"),
        strokeWidth=charts.when_highlighted(alt.StrokeWidthValue, book.highlight, 2.5, 0.8))
    parts = _parts(nodes)
    if not parts:
        return [base.encode(color=charts.highlight_color("hl", book.highlight, charts.SECTION_COLORS[book.section]))]
    by_part = alt.Color("part:N", title="Part", legend=keys["part"], scale=alt.Scale(
        domain=[_part(g) for g in parts], range=[charts.SECTION_COLORS[g] for g in parts]))
    marked = nodes[nodes.hl != "other"]
    # A condition on a field would colour the shape key in the accent: the highlight gets a layer of its own.
    return [base.encode(color=by_part)] + ([alt.Chart(marked).mark_point(
        filled=True, opacity=1, size=NODE_SIZE[layout], color=charts.ACCENT, stroke="#111111", strokeWidth=2.5).encode(
        **at(), tooltip=_node_tips(), shape=shape)] if len(marked) else [])  # one key: the same legend


def _part(section: str) -> str:
    return section.replace("_", " ").capitalize()


def _edge_texts(frame: pd.DataFrame, at) -> list[alt.Chart]:
    """A relation on its line, on a white ground that interrupts the line under it."""
    if frame.empty:
        return []
    base = alt.Chart(frame).encode(tooltip=_edge_tips())
    return [base.mark_rect(fill="white", opacity=0.92).encode(**at("bx", "by"), x2="bx2:Q", y2="by2:Q"),
            base.mark_text(align="center", baseline="top", lineBreak="\n", fontSize=EDGE_FONT,
                           lineHeight=round(EDGE_FONT * LINE_HEIGHT), fontStyle="italic", color="#444").encode(
                **at("tx", "ty"), text="text:N")]


def _letter_texts(frame: pd.DataFrame, at) -> list[alt.Chart]:
    """The letter of a line whose relation had no room on it, on a white ground; the list under the
    drawing says which tie it is and what it carries."""
    if frame.empty:
        return []
    base = alt.Chart(frame).encode(tooltip=_edge_tips())
    return [base.mark_rect(fill="white", opacity=0.92).encode(**at("ebx", "eby"), x2="ebx2:Q", y2="eby2:Q"),
            base.mark_text(align="center", baseline="top", fontSize=EDGE_FONT, fontWeight="bold",
                           fontStyle="italic", color="#444").encode(**at("etx", "ety"), text="letter:N")]


def _node_texts(frame: pd.DataFrame, book: Chapter, at, font: int) -> list[alt.Chart]:
    """Node names with a white halo; the highlight's in bold (Vega-Lite has no channel for the weight, so
    they get layers of their own) and in the accent colour."""
    layers = []
    for bold in (False, True):
        part = frame[(frame.hl != "other") == bold]
        if part.empty:
            continue
        base = alt.Chart(part).encode(**at("tx", "ty"), text="label:N", tooltip=_node_tips())
        style = {"align": "center", "baseline": "top", "lineBreak": "\n", "fontSize": font,
                 "lineHeight": round(font * LINE_HEIGHT), "fontWeight": "bold" if bold else "normal"}
        layers += [base.mark_text(**style, stroke="white", strokeWidth=3.5, strokeJoin="round"),
                   base.mark_text(**style, color=charts.ACCENT if bold else TEXT)]
    return layers


def _number_texts(frame: pd.DataFrame, at) -> list[alt.Chart]:
    """The number of each node the drawing could not name, with a white halo; the list under the drawing
    gives its name."""
    if frame.empty:
        return []
    base = alt.Chart(frame).encode(**at("nx", "ny"), text="number_text:N", tooltip=_node_tips())
    style = {"align": "center", "baseline": "top", "fontSize": NUMBER_FONT, "fontWeight": "bold"}
    return [base.mark_text(**style, stroke="white", strokeWidth=3, strokeJoin="round"),
            base.mark_text(**style, color=TEXT)]


# --- the list of numbered nodes -------------------------------------------------------------------------

KEY_LINE = 10.5  # px between the lines of the list
KEY_ITEM_GAP = 7  # px between one item of the list and the next on a line


def _number_list(drawing: _Drawing, nodes: pd.DataFrame, top: float) -> pd.DataFrame:
    """The nodes numbered on the drawing with their names, as running lines across the drawing's width:
    with parts, one paragraph per part, led by its colour, its name, where on the map it lies and the
    nodes the map names. Widths are measured in the font, so that no item runs past the edge. One
    record per piece of text: its place, text, style and the ids it stands for."""
    numbered = nodes[nodes.number_text != ""]
    lettered = drawing.edges[(drawing.edges.letter != "") & drawing.edges.letter_box.notna()]
    lettered = lettered.assign(order=[(len(x), x) for x in lettered.letter]).sort_values("order")
    if numbered.empty and lettered.empty:
        return pd.DataFrame(columns=["x", "y", "text", "style", "name", "id", "part"])
    parts = _parts(nodes) if drawing.layout == "clusters" else []
    records, y = [], float(top)
    for part in (parts or [None]) if len(numbered) else []:
        members = nodes[nodes.group == part] if part else nodes
        listed = numbered[numbered.id.isin(members.id)].sort_values("number_text", key=lambda n: n.astype(int))
        items = []  # each: the pieces (style, text, ids) that stay together on one line
        if part is None:
            items.append([("heading", "Numbered on the drawing:", ", ".join(listed.id))])
        else:
            named = members[members.number_text == ""]
            lead = f"{_part(part)} ({_where(members, drawing)})" + (";" if len(named) else ":")
            items.append([("dot", "", ", ".join(members.id)), ("heading", lead, ", ".join(members.id))])
            if len(named):  # one item per name, so that a name breaks across lines only if it must
                ordered = sorted(named.short, key=str.lower)
                said = [("named: " if k == 0 else "") + n + ("," if k < len(ordered) - 1 else ";")
                        for k, n in enumerate(ordered)]
                items += [[("named", w, ", ".join(named.id)) for w in n.split(" ")] for n in said]
        items += [[("number", n, i), *[("name", w, i) for w in name.split(" ")]]
                  for n, name, i in zip(listed.number_text, listed.short, listed.id, strict=True)]
        lines = _flow(items, drawing.width)
        for line in lines:
            for x, style, text, ids in line:
                records.append({"x": round(x, 2), "y": round(y, 2), "text": text, "style": style, "name": text,
                                "id": ids, "part": _part(part) if part else ""})
            y += KEY_LINE
        y += 2
    if len(lettered):  # the ties whose relation had no room on their line, in the data's words
        short = dict(zip(nodes.id, nodes.short, strict=True))
        items = [[("lines", "Lettered on the lines:", ", ".join(lettered.rows))]]
        items += [[("letter", letter, rows), *[("relation", w, rows) for w in
                                                f"{short[s]} {label} {short[t]}".split(" ")]]
                  for letter, s, label, t, rows in zip(lettered.letter, lettered.source, lettered.label,
                                                       lettered.target, lettered.rows, strict=True)]
        for line in _flow(items, drawing.width):
            for x, style, text, ids in line:
                records.append({"x": round(x, 2), "y": round(y, 2), "text": text, "style": style, "name": text,
                                "id": ids, "part": ""})
            y += KEY_LINE
    return pd.DataFrame(records)


def _piece_width(style: str, text: str) -> float:
    if style == "dot":
        return 8.0
    return text_box(text, NUMBER_FONT, style in ("number", "heading", "letter", "lines"))[0]


def _flow(items: list[list[tuple]], width: float) -> list[list[tuple]]:
    """Items set one after another in lines no wider than ``width``: an item goes whole onto the next line
    when it does not fit (a name longer than a line breaks between its words); the words of an item are a
    space apart, items ``KEY_ITEM_GAP``."""
    space = text_width(" ", NUMBER_FONT)
    lines, x = [[]], 0.0
    for item in items:
        whole = sum(_piece_width(st, t) for st, t, _ in item) + space * (len(item) - 1)
        gap = space if item[0][0] == "named" else KEY_ITEM_GAP  # the names the map shows run as a sentence
        if lines[-1] and x + gap + whole > width:
            lines, x = [*lines, []], 0.0
        elif lines[-1]:
            x += gap
        for k, (style, text, ids) in enumerate(item):
            w = _piece_width(style, text)
            if x + w > width and lines[-1]:  # only an item longer than a whole line
                lines, x = [*lines, []], 0.0
            lines[-1].append((x + (4 if style == "dot" else 0), style, text, ids))
            x += w + (space if k < len(item) - 1 else 0)
    return lines


def _where(members: pd.DataFrame, drawing: _Drawing) -> str:
    """Where a part's nodes lie on the map, in words: "top left", "middle", …"""
    dx = (members.x.mean() - drawing.width / 2) / drawing.width
    dy = (members.y.mean() - drawing.height / 2) / drawing.height
    if math.hypot(dx, dy) < 0.12:
        return "middle"
    angle = math.degrees(math.atan2(dy, dx)) % 360
    return ["right", "bottom right", "bottom", "bottom left", "left", "top left", "top", "top right"][
        round(angle / 45) % 8]


def _listing(frame: pd.DataFrame, at) -> list[alt.Chart]:
    if frame.empty:
        return []
    tips = [alt.Tooltip("name:N", title="Name"), alt.Tooltip("id:N", title="Row")]
    styles = {"heading": {"fontWeight": "bold"}, "named": {"fontStyle": "italic"}, "number": {"fontWeight": "bold"},
              "name": {}, "letter": {"fontWeight": "bold", "fontStyle": "italic"}, "relation": {},
              "lines": {"fontWeight": "bold"}}
    layers = []
    dots = frame[frame["style"] == "dot"]
    if len(dots):  # each part's colour before its name: the map's key of colours
        parts = list(dict.fromkeys(dots.part))
        colors = {_part(g): c for g, c in charts.SECTION_COLORS.items()}
        layers.append(alt.Chart(plain(dots.assign(cy=dots.y + NUMBER_FONT * 0.55))).mark_point(
            filled=True, opacity=1, size=45, shape="circle").encode(
            **at("x", "cy"), tooltip=tips, color=alt.Color("part:N", legend=None, scale=alt.Scale(
                domain=parts, range=[colors.get(p, charts.MUTED) for p in parts]))))
    for style, how in styles.items():
        part = frame[frame["style"] == style]
        if len(part):
            mark = {"align": "left", "baseline": "top", "fontSize": NUMBER_FONT, "color": TEXT} | how
            layers.append(alt.Chart(plain(part)).mark_text(**mark).encode(**at("x", "y"), text="text:N",
                                                                            tooltip=tips))
    return layers


# --- the words ------------------------------------------------------------------------------------------

def _reading(reading: tuple, short: Mapping[str, str]) -> str:
    subject, relation, hedge, obj = reading
    return f"{short[subject]} {relation}{f' ({hedge})' if hedge else ''} {short[obj]}"


def _description(drawing: _Drawing, book: Chapter, every: pd.DataFrame) -> str:
    """What the diagram says, in the data's own reading ("subject relation object"), with every hedge."""
    nodes, edges = drawing.nodes, drawing.edges
    short = dict(zip(nodes.id, nodes.short, strict=True))
    clauses: dict[tuple, list[str]] = {}
    for readings in edges.readings:
        for subject, relation, hedge, obj in readings:
            clauses.setdefault((subject, obj), []).append(relation + (f" ({hedge})" if hedge else ""))
    said = "; ".join(f"{short[s]} {and_list(dict.fromkeys(r))} {short[o]}" for (s, o), r in clauses.items())
    n_org, n_sys = int((nodes.kind == "organization").sum()), int((nodes.kind == "system").sum())
    how = ["each arrow points from subject to object"]
    if (~edges.directed).any():
        how.append("a line without an arrow ties two nodes both ways")
    if edges.hedged.any():
        how.append("dashed lines are ties the source hedges")
    lead = (f"Network diagram of {count(n_org)} organization{'s' * (n_org != 1)} (circles) and {count(n_sys)} "
            f"system{'s' * (n_sys != 1)} (squares)")
    if not every.drawn.all():
        lead += f", those with the most lines of the {count(len(every))} the rows tie"
    lead += f"; {and_list(how)}"
    marked = [short[i] for i in nodes.id[nodes.hl != "other"]]
    tail = f" Marked as highlighted: {and_list(marked)}." if marked else ""
    return f"{lead}: {said}.{tail}"

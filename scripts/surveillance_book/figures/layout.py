"""Where the nodes and labels of a network diagram go: pure functions, no Altair, no pandas.

- :func:`layered` puts nodes in ranks along the direction of the arrows (or in ranks the chapter gives)
  and orders each rank by the barycentre of its neighbours, to reduce crossings; :func:`routes` gives
  each edge's path through the ranks it skips, so no line runs through a node of a rank in between.
- :func:`clustered` spreads a dense map round one anchor per group (a part of the report) with a fixed
  number of force steps, for graphs too big for ranks.
- :func:`place_labels` puts each label on the first free one of its candidate boxes (:func:`around` a
  node, :func:`along` a line): free means inside the frame, over no node and no label already placed,
  nearer its own node than any other (:func:`nearest`) and, if asked, across no other line.
- :func:`overlaps` lists the boxes that overlap, for tests and checks; :func:`text_width` estimates how
  wide the renderer draws a label, from the font's character widths.

Everything is sorted before it is used, so the same nodes and edges in any order give the same
positions. Positions from :func:`layered` are in units (x: rank, y: slot within the rank); boxes are
(left, top, right, bottom) in pixels, y growing downwards.
"""

import math
import textwrap
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import cache
from itertools import pairwise, permutations

import numpy as np

from .fonts import text_width

Point = tuple[float, float]
Box = tuple[float, float, float, float]
Segment = tuple[Point, Point]


def text_box(text: str, size: float = 11, bold: bool = False, line_height: float | None = None) -> Point:
    """(width, height) in pixels of a label whose lines are separated by newlines."""
    lines = text.split("\n")
    return max(text_width(line, size, bold) for line in lines), len(lines) * (line_height or round(size * 1.2))


def wrap(text: str, width: int = 16) -> str:
    """A label broken into lines of at most about ``width`` characters, the lines about equally long (no
    lone word on a last line); never shortened: a word longer than ``width`` stays whole on its line."""
    if len(text) <= width:
        return text
    by_width = {w: textwrap.wrap(text, w, break_long_words=False, break_on_hyphens=False) or [text]
                for w in range(1, width + 1)}
    fewest = len(by_width[width])
    return "\n".join(by_width[min(w for w, lines in by_width.items() if len(lines) == fewest)])


# --- layered layout -----------------------------------------------------------------------------------

def ranks(nodes: Iterable[str], edges: Iterable[tuple[str, str]], given: Mapping[str, int] | None = None,
          links: Iterable[tuple[str, str]] = ()) -> dict[str, int]:
    """The rank of each node: one after the furthest node with an arrow to it (longest path), except that a
    node no arrow reaches sits just before the nearest node it points to, so its arrows stay short. Ranks in
    ``given`` are kept. A node tied only by ``links`` (lines without a direction) shares its neighbour's
    rank. Cycles are broken by turning round the arrows that close them."""
    nodes, edges, links = _graph(nodes, edges, links)
    fixed = dict(given or {})
    forward = _acyclic(nodes, edges)
    rank = {n: fixed.get(n, 0) for n in nodes}
    for _ in nodes:  # at most one pass per node until nothing moves
        moved = False
        for s, t in forward:
            if t not in fixed and rank[t] < rank[s] + 1:
                rank[t], moved = rank[s] + 1, True
        if not moved:
            break
    reached = {t for _, t in forward}
    for n in nodes:
        targets = [rank[t] for s, t in forward if s == n]
        if n not in fixed and n not in reached and targets:
            rank[n] = min(targets) - 1
    tied = {n for e in edges for n in e}
    for a, b in links:  # undirected: the loose end joins the other end's rank
        for loose, other in ((a, b), (b, a)):
            if loose not in fixed and loose not in tied and other in tied | set(fixed):
                rank[loose] = rank[other]
    low = min(rank.values(), default=0)
    return {n: r - low for n, r in rank.items()}


def layered(nodes: Iterable[str], edges: Iterable[tuple[str, str]], given: Mapping[str, int] | None = None,
            links: Iterable[tuple[str, str]] = ()) -> dict[str, Point]:
    """Position of each node as (rank, slot): arrows point to higher ranks (see :func:`ranks`); within a
    rank, nodes are ordered to reduce crossings and moved towards their neighbours, one slot apart."""
    positions, _ = _arrange(*_graph(nodes, edges, links), _frozen(given))
    return dict(positions)


def routes(nodes: Iterable[str], edges: Iterable[tuple[str, str]], given: Mapping[str, int] | None = None,
           links: Iterable[tuple[str, str]] = ()) -> dict[tuple[str, str], list[Point]]:
    """Each edge's and link's path in the units of :func:`layered`: its two ends, with a bend in every rank
    it crosses on the way."""
    _, paths = _arrange(*_graph(nodes, edges, links), _frozen(given))
    return {edge: list(path) for edge, path in paths}


def _graph(nodes, edges, links) -> tuple[tuple, tuple, tuple]:
    edges = tuple(sorted({(s, t) for s, t in edges if s != t}))
    links = tuple(sorted({tuple(sorted(pair)) for pair in links if pair[0] != pair[1]} - set(edges)
                         - {(t, s) for s, t in edges}))
    return tuple(sorted(set(nodes) | {n for e in edges + links for n in e})), edges, links


def _frozen(given) -> tuple:
    return tuple(sorted((given or {}).items()))


def _acyclic(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges with those that close a cycle turned round (depth first, in sorted order)."""
    out = {n: [t for s, t in edges if s == n] for n in nodes}
    state, back = {}, set()
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
            elif state.get(child) == "open":
                back.add((node, child))
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(out[child])))
    return sorted((t, s) if (s, t) in back else (s, t) for s, t in edges)


@cache
def _arrange(nodes: tuple, edges: tuple, links: tuple, given: tuple):
    rank = ranks(nodes, edges, dict(given), links)
    chains = {}  # each edge as the list of points it passes: its ends and one waypoint per rank crossed
    for s, t in edges + links:
        step = 1 if rank[t] >= rank[s] else -1
        waypoints = [f"\0{s}\0{t}\0{r}" for r in range(rank[s] + step, rank[t], step)]
        for r, w in zip(range(rank[s] + step, rank[t], step), waypoints, strict=True):
            rank[w] = r
        chains[(s, t)] = [s, *waypoints, t]
    layers = [sorted(n for n in rank if rank[n] == r) for r in range(max(rank.values(), default=-1) + 1)]
    near = {n: ([], []) for n in rank}  # neighbours in the rank before and the rank after
    for chain in chains.values():
        for a, b in pairwise(chain):
            if rank[a] != rank[b]:
                a, b = (a, b) if rank[a] < rank[b] else (b, a)
                near[b][0].append(a)
                near[a][1].append(b)
    layers = _order(layers, near)
    slot = _coordinates(layers, near)
    where = {n: (float(rank[n]), slot[n]) for n in rank}
    return (tuple((n, where[n]) for n in nodes),
            tuple((e, tuple(where[p] for p in chain)) for e, chain in sorted(chains.items())))


def _crossings(layers: list[list[str]], near) -> int:
    total = 0
    for upper, lower in pairwise(layers):
        at = {n: i for i, n in enumerate(lower)}
        ends = sorted((i, at[b]) for i, a in enumerate(upper) for b in near[a][1])
        total += sum(1 for k, (a, b) in enumerate(ends) for c, d in ends[k + 1:] if c > a and d < b)
    return total


def _order(layers: list[list[str]], near, sweeps: int = 12) -> list[list[str]]:
    """Barycentre ordering, down and up the ranks, with swaps of neighbours that remove crossings; the
    order with fewest crossings found is kept (ties: the earliest, so the result is deterministic)."""
    best, best_cost = [list(m) for m in layers], _crossings(layers, near)
    current = [list(m) for m in layers]
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        for r in (range(1, len(current)) if down else range(len(current) - 2, -1, -1)):
            side = current[r - 1] if down else current[r + 1]
            current[r] = _by_barycentre(current[r], side, near, 0 if down else 1)
        _transpose(current, near)
        cost = _crossings(current, near)
        if cost < best_cost:
            best, best_cost = [list(m) for m in current], cost
    return best


def _by_barycentre(members: list[str], side: list[str], near, k: int) -> list[str]:
    """A rank sorted by the mean position of each node's neighbours in the ``side`` rank; a node with none
    keeps its relative place."""
    at = {n: i for i, n in enumerate(side)}
    here = {n: i for i, n in enumerate(members)}

    def centre(n):
        others = [at[m] for m in near[n][k]]
        return sum(others) / len(others) if others else here[n] * len(side) / max(len(members), 1)
    return sorted(members, key=lambda n: (centre(n), here[n]))


def _transpose(layers: list[list[str]], near) -> None:
    """Swap neighbours within a rank while that removes crossings with the ranks on either side."""
    def pair_cost(r, u, v):  # crossings among the lines of u and v when u comes first
        cost = 0
        for side, k in ((r - 1, 0), (r + 1, 1)):
            if 0 <= side < len(layers):
                at = {n: i for i, n in enumerate(layers[side])}
                cost += sum(1 for a in near[u][k] for b in near[v][k] if at[a] > at[b])
        return cost

    for _ in range(len(layers) * 4):
        improved = False
        for r, members in enumerate(layers):
            for i in range(len(members) - 1):
                u, v = members[i], members[i + 1]
                if pair_cost(r, v, u) < pair_cost(r, u, v):
                    members[i], members[i + 1] = v, u
                    improved = True
        if not improved:
            return


def _coordinates(layers: list[list[str]], near, sweeps: int = 8) -> dict[str, float]:
    """Slots within the ranks: each node as close to the mean of its neighbours as the order allows, a
    slot from the next node (half a slot next to a waypoint)."""
    slot = {}
    for members in layers:
        slot |= {n: float(i) for i, n in enumerate(members)}
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        both = sweep == sweeps - 1  # the last pass listens to both sides
        for members in (layers if down else layers[::-1]):
            wanted = []
            for n in members:
                others = near[n][0] + near[n][1] if both else near[n][0 if down else 1]
                wanted.append(sum(slot[m] for m in others) / len(others) if others else slot[n])
            gaps = [0.5 if a.startswith("\0") or b.startswith("\0") else 1.0 for a, b in pairwise(members)]
            slot |= dict(zip(members, _spread(wanted, gaps), strict=True))
    low = min(slot.values(), default=0.0)
    return {n: round(v - low, 4) for n, v in slot.items()}


def _spread(wanted: list[float], gaps: list[float]) -> list[float]:
    """The positions closest to ``wanted`` (least squares) that keep the order and the minimum ``gaps``:
    an isotonic regression by pooling adjacent violators, after subtracting the gaps."""
    offsets = [0.0]
    for g in gaps:
        offsets.append(offsets[-1] + g)
    blocks: list[list[float]] = []  # [sum, count] of pooled values
    for value in (w - o for w, o in zip(wanted, offsets, strict=True)):
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, n = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += n
    pooled = [total / n for total, n in blocks for _ in range(int(n))]
    return [p + o for p, o in zip(pooled, offsets, strict=True)]


# --- clusters --------------------------------------------------------------------------------------------

def clustered(nodes: Iterable[str], edges: Iterable[tuple[str, str]], groups: Mapping[str, str], *,
              centre: str | None = None, room: Mapping[str, float] | None = None, spacing: float = 0.25,
              steps: int = 400) -> dict[str, Point]:
    """Positions for a dense map, by group: the ``centre`` group in the middle, the others on a ring in the
    order that keeps the lines between groups shortest; each node starts on a small spiral round its
    group's anchor, then a fixed number of force steps (springs along the lines, repulsion between near
    nodes, a pull back to the anchor) spreads them out. No randomness: same input, same map. Units: the
    ring has radius 1, y grows downwards."""
    nodes, edges, _ = _graph(nodes, edges, ())
    ties = {n: 0 for n in nodes}
    for s, t in edges:
        ties[s], ties[t] = ties[s] + 1, ties[t] + 1
    group = {n: str(groups.get(n, "")) for n in nodes}
    order = sorted(nodes, key=lambda n: (group[n], -ties[n], n))
    anchor = _anchors(sorted(set(group.values()) - {centre}), edges, group, centre)
    index = {n: i for i, n in enumerate(order)}
    home = np.array([anchor[group[n]] for n in order])
    places, seen = [], {}
    for n in order:  # a node's place among the nodes of its group before it
        places.append(seen.get(group[n], 0))
        seen[group[n]] = places[-1] + 1
    within = np.array(places)
    turn = np.pi * (3 - np.sqrt(5)) * within
    pos = home + 0.12 * np.sqrt(within)[:, None] * np.column_stack([np.cos(turn), np.sin(turn)])
    ends = np.array(sorted({tuple(sorted((index[s], index[t]))) for s, t in edges}), dtype=int).reshape(-1, 2)
    extra = np.array([float((room or {}).get(n, 0.0)) for n in order])
    wide_pairs = _wide_pairs(extra) if len(order) > DENSE_UP_TO else None
    for step in range(steps):
        force = _repulsion(pos, spacing, extra, wide_pairs)
        d = pos[ends[:, 0]] - pos[ends[:, 1]]
        pull = d * np.sqrt((d ** 2).sum(-1))[:, None] / spacing
        np.add.at(force, ends[:, 0], -pull)
        np.add.at(force, ends[:, 1], pull)
        force += 0.6 * (home - pos)
        length = np.sqrt((force ** 2).sum(-1))[:, None] + 1e-12
        pos += force / length * np.minimum(length, 0.05 * (1 - step / steps) + 0.002)
    return {n: (round(float(pos[index[n], 0]), 4), round(float(pos[index[n], 1]), 4)) for n in nodes}


DENSE_UP_TO = 200  # nodes: beyond, repulsion pairs come from a grid instead of every pair (same pairs)


def _repulsion(pos: np.ndarray, spacing: float, extra: np.ndarray, wide_pairs=None) -> np.ndarray:
    """Each node pushed away from the nodes near it: a pair at distance d is pushed apart by apart²/d
    (``apart``, the distance the pair is pushed towards, grows with the room its labels need), only while
    d < 3·apart, so that groups stay compact. Every pair is looked at for a small map. A large one has few
    nodes with room for a label ("wide") among many without: pairs of two others come from a grid as wide as
    their reach (3·spacing); the wide nodes' pairs with each other are fixed; a wide node's pairs with the
    others come from a grid as wide as its own reach (wide nodes grouped by it). The same pairs, in time
    that grows with the nodes, not their square."""
    if len(pos) <= DENSE_UP_TO:
        apart = spacing * (1 + extra[:, None] + extra[None, :])
        delta = pos[:, None, :] - pos[None, :, :]
        dist2 = (delta ** 2).sum(-1) + np.eye(len(pos))
        near = dist2 < (3 * apart) ** 2
        return (near[:, :, None] * (apart ** 2)[:, :, None] * delta / dist2[:, :, None]).sum(1)
    n = len(pos)
    wide, narrow = np.flatnonzero(extra > 0), np.flatnonzero(extra <= 0)
    first, second = _pairs_within(pos[narrow], 3 * spacing)  # no room for a label: apart is at most spacing
    pairs = [(narrow[first], narrow[second])]
    if len(wide):
        pairs.append(_wide_pairs(extra) if wide_pairs is None else wide_pairs)
        reach = np.ceil(extra[wide] * REACH_STEPS) / REACH_STEPS  # wide nodes grouped by their reach
        for group in np.unique(reach):
            centres = wide[reach == group]
            a, b = _pairs_across(pos[centres], pos[narrow], 3 * spacing * (1 + group))
            pairs.append((centres[a], narrow[b]))
    first, second = np.concatenate([f for f, _ in pairs]), np.concatenate([s for _, s in pairs])
    delta = pos[first] - pos[second]
    dist2 = (delta ** 2).sum(-1)
    apart2 = (spacing * (1 + extra[first] + extra[second])) ** 2
    near = np.flatnonzero(dist2 < 9 * apart2)  # the grids give every pair in reach, and some beyond
    first, second = first[near], second[near]
    push = (apart2[near] / dist2[near])[:, None] * delta[near]
    # each node's pushes summed (bincount: np.add.at is many times slower)
    return np.column_stack([np.bincount(first, push[:, k], n) - np.bincount(second, push[:, k], n) for k in (0, 1)])


REACH_STEPS = 4  # wide nodes are grouped by their label room rounded up to a quarter


def _wide_pairs(extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of two nodes with room for a label, once: the same for every step of a layout."""
    wide = np.flatnonzero(extra > 0)
    a, b = np.triu_indices(len(wide), 1)
    return wide[a], wide[b]


def _cell(pos: np.ndarray, reach: float, origin: np.ndarray) -> np.ndarray:
    """Each point's grid cell (column, row), cells ``reach`` wide, counted from 1 past ``origin`` so that a
    neighbour's column or row is never negative."""
    return np.floor((pos - origin) / reach).astype(np.int64) + 1


def _grid(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points sorted by cell: their order, and each occupied cell's key, first place in that order, count."""
    order = np.argsort(keys, kind="stable")
    cells, starts, counts = np.unique(keys[order], return_index=True, return_counts=True)
    return order, cells, starts, counts


def _ragged_pairs(grid, wanted: np.ndarray, at: np.ndarray, many: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each group of query points (``many`` of them from place ``at`` of their own order) and the cell
    of key ``wanted`` when ``grid`` has it, every pair of a query point's place with a point of that cell."""
    order, cells, starts, counts = grid
    found = np.searchsorted(cells, wanted).clip(max=len(cells) - 1)
    here = np.flatnonzero(cells[found] == wanted)
    there = found[here]
    sizes = many[here] * counts[there]
    k = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # k-th pair of its two cells
    width = np.repeat(counts[there], sizes)
    return np.repeat(at[here], sizes) + k // width, order[np.repeat(starts[there], sizes) + k % width]


def _pairs_within(pos: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i ≠ j and each pair once, of the points in the same or neighbouring grid cells of
    width ``reach``: every pair closer than ``reach`` is among them. In arrays, not a loop over cells: a
    map's layout asks for them on every one of its steps."""
    if len(pos) < 2:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    cell = _cell(pos, reach, pos.min(0))
    rows = int(cell[:, 1].max()) + 2
    grid = _grid(cell[:, 0] * rows + cell[:, 1])
    order, cells, starts, counts = grid
    first, second = [], []
    for dx, dy in ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1)):  # each neighbouring pair of cells once
        a, b = _ragged_pairs(grid, cells + dx * rows + dy, starts, counts)
        a = order[a]
        if (dx, dy) == (0, 0):
            a, b = a[a < b], b[a < b]
        first.append(a)
        second.append(b)
    return np.concatenate(first), np.concatenate(second)


def _pairs_across(centres: np.ndarray, others: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i into ``centres``, j into ``others``) of the points in the same or neighbouring grid
    cells of width ``reach``: every pair closer than ``reach`` is among them."""
    if not len(centres) or not len(others):
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    origin = np.minimum(centres.min(0), others.min(0))
    at, around = _cell(centres, reach, origin), _cell(others, reach, origin)
    rows = int(max(at[:, 1].max(), around[:, 1].max())) + 2
    grid = _grid(around[:, 0] * rows + around[:, 1])
    order, cells, starts, counts = _grid(at[:, 0] * rows + at[:, 1])
    first, second = [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            a, b = _ragged_pairs(grid, cells + dx * rows + dy, starts, counts)
            first.append(order[a])
            second.append(b)
    return np.concatenate(first), np.concatenate(second)


def _anchors(ring: list[str], edges, group: Mapping[str, str], centre: str | None) -> dict[str, Point]:
    """The centre group at (0, 0); the others round a circle from the top, clockwise, in the order (of
    all orders starting with the first group) with the fewest lines between groups that are not neighbours."""
    between = {}
    for s, t in edges:
        pair = tuple(sorted((group[s], group[t])))
        between[pair] = between.get(pair, 0) + 1

    def cost(order) -> float:
        # lines between two groups weighted by how far apart they sit on the ring
        at = {g: i for i, g in enumerate(order)}
        n = len(order)
        return sum(w * min(abs(at[a] - at[b]), n - abs(at[a] - at[b])) for (a, b), w in between.items()
                   if a in at and b in at)

    best = list(ring[:1]) + list(min(permutations(ring[1:]), key=lambda rest: cost(ring[:1] + list(rest)),
                                     default=()))
    anchors = {g: (float(np.sin(2 * np.pi * i / len(best))), float(-np.cos(2 * np.pi * i / len(best))))
               for i, g in enumerate(best)}
    return anchors | ({centre: (0.0, 0.0)} if centre is not None else {})


# --- labels -------------------------------------------------------------------------------------------

SIDES = {  # which side of its node a label tries first, by the ``order`` of :func:`around`
    "vertical": ("above", "below", "right", "left"), "horizontal": ("right", "left", "above", "below"),
    "left": ("left", "above", "below", "right"), "right": ("right", "above", "below", "left"),
    "above": ("above", "right", "left", "below"), "below": ("below", "right", "left", "above"),
}


def around(point: Point, radius: float, size: Point, gap: float = 3, order: str = "vertical",
           rings: Sequence[float] = (0, 10, 24)) -> list[Box]:
    """Candidate boxes for a label of ``size`` (width, height) next to a node of ``radius`` at ``point``:
    the four sides in the ``order`` of :data:`SIDES` ("vertical": above, below, right, left; "left": the
    left side first, for a node on the left edge of a drawing, …), then the four diagonals, then each side
    slid half the label's length either way (so that it can dodge a line leaving the node); then the same
    again further out, ``rings`` px beyond the first."""
    (x, y), (w, h) = point, size
    boxes = []
    for d in (radius + gap + ring for ring in rings):
        sides = {"above": (x - w / 2, y - d - h), "below": (x - w / 2, y + d), "right": (x + d, y - h / 2),
                 "left": (x - d - w, y - h / 2)}
        diagonal = max(d * 0.72, radius + gap / 2)  # a corner that clears the node
        boxes += [(sides[s][0], sides[s][1], sides[s][0] + w, sides[s][1] + h) for s in SIDES[order]]
        boxes += [(x + sx * diagonal - (w if sx < 0 else 0), y + sy * diagonal - (h if sy < 0 else 0),
                   x + sx * diagonal + (0 if sx < 0 else w), y + sy * diagonal + (0 if sy < 0 else h))
                  for sy in (-1, 1) for sx in (1, -1)]
        for s in SIDES[order]:
            left, top = sides[s]
            moves = ((w / 2 - 2, 0), (2 - w / 2, 0)) if s in ("above", "below") else ((0, h / 2 - 2), (0, 2 - h / 2))
            boxes += [(left + dx, top + dy, left + dx + w, top + dy + h) for dx, dy in moves]
    return boxes


def along(path: Sequence[Point], size: Point,
          fractions: Sequence[float] = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)) -> list[Box]:
    """Candidate boxes of ``size`` centred on points of a line, at these fractions of its length (the
    middle first), then the same points with the box just above and just below the line."""
    lengths = [math.dist(a, b) for a, b in pairwise(path)]
    total = sum(lengths) or 1.0
    centres = []
    for f in fractions:
        left, i = f * total, 0
        while i < len(lengths) - 1 and left > lengths[i]:
            left, i = left - lengths[i], i + 1
        (ax, ay), (bx, by) = path[i], path[i + 1]
        k = left / (lengths[i] or 1.0)
        centres.append((ax + k * (bx - ax), ay + k * (by - ay)))
    w, h = size
    return [(cx - w / 2, cy - h / 2 + dy, cx + w / 2, cy + h / 2 + dy)
            for dy in (0, -(h / 2 + 3), h / 2 + 3) for cx, cy in centres]


# --- spatial indexes: what may meet a box, looked up in the grid cells it covers ---------------------------

CELL = 32.0  # px: a grid cell, about one label wide


def _cells(box: Box):
    x0, y0, x1, y1 = (math.floor(v / CELL) for v in box)
    return ((i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1))


class Boxes:
    """Boxes placed so far, by the cells they cover: whether a new box overlaps one is a look-up."""

    def __init__(self, boxes: Iterable[Box] = ()):
        self.cells: dict[tuple[int, int], list[Box]] = {}
        for box in boxes:
            self.add(box)

    def add(self, box: Box) -> None:
        for cell in _cells(box):
            self.cells.setdefault(cell, []).append(box)

    def overlap(self, box: Box) -> bool:
        return any(_overlap(box, other) for cell in _cells(box) for other in self.cells.get(cell, ()))


class Lines(dict):
    """Lines (key -> segments) and each segment by the cells its bounding box covers: a segment that crosses
    a box shares a cell with it, so only those are tested."""

    def __init__(self, lines: Mapping[Hashable, Sequence[Segment]]):
        super().__init__(lines)
        self.cells: dict[tuple[int, int], list[tuple]] = {}
        for key, segments in self.items():
            for (x0, y0), (x1, y1) in segments:
                entry = (key, ((x0, y0), (x1, y1)))
                for cell in _cells((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))):
                    self.cells.setdefault(cell, []).append(entry)

    def near(self, box: Box) -> Iterable[tuple]:
        """(key, segment) of each segment sharing a cell with ``box``, once each."""
        return {id(e): e for cell in _cells(box) for e in self.cells.get(cell, ())}.values()


class Points(dict):
    """Anchors (key -> point), by cell: the points within a distance of a box are looked up."""

    def __init__(self, points: Mapping[Hashable, Point]):
        super().__init__(points)
        self.cells: dict[tuple[int, int], list[tuple]] = {}
        for key, (x, y) in self.items():
            self.cells.setdefault(next(_cells((x, y, x, y))), []).append((key, (x, y)))

    def near(self, box: Box, reach: float) -> Iterable[tuple]:
        """(key, point) of each point within ``reach`` of ``box`` (and some a little further)."""
        wide = (box[0] - reach, box[1] - reach, box[2] + reach, box[3] + reach)
        return [e for cell in _cells(wide) for e in self.cells.get(cell, ())]


def place_labels(candidates: Mapping[Hashable, Sequence[Box]], obstacles: Iterable[Box] | Boxes = (), *,
                 lines: Mapping[Hashable, Sequence[Segment]] | None = None,
                 anchors: Mapping[Hashable, Point] | None = None, frame: Box | None = None,
                 reach: float = 0, clear: bool = False) -> dict[Hashable, Box | None]:
    """Greedy placement, in the order of ``candidates`` (most important first). A candidate box is free when
    it lies inside ``frame``, overlaps no obstacle and no label already placed, and, for a label with an
    anchor (its node), lies nearer it than any other anchor (:func:`nearest`), so that it reads as that
    node's name and no other's, however close it is to its own; with ``clear``, it also crosses no line
    but its own (same key), so that it cannot be read as another line's.
    Of the free ones a label takes the box that crosses the fewest ``lines`` (its own lines, under the same
    key, do not count) plus ``reach`` for each place it is down its list of candidates (0: a crossing
    weighs more than any distance), the earlier candidate on a tie; with none free it gets None, and the
    caller keeps it in the tooltip. ``obstacles`` given as :class:`Boxes` take each box placed (a caller
    placing labels one by one keeps one index); ``lines`` and ``anchors`` given as :class:`Lines` and
    :class:`Points` are looked up near each box instead of scanned whole: the same answer, in time that
    grows with the labels, not with their square."""
    taken = obstacles if isinstance(obstacles, Boxes) else Boxes(obstacles)
    segments = lines if isinstance(lines, Lines) else Lines(lines or {})
    anchors = anchors or {}
    placed: dict[Hashable, Box | None] = {}
    for key, boxes in candidates.items():
        free = [b for b in boxes if (frame is None or _inside(b, frame)) and not taken.overlap(b)
                and nearest(b, key, anchors)
                and not (clear and any(k != key and crosses(b, s) for k, s in segments.near(b)))]
        if not free:
            placed[key] = None
            continue
        best = min(free, key=lambda b: (sum(1 for k, s in segments.near(b) if k != key and crosses(b, s))
                                        + reach * boxes.index(b), boxes.index(b)))
        placed[key] = best
        taken.add(best)
    return placed


def nearest(box: Box, key: Hashable, anchors: Mapping[Hashable, Point]) -> bool:
    """Whether a label's box lies nearer its own anchor (``anchors[key]``) than any other point of
    ``anchors`` (one at the same place, a node's name and its number, excepted): true without an anchor."""
    if key not in anchors:
        return True
    own = distance(box, anchors[key])
    others = anchors.near(box, own) if isinstance(anchors, Points) else anchors.items()
    return all(distance(box, p) > own for k, p in others if k != key and p != anchors[key])


def distance(box: Box, point: Point) -> float:
    """From a point to the nearest point of a box (0 inside it)."""
    x, y = point
    return math.hypot(max(box[0] - x, 0, x - box[2]), max(box[1] - y, 0, y - box[3]))


def overlaps(boxes: Mapping[Hashable, Box] | Sequence[Box], others: Mapping | Sequence | None = None) -> list:
    """Pairs of keys (or indexes) of boxes that overlap: among ``boxes``, or between ``boxes`` and ``others``."""
    items = list(boxes.items()) if isinstance(boxes, Mapping) else list(enumerate(boxes))
    if others is None:
        return [(a, b) for i, (a, p) in enumerate(items) for b, q in items[i + 1:] if _overlap(p, q)]
    rest = list(others.items()) if isinstance(others, Mapping) else list(enumerate(others))
    return [(a, b) for a, p in items for b, q in rest if _overlap(p, q)]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(box: Box, frame: Box) -> bool:
    return box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]


def crosses(box: Box, segment: Segment) -> bool:
    """Whether a line segment passes through a box (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def crossings(boxes: Mapping[Hashable, Box | None], lines: Mapping[Hashable, Sequence[Segment]]) -> list[tuple]:
    """(label key, line key) for each label box that a line other than its own (same key) passes through."""
    index = lines if isinstance(lines, Lines) else Lines(lines)
    order = {key: n for n, key in enumerate(lines)}
    found = []
    for k, box in boxes.items():
        if box is not None:
            crossing = {key for key, s in index.near(box) if key != k and crosses(box, s)}
            found += [(k, key) for key in sorted(crossing, key=order.get)]  # in the lines' order
    return found


def wrap_px(text: str, px: float, size: float = 11, bold: bool = False) -> list[str]:
    """Lines of at most ``px`` pixels in the charts' font, broken at spaces only (a word wider than ``px``
    stands alone on its line, whole): joined by spaces they give back the text."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= px:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines

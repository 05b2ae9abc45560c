"""The network figure and its layout, on the rows the book's six diagrams draw."""

import json
import math
import random
import re
from collections import Counter
from functools import cache

import pandas as pd
import pytest
import vl_convert
from IPython.display import Markdown

from surveillance_book import charts
from surveillance_book.chapter import Chapter, row_ids
from surveillance_book.figures import Figure
from surveillance_book.figures import layout as lay
from surveillance_book.figures.network import DASH, NODE_SIZE, NUMBER_FONT, NUMBER_MARGIN, network
from surveillance_book.paths import DATA_DIR
from surveillance_book.text import number

HIGHLIGHTS = {"overview": "palantir", "databases": "northrop-grumman", "case_management": "palantir",
              "biometrics": "nec", "data_brokers": "thomson-reuters"}


def _ends(r: pd.DataFrame):
    return r.subject_org_id.fillna(r.subject_system_id), r.object_org_id.fillna(r.object_system_id)


def _overview(r):
    return r[~r.relation.isin(["subsidiary of", "became"])], {
        "name": "network", "title": "Who is tied to what", "layout": "clusters", "owners": True,
        "edge_labels": "hedged", "label_min_ties": 5, "names": {"state-local-le": "Local and state police"},
        "most": 90}


def _databases(r):
    s, o = _ends(r)
    chain = ["state-local-le", "ngi", "ident", "ice"]
    steps = pd.Series(list(zip(s, o, strict=True)), index=r.index).isin(list(zip(chain, chain[1:], strict=False)))
    drawn = [*chain, "abis"]
    return r[(r.relation.eq("feeds data to") & steps)
             | (r.relation.eq("interoperable with") & s.isin(drawn) & o.isin(drawn))], {
        "name": "flow", "title": "How a local booking reaches ICE"}


def _icm(r):
    s, o = _ends(r)
    around = ["tecs-mod", "palantir", "tecs", "icm", "falcon-sa", "sevis", "clear", "falcon"]
    return r[s.isin(around) & o.isin(around)], {"name": "icm-links", "title": "ICM and the systems around it"}


def _leiss(r):
    platforms = r[(r.subject_system_id == "leiss") & (r.relation == "queries")]
    made = r.object_system_id.isin(platforms.object_system_id) & r.relation.isin(["builds", "operates", "uses"])
    return r[((r.object_system_id == "leiss") & (r.relation == "operates")) | r.index.isin(platforms.index) | made], {
        "name": "leiss", "title": "Local police platforms ICE searches through LEISS",
        "names": {"state-local-le": "Local and state police"}}


def _tvs(r):
    tvs = ["tvs", "tvs-gallery", "tvs-capture-devices", "biometric-entry-exit"]
    relations = ["participates in", "operates", "feeds data to", "queries", "maintains", "builds",
                 "supplies algorithm to", "hosts"]
    return r[(r.subject_system_id.isin(tvs) | r.object_system_id.isin(tvs)) & r.relation.isin(relations)], {
        "name": "tvs", "title": "Who runs, builds and feeds TVS", "direction": "down",
        "relations": {"participates in": "takes part in", "operates": "runs", "feeds data to": "feeds",
                      "queries": "searches", "supplies algorithm to": "matching algorithm for"},
        "names": {"tvs-capture-devices": "Front-end capture devices", "tvs-gallery": "TVS photo gallery"}}


def _plates(r):
    s, o = _ends(r)
    plates = ["vigilant", "vigilant-lpr", "tr-lpr", "thomson-reuters", "repo-towing", "state-local-le",
              "california-le"]
    return r[(r.section == "data_brokers") & (s.isin(plates) | o.isin(plates))
             & r.relation.isin(["uses", "contracts through", "feeds data to", "provides access to"])], {
        "name": "plates", "title": "How license-plate data reaches ICE", "owners": True, "spacing": 80, "wrap": 14,
        "width": 440,
        "reverse": {"uses": "used by", "contracts through": "supplies under contract"},
        "names": {"state-local-le": "Local and state law enforcement", "california-le": "California law enforcement",
                  "repo-towing": "Repossession and towing firms", "vigilant-lpr": "Vigilant plate database",
                  "tr-lpr": "Thomson Reuters plate data"}}


DIAGRAMS = {"overview-network": ("overview", _overview), "databases-flow": ("databases", _databases),
            "case-management-icm-links": ("case_management", _icm),
            "case-management-leiss": ("case_management", _leiss), "biometrics-tvs": ("biometrics", _tvs),
            "data-brokers-plates": ("data_brokers", _plates)}
SMALL = [k for k in DIAGRAMS if k != "overview-network"]


def book(section: str, as_of: str = "2019-01-31", highlight: str | None = "default") -> Chapter:
    return Chapter(section, as_of=as_of, highlight=HIGHLIGHTS[section] if highlight == "default" else highlight,
                   data_dir=DATA_DIR)


def rows_of(key: str, chapter: Chapter):
    return DIAGRAMS[key][1](chapter.relationships)


@cache
def drawn(key: str, highlight: str | None = "default") -> tuple[Chapter, pd.DataFrame, dict, Figure]:
    chapter = book(DIAGRAMS[key][0], highlight=highlight)
    rows, choices = rows_of(key, chapter)
    return chapter, rows, choices, network(rows, chapter, **choices)


def layers(spec: dict) -> list[dict]:
    return [layer for layer in spec.get("layer", [spec]) if "mark" in layer]


def data(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def mark(layer: dict) -> str:
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def nodes_of(spec: dict) -> list[dict]:
    return next(data(spec, layer) for layer in layers(spec) if mark(layer) == "point" and "shape" in layer["encoding"])


def lines_of(spec: dict) -> list[dict]:
    return next(data(spec, layer) for layer in layers(spec) if mark(layer) == "line")


def edges_of(spec: dict) -> list[dict]:
    return list({d["edge"]: d for d in lines_of(spec)}.values())


# --- the contract ------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", DIAGRAMS)
def test_a_figure_named_after_its_section_with_rows_and_sources(key):
    chapter, rows, choices, fig = drawn(key)
    assert isinstance(fig, Figure)
    assert fig.name == key
    assert fig.rows.attrs["table"] == "relationships" and len(fig.rows) == len(rows)
    subtitle = charts.source_line(fig.spec)
    assert " ".join([subtitle] if isinstance(subtitle, str) else subtitle) == f"Source: {chapter.source_line(rows)}"
    assert 360 <= fig.spec["width"] <= 450 and fig.spec["width"] > (0.55 if key == "overview-network" else 0.6) * \
        fig.spec["height"]  # the map of everything has its lists of numbers and letters under it


@pytest.mark.parametrize("key", DIAGRAMS)
def test_every_mark_has_a_tooltip_with_its_row(key):
    spec = drawn(key)[3].spec
    for layer in layers(spec):
        tips = layer["encoding"]["tooltip"]
        assert any(t["title"] == "Row" for t in tips), layer["mark"]
        row_field = next(t["field"] for t in tips if t["title"] == "Row")
        assert all(d[row_field] for d in data(spec, layer))


@pytest.mark.parametrize("key", DIAGRAMS)
def test_the_description_names_every_row_with_its_hedge(key):
    chapter, rows, choices, fig = drawn(key)
    names = choices.get("names", {})
    clauses = fig.output.description.split(": ", 1)[1].split(". Marked as highlighted")[0].rstrip(".").split("; ")
    for subject, obj, relation, hedge in zip(*_ends(rows), rows.relation.astype(str), rows.hedge, strict=True):
        said = relation + (f" ({hedge})" if pd.notna(hedge) else "")
        s_name, o_name = names.get(subject, chapter.name(subject)), names.get(obj, chapter.name(obj))
        assert any(c.startswith(s_name + " ") and c.endswith(" " + o_name) and said in c for c in clauses), said


def test_highlight_is_drawn_and_an_unknown_id_highlights_nothing():
    key = "case-management-icm-links"
    marked, plain_one = drawn(key)[3].spec, drawn(key, None)[3].spec
    assert marked != plain_one
    outlined = [d for d in nodes_of(marked) if d["hl"] == "palantir"]
    assert {d["id"] for d in outlined} >= {"palantir", "icm", "falcon-sa"}  # Palantir and what it builds
    assert all(d["hl"] == "other" for d in nodes_of(plain_one))
    symbols = next(layer for layer in layers(marked) if "shape" in layer["encoding"])
    assert symbols["encoding"]["strokeWidth"]["condition"]["value"] > symbols["encoding"]["strokeWidth"]["value"]
    bold = [layer for layer in layers(marked) if mark(layer) == "text" and layer["mark"].get("fontWeight") == "bold"]
    assert {d["id"] for layer in bold for d in data(marked, layer)} == {d["id"] for d in outlined}  # greyscale too
    chapter, _, _, fig = drawn("databases-flow")  # Northrop Grumman has no tie in the booking flow
    assert chapter.highlight == "northrop-grumman"
    assert all(d["hl"] == "other" for d in nodes_of(fig.spec) + lines_of(fig.spec))


@pytest.mark.parametrize("key", DIAGRAMS)
def test_nothing_known_before_the_sources(key):
    chapter = book(DIAGRAMS[key][0], as_of="1900-01-01")
    rows, choices = rows_of(key, chapter)
    assert rows.empty
    note = network(rows, chapter, **choices)
    assert isinstance(note, Markdown) and "Nothing in the data" in note.data
    assert note.nodes.empty and note.lines.empty and not note.nodes.drawn.any()  # a chapter can still count them


def test_the_same_rows_give_the_same_spec_in_any_order():
    chapter, rows, choices, fig = drawn("databases-flow")
    again = network(rows, chapter, **choices)
    assert json.dumps(again.spec, sort_keys=True) == json.dumps(fig.spec, sort_keys=True)
    shuffled = network(rows.sample(frac=1, random_state=3), chapter, **choices)
    position = {d["id"]: (d["px"], d["py"]) for d in nodes_of(fig.spec)}
    assert {d["id"]: (d["px"], d["py"]) for d in nodes_of(shuffled.spec)} == position


# --- what a network diagram must show ------------------------------------------------------------------

def _lines_by_hand(chapter: Chapter, rows: pd.DataFrame) -> tuple[set, Counter]:
    """The map's lines counted apart from the figure code: one per subject and object (and per owner named in
    data/systems.csv for a system the rows tie), and each node's number of them."""
    s, o = _ends(rows)
    pairs = set(zip(s, o, strict=True))
    systems = chapter.systems[chapter.systems.owner_id.notna()]
    pairs |= {(w, i) for w, i in zip(systems.owner_id, systems.system_id, strict=True) if i in set(s) | set(o)}
    return pairs, Counter(n for a, b in pairs for n in ({a, b}))


def test_a_capped_map_draws_the_busiest_nodes_and_the_highlights_and_counts_every_line():
    chapter, rows, choices, full = drawn("overview-network")
    pairs, per_node = _lines_by_hand(chapter, rows)
    assert full.nodes.drawn.all() and full.lines.drawn.all() and len(full.lines) == len(pairs)
    assert dict(zip(full.nodes.id, full.nodes.ties, strict=True)) == per_node
    ranked = sorted(per_node, key=lambda n: (-per_node[n], n))
    assert list(full.nodes.id) == ranked  # busiest first, ties broken by id

    most = 20
    fig = network(rows, chapter, **choices | {"most": most})
    own = {n for n in per_node if chapter.is_highlighted(n)}
    kept = set(fig.nodes.id[fig.nodes.drawn])
    others = kept - own
    assert own <= kept and len(others) == most  # the highlight's own, and as many more as the cap allows
    assert not own <= set(ranked[:most])  # Palantir's own nodes are not all among the busiest: the test covers them
    drawn_pairs = {(a, b) for a, b in pairs if a in kept and b in kept}
    assert {n for pair in drawn_pairs for n in pair} == kept  # every node drawn has a line
    # round the busiest: the busiest node and all its lines, and no line left out that could have come before
    busiest = ranked[0]
    assert all(a in kept and b in kept for a, b in pairs if busiest in (a, b))
    rank = {n: i for i, n in enumerate(ranked)}
    last = max((sorted((rank[a], rank[b])) for a, b in drawn_pairs if {a, b} - own), default=None)
    for a, b in pairs - drawn_pairs:
        if sorted((rank[a], rank[b])) < last:  # taken before the last line that was: its new ends did not fit
            assert len(others | ({a, b} - own)) > most
    on_map = {d["id"] for d in nodes_of(fig.spec)}
    assert on_map == kept
    assert {tuple(e.split(" > ")) for e in (d["edge"] for d in lines_of(fig.spec))} == drawn_pairs
    assert set(zip(fig.lines.source[fig.lines.drawn], fig.lines.target[fig.lines.drawn], strict=True)) == drawn_pairs
    assert len(fig.lines) == len(pairs) and len(fig.nodes) == len(per_node)
    assert {d["id"]: d["ties"] for d in nodes_of(fig.spec)} == {n: per_node[n] for n in on_map}  # all its lines
    s, o = _ends(fig.rows)
    assert set(fig.rows.index) == set(rows.index[_ends(rows)[0].isin(kept) & _ends(rows)[1].isin(kept)])
    assert s.isin(kept).all() and o.isin(kept).all()
    assert f"those with the most lines of the {len(per_node)} the rows tie" in fig.output.description
    assert "those with the most lines" not in full.output.description
    # the words a chapter prints about it: the same whether it draws everything or not
    assert full.extent("all", " (see the table)") == "all"
    on, of = number(len(kept)), number(len(per_node))
    assert fig.extent("all", " (see the table)") == (
        f"the ties around the busiest nodes and the highlight, {on} of the {of} nodes these ties join (see the table)")
    nothing = network(rows.iloc[:0], chapter, **choices | {"most": most})
    assert nothing.extent("all") == "all"
    with pytest.raises(ValueError, match="most 2 or more"):
        network(rows, chapter, **choices | {"most": 1})


def test_a_capped_network_of_suppliers_draws_lines_not_lone_hubs():
    """Where the busiest nodes are not tied to each other (many suppliers of a few systems), the cap still
    draws that many nodes, each with a line: the suppliers of the busiest systems."""
    chapter = book("biometrics", highlight=None)
    a, b, c, d, e, f, g, h, i = ["accenture", "akira", "amazon", "booz-allen", "csc-gs", "csra", "delta", "dxc", "eds"]
    supplied = {"ident": [a, b, c, d], "ngi": [e, f, g], "hart": [h, i]}  # four, three and two suppliers
    template = chapter.relationships.iloc[0]
    rows = pd.DataFrame([template.to_dict() | {
        "relationship_id": f"{org}-{system}", "subject_org_id": org, "subject_system_id": None,
        "relation": "supplies algorithm to", "object_org_id": None, "object_system_id": system, "hedge": None}
        for system, orgs in supplied.items() for org in orgs])
    rows.attrs["table"] = "relationships"
    fig = network(rows, chapter, name="suppliers", title="Suppliers", most=7)
    # IDENT and its four, then NGI and the first of its three: a fifth supplier or HART and one would make eight
    assert set(fig.nodes.id[fig.nodes.drawn]) == {"ident", a, b, c, d, "ngi", e}
    assert set(zip(fig.lines.source[fig.lines.drawn], fig.lines.target[fig.lines.drawn], strict=True)) == {
        (a, "ident"), (b, "ident"), (c, "ident"), (d, "ident"), (e, "ngi")}


@pytest.mark.parametrize("key", DIAGRAMS)
def test_every_row_is_one_line_of_the_diagram(key):
    chapter, rows, choices, fig = drawn(key)
    on_lines = Counter(r for d in edges_of(fig.spec) for r in d["rows"].split(", ") if not r.endswith("(systems)"))
    assert on_lines == Counter(row_ids(rows))


def test_a_hedged_tie_is_dashed_and_says_its_hedge():
    spec = drawn("biometrics-tvs")[3].spec
    hosted = next(d for d in edges_of(spec) if d["rows"] == "amazon-hosts-tvs")
    assert hosted["line"] == "hedged by the source" and "(appears to)" in hosted["label"]
    dash = next(layer for layer in layers(spec) if mark(layer) == "line")["encoding"]["strokeDash"]
    styles = dict(zip(dash["scale"]["domain"], dash["scale"]["range"], strict=True))
    assert styles["hedged by the source"] == DASH and styles["stated"] == [1, 0]
    assert all(d["line"] == "stated" for d in edges_of(spec) if d["rows"] != "amazon-hosts-tvs")
    said = [d["text"].replace("\n", " ") for layer in layers(spec) if mark(layer) == "text"
            for d in data(spec, layer) if "text" in d]
    assert "hosts (appears to)" in said  # written on the line, not only in the tooltip


@pytest.mark.parametrize("key", DIAGRAMS)
def test_organizations_are_circles_and_systems_squares(key):
    chapter, rows, choices, fig = drawn(key)
    orgs = set(chapter.everything("organizations").org_id)
    systems = set(chapter.everything("systems").system_id)
    symbols = next(layer for layer in layers(fig.spec) if "shape" in layer["encoding"])
    shape = dict(zip(symbols["encoding"]["shape"]["scale"]["domain"], symbols["encoding"]["shape"]["scale"]["range"],
                     strict=True))
    for node in nodes_of(fig.spec):
        assert node["id"] in orgs | systems
        assert shape[node["kind"]] == ("circle" if node["id"] in orgs else "square")


def _label_boxes(spec: dict) -> dict:
    boxes = {}
    for layer in layers(spec):
        for d in data(spec, layer):
            field = layer["encoding"].get("text", {}).get("field", "")
            if mark(layer) == "text" and field == "number_text" and d.get("numbered"):
                boxes[("number", d["id"])] = (d["nbx"], d["nby"], d["nbx2"], d["nby2"])
            elif mark(layer) == "text" and d.get("placed"):
                key = ("node", d["id"]) if "label" in field else ("edge", d["edge"])
                boxes[key] = (d["bx"], d["by"], d["bx2"], d["by2"])
    return boxes


@pytest.mark.parametrize("key", DIAGRAMS)
def test_no_label_covers_another_label_or_a_node(key):
    chapter, rows, choices, fig = drawn(key)
    spec = fig.spec
    labels = _label_boxes(spec)
    half = NODE_SIZE[choices.get("layout", "layered")] ** 0.5 / 2
    nodes = {d["id"]: (d["px"] - half, d["py"] - half, d["px"] + half, d["py"] + half) for d in nodes_of(spec)}
    assert lay.overlaps(labels) == []
    assert lay.overlaps(labels, nodes) == []
    for d in nodes_of(spec):  # each label box holds its text, as wide as the renderer draws it
        if d["placed"]:
            font = 11 if choices.get("layout", "layered") == "layered" else 10
            width = max(lay.text_width(line, font, d["hl"] != "other") for line in d["label"].split("\n"))
            assert d["bx2"] - d["bx"] >= width - 0.01
        if d["numbered"]:  # a number's box holds it as drawn (bold) and clear space either side: two numbers
            # side by side never touch (review of the PDF: "8" beside "5" read "85")
            width = lay.text_width(d["number_text"], NUMBER_FONT, True)
            assert d["nbx2"] - d["nbx"] >= width + 2 * NUMBER_MARGIN - 0.01, d["id"]
    inside = all(0 <= b[0] and b[2] <= spec["width"] and 0 <= b[1] and b[3] <= spec["height"]
                 for b in labels.values())
    assert inside


@pytest.mark.parametrize("key", SMALL)
def test_every_node_and_relation_of_a_small_diagram_is_named_in_full(key):
    chapter, rows, choices, fig = drawn(key)
    spec = fig.spec
    assert "labelLimit" not in json.dumps(spec) and "…" not in json.dumps(spec)
    names = choices.get("names", {})
    for node in nodes_of(spec):
        assert node["placed"], node["id"]
        assert node["label"].replace("\n", " ") == names.get(node["id"], chapter.name(node["id"]))
    assert all(d["placed"] or d["lettered"] for d in edges_of(spec))  # its words on the line, or a letter


def test_the_text_width_estimate_is_never_narrower_than_the_renderer():
    # Measured in vl-convert, which draws the PNG the PDF shows, in the book's font.
    for text, bold in (("Thomson Reuters", False), ("Local, regional and state", False), ("Palantir Law", True),
                       ("WWW mmm iii", False), ("FALCON-SA", True)):
        spec = {"config": {"font": "Liberation Sans", "view": {"stroke": None}}, "width": 1, "height": 1,
                "padding": 0, "data": {"values": [{"t": text}]},
                "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold" if bold else "normal", "align": "left"},
                "encoding": {"text": {"field": "t"}, "x": {"value": 0}, "y": {"value": 0}}}
        rendered = vl_convert.vegalite_to_scenegraph(spec)["width"]
        assert rendered - 1 <= lay.text_width(text, 11, bold) <= rendered * 1.12, text


def test_undirected_ties_have_no_arrowhead_and_reversed_ones_follow_the_data():
    flow = drawn("databases-flow")[3].spec
    heads = next(data(flow, layer) for layer in layers(flow) if layer["mark"].get("shape") == "triangle-right")
    assert {d["rows"] for d in heads} == {"state-local-le-feeds-ngi", "ngi-feeds-ident", "ident-feeds-ice"}
    plates = drawn("data-brokers-plates")[3].spec
    used = next(d for d in edges_of(plates) if d["rows"] == "ice-uses-vigilant-lpr")
    assert (used["source"], used["target"], used["label"]) == ("vigilant-lpr", "ice", "used by")
    assert used["link"] == "ICE uses Vigilant plate database"  # the tooltip keeps the data's reading
    owner = next(d for d in edges_of(plates) if d["rows"] == "vigilant-lpr (systems)")
    assert (owner["source"], owner["target"], owner["label"]) == ("vigilant", "vigilant-lpr", "owns or runs")


def test_the_dense_map_names_the_highlight_and_its_neighbours():
    spec = drawn("overview-network")[3].spec
    nodes = {d["id"]: d for d in nodes_of(spec)}
    ties = {(d["source"], d["target"]) for d in edges_of(spec)}
    marked = {i for i, d in nodes.items() if d["hl"] == "palantir"}
    neighbours = {t for s, t in ties if s in marked} | {s for s, t in ties if t in marked}
    assert all(nodes[i]["placed"] for i in marked | neighbours)
    assert {"gost", "giant-oak"} <= set(nodes)  # owners from the systems table are on the map


def listing_of(spec: dict) -> list[dict]:
    """The list of numbered nodes under a drawing: its pieces of text, in order."""
    return [d for layer in layers(spec) if mark(layer) == "text" and "style" in (data(spec, layer) or [{}])[0]
            for d in data(spec, layer)]


@pytest.mark.parametrize("key", DIAGRAMS)
def test_every_node_is_named_or_numbered_to_the_list_under_the_drawing(key):
    chapter, rows, choices, fig = drawn(key)
    spec = fig.spec
    listing = listing_of(spec)
    for node in nodes_of(spec):
        if node["placed"]:
            assert node["number_text"] == "", node["id"]
            continue
        assert node["numbered"], node["id"]  # its number is on the drawing …
        number = [d for d in listing if d["style"] == "number" and d["text"] == node["number_text"]]
        assert [d["id"] for d in number] == [node["id"]]  # … and once in the list, with its name in full
        said = " ".join(d["text"] for d in listing if d["style"] == "name" and d["id"] == node["id"])
        assert said == node["short"]
    numbers = [int(d["text"]) for d in listing if d["style"] == "number"]
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(0 <= d["y"] and d["y"] + 10 <= spec["height"] for d in listing)  # inside the chart
    widths = [d["x"] + lay.text_width(d["text"], 9, d["style"] in ("number", "heading")) for d in listing]
    assert max(widths, default=0) <= spec["width"] + 0.01  # measured in the font: nothing runs off the edge


def test_the_map_of_everything_can_be_read_in_grey():
    # 88 nodes: the busiest are named, every other one numbered; each part has a paragraph of the list
    # that says where it lies and which nodes it holds, so colour is never the only sign of a part.
    chapter, rows, choices, fig = drawn("overview-network")
    spec = fig.spec
    nodes = nodes_of(spec)
    assert len(nodes) > 60 and all(d["placed"] or d["numbered"] for d in nodes)
    assert sum(d["numbered"] for d in nodes) > 30
    listing = listing_of(spec)
    headings = [d for d in listing if d["style"] == "heading"]
    parts = {d["part"] for d in nodes}
    assert {h["text"].split(" (")[0] for h in headings} == parts
    for heading in headings:
        members = {d["id"] for d in nodes if d["part"] == heading["text"].split(" (")[0]}
        assert set(heading["id"].split(", ")) == members
        assert re.search(r"\((middle|top|bottom|left|right|top left|top right|bottom left|bottom right)\)",
                         heading["text"])
    # still fits a page (the map and its lists; test_figures_print checks the size of its type in print)
    assert 360 <= spec["width"] <= 450 and spec["width"] > 0.55 * spec["height"]


KNOWN_CROSSINGS = {"biometrics-tvs": 1}  # "Front-end capture devices": no free side in a rank of four


@pytest.mark.parametrize("key", DIAGRAMS)
def test_no_line_runs_through_a_nodes_name_or_number(key):
    spec = drawn(key)[3].spec
    lines = {}
    for d in lines_of(spec):
        lines.setdefault(d["edge"], []).append((d["step"], (d["px"], d["py"])))
    segments = {("edge", e): list(zip([p for _, p in sorted(v)], [p for _, p in sorted(v)][1:], strict=False))
                for e, v in lines.items()}
    names = {k: b for k, b in _label_boxes(spec).items() if k[0] != "edge"}
    crossed = lay.crossings(names, segments)
    if key == "overview-network":  # a map of 150 lines in a page's width: not every number can be clear
        assert len({label for label, _ in crossed}) <= 0.5 * len(names)
    else:
        assert len(crossed) <= KNOWN_CROSSINGS.get(key, 0), crossed


def test_a_name_can_go_on_the_outer_side_first():
    # A node in the first rank of a drawing across tries left of itself first (no line goes there), one in
    # the last rank right; a drawing down tries above and below.
    for order, test in (("left", lambda b: b[2] <= 92), ("right", lambda b: b[0] >= 108),
                        ("above", lambda b: b[3] <= 92), ("below", lambda b: b[1] >= 108)):
        assert test(lay.around((100, 100), 8, (40, 12), order=order)[0]), order


def test_layout_helpers_for_crossings_and_wrapping_by_width():
    assert lay.crossings({"a": (0, 0, 10, 10), "b": (20, 20, 30, 30), "c": None},
                         {"x": [((-5, 5), (50, 5))], "a": [((0, 0), (10, 10))]}) == [("a", "x")]
    lines = lay.wrap_px("Vigilant Solutions commercial license-plate reader database", 120, 9)
    assert " ".join(lines) == "Vigilant Solutions commercial license-plate reader database"
    assert all(lay.text_width(line, 9) <= 120 for line in lines) and len(lines) > 1


# --- the layout on its own -----------------------------------------------------------------------------

def _graph(key: str):
    edges = [(d["source"], d["target"], d["directed"]) for d in edges_of(drawn(key)[3].spec)]
    return ([(s, t) for s, t, directed in edges if directed], [(s, t) for s, t, directed in edges if not directed],
            sorted({n for s, t, _ in edges for n in (s, t)}))


@pytest.mark.parametrize("key", SMALL)
def test_the_layered_layout_is_deterministic_in_any_input_order(key):
    edges, links, nodes = _graph(key)
    first = lay.layered(nodes, edges, None, links)
    assert lay.layered(nodes, edges, None, links) == first
    shuffle = random.Random(7)
    for _ in range(3):
        n, e, k = nodes[:], edges[:], links[:]
        for items in (n, e, k):
            shuffle.shuffle(items)
        assert lay.layered(n, e, None, k) == first
        assert lay.routes(n, e, None, k) == lay.routes(nodes, edges, None, links)


def test_the_cluster_layout_is_deterministic_in_any_input_order():
    edges, _, nodes = _graph("overview-network")
    groups = {n: str(i % 3) for i, n in enumerate(nodes)}
    first = lay.clustered(nodes, edges, groups, centre="0", steps=60)
    shuffled = random.Random(1).sample(edges, len(edges))
    assert lay.clustered(list(reversed(nodes)), shuffled, dict(reversed(groups.items())), centre="0",
                         steps=60) == first


def test_ranks_follow_the_arrows_and_keep_the_chapters_ranks():
    edges, links, nodes = _graph("data-brokers-plates")
    rank = lay.ranks(nodes, edges, None, links)
    assert all(rank[s] < rank[t] for s, t in edges)
    given = lay.ranks(nodes, edges, {"ice": 9, "vigilant": 0}, links)
    assert given["ice"] - given["vigilant"] == 9  # kept, up to a shift of all ranks
    cycle = lay.ranks("abc", [("a", "b"), ("b", "c"), ("c", "a")])
    assert sorted(cycle.values()) == [0, 1, 2]  # a cycle is broken, not looped over


def test_barycentre_ordering_untangles_crossed_ties():
    # Sorted by name, a->z and b->y cross; the layout orders the second rank to remove the crossing.
    at = lay.layered(["a", "b", "y", "z"], [("a", "z"), ("b", "y")])
    assert (at["a"][1] < at["b"][1]) == (at["z"][1] < at["y"][1])
    long_tie = lay.routes("abcd", [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])[("a", "c")]
    assert len(long_tie) == 3  # a bend in the rank it crosses, clear of b


def test_label_placement_is_greedy_and_never_overlaps():
    node = (0, 0, 10, 10)
    first, second, third = (10, 0, 30, 10), (11, 0, 31, 10), (-30, 0, -10, 10)
    placed = lay.place_labels({"a": [first], "b": [second, third], "c": [second]}, [node])
    assert placed == {"a": first, "b": third, "c": None}
    assert lay.overlaps([first, third]) == []
    assert lay.overlaps([first, second, third]) == [(0, 1)]
    crossing = ((0, 5), (100, 5))
    clear = lay.place_labels({"a": [(20, 0, 30, 10), (20, 20, 30, 30)]}, lines={"x": [crossing]})
    assert clear["a"] == (20, 20, 30, 30)  # the candidate no line runs through
    assert lay.crosses((20, 0, 30, 10), crossing) and not lay.crosses((20, 20, 30, 30), crossing)


def test_wrapping_never_shortens_a_label():
    for text in ("Local, regional and state law enforcement agencies", "Front-end biometric capture devices for TVS",
                 "IDENT", "Oracle Government Cloud-Common Controls"):
        wrapped = lay.wrap(text, 16)
        assert wrapped.replace("\n", " ") == text
        assert all(len(line) <= max(16, max(len(w) for w in text.split())) for line in wrapped.split("\n"))
    assert re.fullmatch(r"[^\n]+\n[^\n]+", lay.wrap("matching algorithm for", 16))


def test_candidates_lie_round_the_node_and_along_the_line():
    boxes = lay.around((100, 100), 8, (40, 12))
    assert len(boxes) == 48 and all(lay.overlaps([b], [(92, 92, 108, 108)]) == [] for b in boxes)
    middle = lay.along([(0, 0), (100, 0)], (20, 10))[0]
    assert middle == (40, -5, 60, 5)
    assert math.isclose(sum(lay.text_box("ab\ncd")[1:]), 2 * 13)


def test_a_large_maps_repulsion_uses_the_same_pairs_as_a_small_ones():
    """Past DENSE_UP_TO nodes the pairs come from a grid: the forces are those of every pair."""
    import numpy as np

    rng = np.random.default_rng(1)
    pos, extra = rng.uniform(-3, 3, (600, 2)), np.where(rng.random(600) < 0.1, rng.random(600), 0.0)
    dense = lay._repulsion(pos, 0.25, extra)
    saved, lay.DENSE_UP_TO = lay.DENSE_UP_TO, 0
    try:
        grid = lay._repulsion(pos, 0.25, extra)
    finally:
        lay.DENSE_UP_TO = saved
    assert np.abs(dense).max() > 1 and np.allclose(dense, grid, rtol=1e-9, atol=1e-9)


def test_grid_pairs_hold_every_pair_in_reach_once():
    """The grids a large map's repulsion uses: every pair of points closer than the reach is among the pairs
    (each once, none with itself), within one set of points and between two."""
    import numpy as np

    rng = np.random.default_rng(3)

    def close(a_pos, b_pos, a, b, reach):
        return {(i, j) for i, j, d in zip(a.tolist(), b.tolist(), np.hypot(*(a_pos[a] - b_pos[b]).T).tolist(),
                                          strict=True) if d < reach}

    for n, reach in ((2, 1.0), (3, 5.0), (60, 0.5), (900, 0.3)):
        pos = rng.normal(0, 3, (n, 2))
        a, b = lay._pairs_within(pos, reach)
        assert (a != b).all() and len({(min(i, j), max(i, j)) for i, j in zip(a, b, strict=True)}) == len(a)
        every = np.triu_indices(n, 1)
        assert {(min(i, j), max(i, j)) for i, j in close(pos, pos, a, b, reach)} == close(pos, pos, *every, reach)
        centres, others = pos[: n // 3] + 0.1, pos[n // 3:]
        a, b = lay._pairs_across(centres, others, reach)
        every = [x.ravel() for x in np.meshgrid(np.arange(len(centres)), np.arange(len(others)), indexing="ij")]
        assert close(centres, others, a, b, reach) == close(centres, others, *every, reach)
        assert n < 900 or len(close(centres, others, a, b, reach)) > 100  # the largest set has pairs to find


def _segments(spec: dict) -> dict:
    lines = {}
    for d in lines_of(spec):
        lines.setdefault(d["edge"], []).append((d["step"], (d["px"], d["py"])))
    return {e: list(zip([p for _, p in sorted(v)], [p for _, p in sorted(v)][1:], strict=False))
            for e, v in lines.items()}


@pytest.mark.parametrize("key", DIAGRAMS)
def test_a_name_lies_nearer_its_own_node_than_any_other_or_has_a_leader(key):
    # Printed, a name is read as the nearest node's: "DHS" beside the State Department's circle named the
    # wrong node. A name or number nearer (or as near) another node is joined to its own by a leader.
    spec = drawn(key)[3].spec
    nodes = {d["id"]: d for d in nodes_of(spec)}
    at = {i: (d["px"], d["py"]) for i, d in nodes.items()}
    for (kind, i), box in _label_boxes(spec).items():
        if kind == "edge" or nodes[i]["has_leader"]:
            continue
        own = lay.distance(box, at[i])
        closer = [j for j, p in at.items() if j != i and lay.distance(box, p) <= own]
        assert not closer, (kind, i, closer)
    if key != "overview-network":  # a small diagram names its nodes without leaders
        assert not any(d["has_leader"] for d in nodes.values())


def _letter_boxes(spec: dict) -> dict:
    return {d["edge"]: (d["ebx"], d["eby"], d["ebx2"], d["eby2"]) for layer in layers(spec) if mark(layer) == "text"
            and layer["encoding"].get("text", {}).get("field") == "letter" for d in data(spec, layer)}


@pytest.mark.parametrize("key", DIAGRAMS)
def test_a_relation_never_sits_on_another_line_and_a_lettered_one_is_listed(key):
    # "queries" on the Northrop Grumman-LinX line was read as that line's: a relation's words cross no other
    # line; where they have no such room, the line carries a letter and the list under the drawing the tie.
    spec = drawn(key)[3].spec
    segments = _segments(spec)
    words = {e: b for (kind, e), b in _label_boxes(spec).items() if kind == "edge"}
    letters = _letter_boxes(spec)
    for edge, box in words.items():
        assert not [e for e, segs in segments.items() if e != edge and any(lay.crosses(box, s) for s in segs)], edge
    assert not set(words) & set(letters)
    assert lay.overlaps(letters) == [] and lay.overlaps(letters, words) == []
    crossed = [e for e, box in letters.items()
               if any(lay.crosses(box, s) for f, segs in segments.items() if f != e for s in segs)]
    if key != "overview-network":  # a letter too; on the dense map a letter may lie across another line
        assert crossed == [], crossed
    listing = listing_of(spec)
    edges = {d["edge"]: d for d in edges_of(spec)}
    short = {d["id"]: d["short"] for d in nodes_of(spec)}
    for edge in letters:
        d = edges[edge]
        mark_ = [x for x in listing if x["style"] == "letter" and x["text"] == d["letter"]]
        assert [x["id"] for x in mark_] == [d["rows"]]
        said = " ".join(x["text"] for x in listing if x["style"] == "relation" and x["id"] == d["rows"])
        assert said == f"{short[d['source']]} {d['label']} {short[d['target']]}"
    if key == "case-management-leiss":  # the figure the review found: "queries" on another tie
        assert len(letters) <= 2 and len(words) >= 8


def test_a_label_is_placed_only_nearer_its_own_anchor():
    # Two nodes 30 px apart: a box between them but touching the left one is the left one's, not the right's.
    between = (5, -5, 20, 5)
    anchors = {"left": (0, 0), "right": (30, 0)}
    assert lay.place_labels({"right": [between]}, anchors=anchors) == {"right": None}
    assert lay.place_labels({"left": [between]}, anchors=anchors) == {"left": between}
    crossing = {"other": [((10, -20), (10, 20))]}
    assert lay.place_labels({"x": [between]}, lines=crossing, clear=True) == {"x": None}
    assert lay.place_labels({"x": [between]}, lines=crossing) == {"x": between}


def _placed_by_scanning(candidates, obstacles, lines, anchors, frame, reach, clear):
    """place_labels' rule, every obstacle, line and anchor looked at: what the indexed look-ups must give."""
    taken, placed = list(obstacles), {}
    segments = [(k, s) for k, segs in lines.items() for s in segs]

    def nearest(box, key):
        if key not in anchors:
            return True
        own = lay.distance(box, anchors[key])
        return all(lay.distance(box, p) > own for k, p in anchors.items() if k != key and p != anchors[key])

    for key, boxes in candidates.items():
        free = [b for b in boxes if lay._inside(b, frame) and not any(lay._overlap(b, o) for o in taken)
                and nearest(b, key) and not (clear and any(k != key and lay.crosses(b, s) for k, s in segments))]
        best = min(free, key=lambda b: (sum(k != key and lay.crosses(b, s) for k, s in segments)
                                        + reach * boxes.index(b), boxes.index(b))) if free else None
        placed[key] = best
        taken += [best] if best else []
    return placed


@pytest.mark.parametrize("seed", range(4))
def test_indexed_label_placement_places_as_a_scan_of_everything_would(seed):
    """The grid indexes (Boxes, Lines, Points) only skip what cannot meet a box: same places, same None."""
    rng = random.Random(seed)
    point = lambda: (rng.uniform(0, 400), rng.uniform(0, 300))  # noqa: E731
    anchors = {("node", i): point() for i in range(60)}
    lines = {("edge", i): [(point(), point())] for i in range(40)}
    obstacles = [(x - 4, y - 4, x + 4, y + 4) for x, y in anchors.values()]
    candidates = {key: lay.around(p, 4, (rng.uniform(10, 60), 12)) for key, p in anchors.items()}
    frame = (0, 0, 400, 300)
    for clear, reach in ((True, 0), (False, 0.125)):
        expected = _placed_by_scanning(candidates, obstacles, lines, anchors, frame, reach, clear)
        assert any(b is None for b in expected.values()) and any(expected.values())  # both cases occur
        assert lay.place_labels(candidates, lay.Boxes(obstacles), lines=lay.Lines(lines),
                                anchors=lay.Points(anchors), frame=frame, reach=reach, clear=clear) == expected
        assert lay.place_labels(candidates, obstacles, lines=lines, anchors=anchors, frame=frame, reach=reach,
                                clear=clear) == expected
    boxes = {key: b for key, b in expected.items() if b}
    scanned = [(k, key) for k, box in boxes.items() for key, segs in lines.items()
               if key != k and any(lay.crosses(box, s) for s in segs)]
    assert lay.crossings(boxes, lay.Lines(lines)) == scanned


def test_a_node_with_neither_name_nor_number_is_still_drawn(monkeypatch):
    """On a map too crowded for a node's name and for its number, the node is drawn without either (it is in
    the tooltip and the table), and without a leader: the drawing does not fail (it did on 10 times the data)."""
    from surveillance_book.figures import network as net_module

    place = net_module._place

    def crowded(nodes, *args, **kwargs):
        boxes, numbers, lines = place(nodes, *args, **kwargs)
        lost = next(i for i in nodes.id if ("node", i) in boxes or ("number", i) in boxes)
        boxes = {k: (None if k in (("node", lost), ("number", lost)) else b) for k, b in boxes.items()}
        return boxes, numbers, lines

    monkeypatch.setattr(net_module, "_place", crowded)
    chapter = book(DIAGRAMS["overview-network"][0])
    rows, choices = rows_of("overview-network", chapter)
    fig = network(rows, chapter, **choices)
    assert isinstance(fig, Figure)
    nodes = nodes_of(fig.output.spec)
    assert len(nodes) == len({d["id"] for d in nodes}) and any(not d["placed"] for d in nodes)

"""A layout of our own for big graphs, linear in their size: layers, as Graphviz's ``dot`` draws them, without its wait.

Graphviz lays a graph out beautifully, but its time grows much faster than the graph: about 13 s for
1,600 boxes, and no answer within 10 minutes for 10,000. Above `OWN_LAYOUT_ABOVE` boxes, `draw`
lays the same DOT text (what `draw_dot` wrote) out itself, in a time proportional to its size:

1. every box and oval gets a layer: its longest path from the inputs (a leaf sits just before the first
   op that uses it, so a weight is drawn beside its neuron, not far away with the inputs);
2. within a layer, the boxes are ordered by the mean position of what feeds them (one sweep);
3. layers are columns (rows with ``rankdir=TB``), boxes are stacked in them, edges are straight lines.

The SVG it writes has the structure of Graphviz's (a ``g.node`` or ``g.edge`` per box or edge, titled
with its DOT name or ``tail->head``; one ``text`` per line of a box), so the player, the notebook frames
and the pan and zoom work on it unchanged. They are grouped in square tiles (``g.tile``, each with the
extent of what it holds in ``data-extent``), so that a page can draw only the tiles on screen.

>>> svg = draw('digraph g {\\n\\tv0 [label=<x>]\\n\\tv1 [label=<y>]\\n\\tv0 -> v1\\n}')
>>> svg.count('class="node"'), svg.count('class="edge"'), "<title>v0&#45;&gt;v1</title>" in svg
(2, 1, True)
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["OWN_LAYOUT_ABOVE", "OWN_LAYOUT_ABOVE_WITH_CLUSTERS", "box_count", "draw", "is_big"]

OWN_LAYOUT_ABOVE = 1000
"""Graphs with more boxes and ovals than this are laid out here (about 500 values: Graphviz takes a few
seconds); smaller ones keep Graphviz's layout."""
OWN_LAYOUT_ABOVE_WITH_CLUSTERS = 400
"""The same for a graph with clusters (an MLP's layers and neurons), which Graphviz lays out much more slowly."""

CHARACTER_WIDTH = 0.62  # DejaVu Sans's mean advance per point of font size (it is one of the widest sans fonts)
LINE_HEIGHT = 1.2
LAYER_GAP = 28.0  # points between two layers
BOX_GAP = 10.0  # points between two boxes of one layer
ARROW = "#6b7280"
TILE = 600.0  # points: the side of a tile, a few of which fill a screen


@dataclass
class _Cell:
    text: str
    bold: bool = False
    colour: str = ""


@dataclass
class _Box:
    name: str
    attributes: dict[str, str]
    rows: list[list[_Cell]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    x: float = 0.0  # centre
    y: float = 0.0
    layer: int = 0


@dataclass
class _Edge:
    tail: str
    head: str
    attributes: dict[str, str]


# ---------------------------------------------------------------------- reading the DOT that draw_dot wrote

_STATEMENT = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[\w.]+)(?:\s*->\s*("(?:[^"\\]|\\.)*"|[\w.]+))?\s*(\[.*\])?\s*;?\s*$')


_ATTRIBUTE = re.compile(r'\s*,?\s*(\w+)=(?:"((?:[^"\\]|\\.)*)"|(<)|([^\s,\]]+))')
_ANGLE = re.compile(r"[<>]")


def _attributes(text: str) -> dict[str, str]:
    """``[label=<…> shape=box tooltip="…"]`` as a dict; an HTML-like value keeps its angle brackets."""
    found: dict[str, str] = {}
    i, end = 1, len(text) - 1
    while i < end:
        match = _ATTRIBUTE.match(text, i)
        if match is None:
            break
        key = match[1]
        if match[3]:  # <…>, with nested tags: to the bracket that closes the first
            depth = 0
            for bracket in _ANGLE.finditer(text, match.start(3)):
                depth += 1 if bracket[0] == "<" else -1
                if depth == 0:
                    break
            found[key] = text[match.start(3) : bracket.end()]
            i = bracket.end()
        else:
            found[key] = match[2].replace('\\"', '"') if match[2] is not None else match[4]
            i = match.end()
    return found


def _name(token: str) -> str:
    return token[1:-1].replace('\\"', '"') if token.startswith('"') else token


def _parse(source: str) -> tuple[dict[str, _Box], list[_Edge], dict[str, dict[str, str]]]:
    """The boxes, edges and default attributes (``graph``, ``node``, ``edge``) of draw_dot's DOT text."""
    boxes: dict[str, _Box] = {}
    edges: list[_Edge] = []
    defaults: dict[str, dict[str, str]] = {"graph": {}, "node": {}, "edge": {}}
    nested = 0  # how deep inside subgraphs (clusters) a line is
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("subgraph"):
            nested += 1
            continue
        if stripped == "}":
            nested = max(nested - 1, 0)
            continue
        if not stripped or stripped.startswith(("digraph", "{", "//")) or re.match(r"^\w+\s*=", stripped):
            continue  # the graph's header, a same-rank group, a cluster's own label=…
        kind = stripped.split(" ", 1)[0]
        if kind in defaults and stripped[len(kind) :].lstrip().startswith("["):
            if nested == 0:
                defaults[kind].update(_attributes(stripped[len(kind) :].strip()))
            continue
        match = _STATEMENT.match(stripped)
        if match is None:
            continue
        attributes = _attributes(match[3]) if match[3] else {}
        if match[2] is not None:
            if attributes.get("style") != "invis":
                edges.append(_Edge(_name(match[1]), _name(match[2]), attributes))
        else:
            boxes.setdefault(_name(match[1]), _Box(_name(match[1]), attributes))
    for edge in edges:  # an edge may name a box no statement declared: Graphviz draws it with its name
        for end in (edge.tail, edge.head):
            boxes.setdefault(end, _Box(end, {}))
    return boxes, edges, defaults


def is_big(source: str) -> bool:
    """Whether Graphviz would be slow on this DOT text: more boxes than `OWN_LAYOUT_ABOVE` (fewer with clusters)."""
    limit = OWN_LAYOUT_ABOVE_WITH_CLUSTERS if "subgraph cluster" in source else OWN_LAYOUT_ABOVE
    return box_count(source) > limit


def box_count(source: str) -> int:
    """How many boxes a DOT text declares (its ovals included), without laying it out."""
    return len(_DECLARES.findall(source))


# ---------------------------------------------------------------------- what a box shows


_ROW = re.compile(r"<TR>(.*?)</TR>", flags=re.S)
_TD = re.compile(r"<TD[^>]*>(.*?)</TD>", flags=re.S)
_COLOUR = re.compile(r'COLOR="([^"]+)"')
_TAG = re.compile(r"<[^>]*>")
_DECLARES = re.compile(r"^\s*[\w.]+ \[label=", flags=re.M)


def _cells(label: str) -> list[list[_Cell]]:
    """An HTML-like label as rows of cells; plain text as one row of one cell."""
    if label.startswith("<") and label.endswith(">"):
        inner = label[1:-1]
        rows = _ROW.findall(inner)
        if not rows:
            return [[_cell(inner)]]
        found = []
        for row in rows:
            if "<TABLE" in row:  # a row that only wraps a nested table: its rows come on their own
                continue
            cells = _TD.findall(row) or [row]
            found.append([_cell(cell) for cell in cells])
        return found
    return [[_cell(line)] for line in html.unescape(label).split("\\n")]


def _cell(markup: str) -> _Cell:
    colour = _COLOUR.search(markup)
    text = html.unescape(_TAG.sub("", markup)) if "<" in markup or "&" in markup else markup
    return _Cell(text, "<B>" in markup, colour[1] if colour else "")


def _measure(box: _Box, font_size: float) -> None:
    size = float(box.attributes.get("fontsize", font_size))
    box.rows = _cells(box.attributes.get("label", box.name))
    widths = [sum(len(cell.text) for cell in row) + 2 * (len(row) - 1) for row in box.rows] or [len(box.name)]
    pad = 14.0 if box.attributes.get("shape") == "oval" else 10.0
    box.width = max(max(widths) * size * CHARACTER_WIDTH + 2 * pad, 36.0)
    box.height = max(len(box.rows), 1) * size * LINE_HEIGHT + (8.0 if box.attributes.get("shape") != "oval" else 6.0)


# ---------------------------------------------------------------------- the layout


def _layers(boxes: dict[str, _Box], edges: list[_Edge]) -> list[list[_Box]]:
    """Each box's layer (longest path from the inputs; a leaf just before its first use), then each layer's
    order (by the mean place of what feeds it). Linear in boxes + edges."""
    into: dict[str, list[str]] = {name: [] for name in boxes}
    out_of: dict[str, list[str]] = {name: [] for name in boxes}
    for edge in edges:
        into[edge.head].append(edge.tail)
        out_of[edge.tail].append(edge.head)
    waiting = {name: len(tails) for name, tails in into.items()}
    ready = [name for name, count in waiting.items() if count == 0]
    order: list[str] = []
    while ready:  # Kahn's topological order
        name = ready.pop()
        order.append(name)
        for head in out_of[name]:
            waiting[head] -= 1
            if waiting[head] == 0:
                ready.append(head)
    order += [name for name in boxes if waiting[name] > 0]  # a cycle (never from a Value's graph): drawn anyway
    for name in order:
        tails = into[name]
        boxes[name].layer = max((boxes[tail].layer + 1 for tail in tails), default=0)
    for name in reversed(order):  # a leaf moves up to just before its first use
        if not into[name] and out_of[name]:
            boxes[name].layer = max(min(boxes[head].layer for head in out_of[name]) - 1, 0)
    layers: list[list[_Box]] = [[] for _ in range(max((box.layer for box in boxes.values()), default=0) + 1)]
    for name in order:
        layers[boxes[name].layer].append(boxes[name])
    place: dict[str, float] = {}
    for layer in layers:
        for box in layer:
            feeding = [place[tail] for tail in into[box.name] if tail in place]
            place[box.name] = sum(feeding) / len(feeding) if feeding else float(len(place))
        layer.sort(key=lambda box: place[box.name])
        for index, box in enumerate(layer):
            place[box.name] = float(index)
    return layers


def _place(layers: list[list[_Box]], across: bool) -> tuple[float, float]:
    """Give every box its centre: layers left to right (``across``) or top to bottom. Returns the size."""
    along = 0.0
    extent = 0.0
    for layer in layers:
        thickness = max((box.width if across else box.height for box in layer), default=0.0)
        stacked = 0.0
        for box in layer:
            size = box.height if across else box.width
            if across:
                box.x, box.y = along + thickness / 2, stacked + size / 2
            else:
                box.x, box.y = stacked + size / 2, along + thickness / 2
            stacked += size + BOX_GAP
        extent = max(extent, stacked)
        along += thickness + LAYER_GAP
    return (along, extent) if across else (extent, along)


# ---------------------------------------------------------------------- the SVG


def _e(text: str) -> str:
    return html.escape(text, quote=True).replace("-", "&#45;")


def _box_svg(box: _Box, node_defaults: dict[str, str], font: str) -> Iterator[str]:
    attributes = {**node_defaults, **box.attributes}
    fill = attributes.get("fillcolor", "none") if "filled" in attributes.get("style", "") else "none"
    stroke = attributes.get("color", "black")
    width = attributes.get("penwidth", "1")
    dashes = ' stroke-dasharray="5,2"' if "dashed" in attributes.get("style", "") else ""
    size = float(attributes.get("fontsize", "14"))
    ink = attributes.get("fontcolor", "black")
    left, top = box.x - box.width / 2, box.y - box.height / 2
    yield f'<g id="{_e(box.name)}" class="node">\n<title>{_e(box.name)}</title>\n'
    if attributes.get("shape") == "oval":
        yield (
            f'<ellipse fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dashes} cx="{box.x:.2f}" '
            f'cy="{box.y:.2f}" rx="{box.width / 2:.2f}" ry="{box.height / 2:.2f}"/>\n'
        )
    else:
        r = 4.0 if "rounded" in attributes.get("style", "") else 0.0
        yield (
            f'<path fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dashes} d="M{left + r:.2f},{top:.2f}'
            f"H{left + box.width - r:.2f}Q{left + box.width:.2f},{top:.2f} {left + box.width:.2f},{top + r:.2f}"
            f"V{top + box.height - r:.2f}Q{left + box.width:.2f},{top + box.height:.2f} "
            f"{left + box.width - r:.2f},{top + box.height:.2f}H{left + r:.2f}Q{left:.2f},{top + box.height:.2f} "
            f'{left:.2f},{top + box.height - r:.2f}V{top + r:.2f}Q{left:.2f},{top:.2f} {left + r:.2f},{top:.2f}Z"/>\n'
        )
    line = size * LINE_HEIGHT
    first = box.y - line * len(box.rows) / 2 + line * 0.78
    for index, row in enumerate(box.rows):
        baseline = first + index * line
        if len(row) == 1:
            places = [("middle", box.x)]
        else:  # a folded neuron's parameter row: the name on the left, the numbers right-aligned in columns
            column = (box.width - 20.0) / len(row)
            places = [("start", left + 10.0)] + [("end", left + 10.0 + column * (k + 1)) for k in range(1, len(row))]
        for cell, (anchor, x) in zip(row, places):
            weight = ' font-weight="bold"' if cell.bold else ""
            yield (
                f'<text text-anchor="{anchor}" x="{x:.2f}" y="{baseline:.2f}" font-family="{_e(font)}" '
                f'font-size="{size:.2f}"{weight} fill="{cell.colour or ink}">{_e(cell.text)}</text>\n'
            )
    yield "</g>\n"


def _edge_svg(edge: _Edge, boxes: dict[str, _Box], edge_defaults: dict[str, str], across: bool, font: str) -> str:
    attributes = {**edge_defaults, **edge.attributes}
    tail, head = boxes[edge.tail], boxes[edge.head]
    if across:
        x1, y1, x2, y2 = tail.x + tail.width / 2, tail.y, head.x - head.width / 2, head.y
    else:
        x1, y1, x2, y2 = tail.x, tail.y + tail.height / 2, head.x, head.y - head.height / 2
    colour = attributes.get("color", ARROW)
    width = attributes.get("penwidth", "1")
    length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-9)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    arrow = 6.0 * float(attributes.get("arrowsize", "1"))
    bx, by = x2 - ux * arrow, y2 - uy * arrow  # the arrowhead's base
    wing = arrow * 0.45
    points = f"{x2:.2f},{y2:.2f} {bx - uy * wing:.2f},{by + ux * wing:.2f} {bx + uy * wing:.2f},{by - ux * wing:.2f}"
    title = f"{edge.tail}->{edge.head}"
    label = ""
    if "label" in attributes:
        text = attributes["label"].strip("<>")
        size = attributes.get("fontsize", "9")
        label = (
            f'<text text-anchor="middle" x="{(x1 + x2) / 2:.2f}" y="{(y1 + y2) / 2 - 3:.2f}" '
            f'font-family="{_e(font)}" font-size="{size}">{_e(html.unescape(text))}</text>\n'
        )
    return (
        f'<g id="{_e(title)}" class="edge">\n<title>{_e(title)}</title>\n'
        f'<path fill="none" stroke="{colour}" stroke-width="{width}" d="M{x1:.2f},{y1:.2f}L{bx:.2f},{by:.2f}"/>\n'
        f'<polygon fill="{colour}" stroke="{colour}" stroke-width="{width}" points="{points}"/>\n{label}</g>\n'
    )


def draw(source: str) -> str:
    """Lay out DOT text written by `draw_dot` (boxes, ovals, edges; clusters are left out) and draw it as SVG,
    in a time proportional to its size."""
    boxes, edges, defaults = _parse(source)
    font = defaults["node"].get("fontname", "DejaVu Sans")
    font_size = float(defaults["node"].get("fontsize", "14"))
    for box in boxes.values():
        _measure(box, font_size)
    across = defaults["graph"].get("rankdir", "TB") in ("LR", "RL")
    width, height = _place(_layers(boxes, edges), across)
    margin = 4.0
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n',
        f'<svg width="{width + 2 * margin:.0f}pt" height="{height + 2 * margin:.0f}pt" '
        f'viewBox="0.00 0.00 {width + 2 * margin:.2f} {height + 2 * margin:.2f}" '
        'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n',
        f'<g id="graph0" class="graph" transform="translate({margin} {margin})">\n<title>computation_graph</title>\n',
    ]
    tiles: dict[tuple[int, ...], _Tile] = {}
    for edge in edges:  # in its head's tile, under the boxes; a long edge with the others between the same tiles
        ends = (*_tile_of(boxes[edge.head]), *_tile_of(boxes[edge.tail]))
        tiles.setdefault(ends[:2] if ends[:2] == ends[2:] else ends, _Tile()).add(
            _edge_svg(edge, boxes, defaults["edge"], across, font), boxes[edge.tail], boxes[edge.head]
        )
    for box in boxes.values():
        tiles.setdefault(_tile_of(box), _Tile()).add("".join(_box_svg(box, defaults["node"], font)), box)
    for tile in sorted(tiles.values(), key=lambda tile: bool(tile.boxes)):  # the long edges first, under all boxes
        left, top, right, bottom = tile.extent
        parts.append(f'<g class="tile" data-extent="{left:.0f} {top:.0f} {right:.0f} {bottom:.0f}">\n')
        parts.extend(tile.edges)
        parts.extend(tile.boxes)
        parts.append("</g>\n")
    parts.append("</g>\n</svg>\n")
    return "".join(parts)


def _tile_of(box: _Box) -> tuple[int, int]:
    return int(box.x // TILE), int(box.y // TILE)


class _Tile:
    """The edges and boxes drawn in one square of the picture, and the extent of all of them."""

    def __init__(self) -> None:
        self.edges: list[str] = []
        self.boxes: list[str] = []
        self.extent = (float("inf"), float("inf"), float("-inf"), float("-inf"))

    def add(self, svg: str, *ends: _Box) -> None:
        (self.edges if len(ends) == 2 else self.boxes).append(svg)
        left, top, right, bottom = self.extent
        for box in ends:
            left, top = min(left, box.x - box.width / 2), min(top, box.y - box.height / 2)
            right, bottom = max(right, box.x + box.width / 2), max(bottom, box.y + box.height / 2)
        self.extent = (left, top, right, bottom)

"""A one_step() group drawn folded (one box: its formula as the learner wrote it, its data and grad) or unfolded
(its ops inside a dashed frame), read back from the SVG that Graphviz drew."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree

import pytest

from autograd import Constant, Value
from autograd.drawing import draw_dot, to_svg
from autograd.teaching.steps import one_step, squared_error

SVG = "{http://www.w3.org/2000/svg}"


def worked_example():
    """The worked example's neuron with z = w · x + b recorded as one step; backward() done."""
    w, x, b, y = Value(0.5, "w"), Constant(1.5, "x"), Value(0.1, "b"), Constant(1.0, "y")
    with one_step() as neuron:
        z = w * x + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    loss = squared_error(a, y)
    loss.label = "L"
    loss.backward()
    return loss, neuron, {"w": w, "x": x, "b": b, "z": z, "a": a}


def boxes(svg: str) -> dict[str, list[str]]:
    """Each box's (and oval's) SVG title → the lines of text it shows."""
    root = ElementTree.fromstring(svg[svg.find("<svg") :])
    return {
        g.find(f"{SVG}title").text: [t.text.strip() for t in g.iter(f"{SVG}text")]
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "node"
    }


def clusters(svg: str) -> dict[str, set[str]]:
    """Each cluster's label → the titles of the boxes and ovals drawn inside its frame (Graphviz nests none here,
    so a box is inside when its centre is within the frame's bounding box)."""
    root = ElementTree.fromstring(svg[svg.find("<svg") :])
    frames = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "cluster":
            points = [
                tuple(map(float, p.split(","))) for p in g.find(f"{SVG}path").get("d")[1:].replace("C", " ").split()
            ]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            label = " ".join(t.text for t in g.iter(f"{SVG}text"))
            frames[label] = (min(xs), max(xs), min(ys), max(ys))
    inside: dict[str, set[str]] = {label: set() for label in frames}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        texts = list(g.iter(f"{SVG}text"))
        cx = sum(float(t.get("x")) for t in texts) / len(texts)
        cy = sum(float(t.get("y")) for t in texts) / len(texts)
        for label, (left, right, top, bottom) in frames.items():
            if left <= cx <= right and top <= cy <= bottom:
                inside[label].add(g.find(f"{SVG}title").text)
    return inside


def test_a_folded_group_is_one_box_with_its_formula_data_and_grad():
    loss, neuron, nodes = worked_example()
    z, w = nodes["z"], nodes["w"]
    drawn = boxes(to_svg(loss, groups=[neuron]))
    folded = [lines for lines in drawn.values() if lines and lines[0] == "z = w · x + b"]
    assert len(folded) == 1
    z_expected = 0.5 * 1.5 + 0.1
    a = 1 / (1 + math.exp(-z_expected))
    dL_dz = (a - 1.0) * a * (1 - a)  # the worked example's ∂L/∂z = (a − y) σ'(z)
    assert folded[0] == ["z = w · x + b", f"data {z_expected:.4g}", f"grad {dL_dz:.4g}".replace("-", "−")]
    assert z.grad == pytest.approx(dL_dz, rel=1e-12)
    # The product w · x inside it is not drawn: no t1 box and no × or + oval, just the step's box.
    texts = [line for lines in drawn.values() for line in lines]
    assert "t1" not in texts and "×" not in texts and "+" not in texts
    assert f"grad {w.grad:.4g}".replace("-", "−") in drawn[draw_dot(loss, groups=[neuron]).parts[w][0]]


def test_a_folded_group_has_an_edge_from_each_input_and_one_out():
    loss, neuron, nodes = worked_example()
    dot = draw_dot(loss, groups=[neuron])
    edges = [line.strip() for line in dot.source.splitlines() if "->" in line]
    box = dot.parts[nodes["z"]][0]
    into = sorted(edge.split(" -> ")[0] for edge in edges if edge.endswith(f"-> {box}"))
    assert into == sorted(dot.parts[nodes[name]][0] for name in "wxb")
    assert [edge for edge in edges if edge.startswith(f"{box} ->")] == [f"{box} -> {dot.parts[nodes['a']][1]}"]


def test_an_unfolded_group_is_a_frame_holding_exactly_its_nodes():
    loss, neuron, _ = worked_example()
    dot = draw_dot(loss, groups=[neuron], fold=False)
    found = clusters(to_svg(loss, groups=[neuron], fold=False))
    assert list(found) == ["one step: z = w · x + b"]
    expected = {title for member in neuron.members for title in dot.parts[member][:2]}  # each box and its op's oval
    assert found["one step: z = w · x + b"] == expected
    assert len(expected) == 4  # t1 = w · x and z = t1 + b, each a box and an oval


def test_without_groups_the_drawing_is_unchanged():
    loss, neuron, _ = worked_example()
    assert draw_dot(loss).source == draw_dot(loss, groups=[]).source
    assert draw_dot(loss, groups=[neuron], fold=False).source != draw_dot(loss).source  # the frame is added


def test_a_group_of_another_graph_is_skipped_and_a_wrong_item_is_refused():
    loss, _, _ = worked_example()
    _, other_neuron, _ = worked_example()
    assert draw_dot(loss, groups=[other_neuron]).source == draw_dot(loss).source
    with pytest.raises(TypeError, match=r"groups= takes .* one_step\(\).*int"):
        draw_dot(loss, groups=[3])
    with pytest.raises(TypeError, match="fold must be True"):
        draw_dot(loss, fold="yes")


def test_unnamed_constants_inside_a_folded_group_are_written_in_its_formula():
    a, y = Value(0.75, "a"), Value(1.0, "y")
    with one_step() as half_square:
        loss = 0.5 * (a - y) ** 2
    loss.label = "L"
    drawn = boxes(to_svg(loss, groups=[half_square]))
    # The same formula the walkthrough's step writes, with the 0.5 in it: no box of its own.
    formula = "L = " + half_square.formula(lambda node: node.label or f"{node.data:g}")
    assert formula.startswith("L = 0.5 · (")
    assert sorted(lines[0] for lines in drawn.values()) == [formula, "a", "y"]
    assert drawn[draw_dot(loss, groups=[half_square]).parts[loss][0]][1] == "data 0.03125"


def test_highlighting_a_node_inside_a_folded_group_highlights_the_groups_box():
    loss, neuron, nodes = worked_example()
    inner = neuron.members[0]  # t1 = w · x, folded into z's box
    dot = draw_dot(loss, groups=[neuron], highlight=inner)
    box = dot.parts[nodes["z"]][0]
    declared = next(line for line in dot.source.splitlines() if line.strip().startswith(f"{box} ["))
    assert 'color="#dc2626"' in declared
    assert draw_dot(loss, groups=[neuron]).source.count("#dc2626") == 0

"""autograd.walkthrough: backward() one step at a time, the chain rule written out in numbers."""

import math
import re
from xml.etree import ElementTree

import pytest
from _shared import seed_neuron
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Constant, Value, topological_order
from autograd.teaching import Walkthrough, walkthrough

W, X, B, Y = 0.5, 1.5, 0.1, 1.0


def sigma(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t))


def same(x: float, y: float) -> bool:
    return x == y or (math.isnan(x) and math.isnan(y))


def grads_after_backward(root: Value) -> dict[Value, float]:
    root.backward()
    return {node: node.grad for node in topological_order(root)}


# ---------------------------------------------------------------------- the seed example, step by step


def test_the_seed_example_has_one_step_per_node_with_parents_in_backward_order():
    *_, loss = seed_neuron()
    wt = walkthrough(loss)
    assert len(wt) == 6
    assert [step.name for step in wt] == ["L", "t3", "t2", "a", "z", "t1"]
    assert [step.op for step in wt] == ["*", "**", "-", "sigmoid", "+", "*"]


def test_the_seed_example_steps_carry_the_seed_formulas_exact_numbers():
    *_, z, a, loss = seed_neuron()
    wt = walkthrough(loss)
    s = sigma(0.85)
    step_a = wt[3]
    assert step_a.node is a
    assert step_a.upstream == s - Y  # ∂L/∂a = a − y
    (to_z,) = step_a.contributions
    assert to_z.parent is z
    assert to_z.local_grad == s * (1 - s)  # ∂a/∂z = σ'(z)
    assert to_z.local_formula == "σ'(z) = σ(z)(1 − σ(z))"
    assert to_z.contribution == (s * (1 - s)) * (s - Y)  # ∂L/∂z = ∂L/∂a · ∂a/∂z
    assert (to_z.grad_before, to_z.grad_after) == (0.0, to_z.contribution)
    to_w, to_x = wt[5].contributions
    assert to_w.local_grad == X  # ∂z/∂w = x
    assert to_w.contribution == to_z.contribution * X
    assert to_x.contribution == to_z.contribution * W


def test_a_step_prints_the_chain_rule_with_labels_and_numbers():
    *_, loss = seed_neuron()
    assert str(walkthrough(loss)[3]) == (
        "Step 4 of 6: a = σ(z) = 0.7006\n"
        "  upstream ∂L/∂a = −0.2994\n"
        "  ∂a/∂z = σ'(z) = σ(z)(1 − σ(z)) = 0.7006 · (1 − 0.7006) = 0.2098\n"
        "  ∂L/∂z = ∂L/∂a · ∂a/∂z = −0.2994 · 0.2098 = −0.0628"
    )


def test_the_weight_step_reads_like_the_seeds_step_4():
    *_, loss = seed_neuron()
    text = str(walkthrough(loss)[5])
    assert "∂t1/∂w = x = 1.5000" in text
    assert "∂L/∂w = ∂L/∂t1 · ∂t1/∂w = −0.0628 · 1.5000 = −0.0942" in text


def test_the_whole_walkthrough_prints_as_a_worked_solution_ending_in_a_table():
    *_, loss = seed_neuron()
    text = str(walkthrough(loss))
    assert text.startswith("Backward pass through L: 6 steps")
    assert text.index("Step 1 of 6") < text.index("Step 6 of 6") < text.index("Gradients:")
    assert "  w      0.5000   −0.0942" in text


def test_the_recorded_gradients_equal_backwards_exactly_on_the_seed_example():
    *_, loss = seed_neuron()
    recorded = walkthrough(loss).gradients
    expected = grads_after_backward(loss)  # the exponent 2's gradient is nan there too: 2 ** log of a negative base
    assert recorded.keys() == expected.keys()
    assert all(same(recorded[node], expected[node]) for node in expected)


def test_the_walkthrough_never_touches_grad():
    w, x, b, y, z, a, loss = seed_neuron()
    w.grad = 7.0  # a leftover gradient, as before zero_grad()
    wt = walkthrough(loss)
    str(wt), wt.to_markdown(), wt.to_latex(), wt.frame(2)
    assert [node.grad for node in (w, x, b, y, z, a, loss)] == [7.0, 0, 0, 0, 0, 0, 0]
    assert wt.gradients[w] == pytest.approx(-0.0942, abs=1e-4)  # its own record starts from 0


# ---------------------------------------------------------------------- accumulation


def test_a_node_feeding_two_others_shows_the_second_contribution_as_plus_equals():
    x, w = Value(2.0, "x"), Value(3.0, "w")
    u = x * w
    u.label = "u"
    v = x.tanh()
    v.label = "v"
    y = u + v
    y.label = "y"
    wt = walkthrough(y)
    to_x = [c for step in wt for c in step.contributions if c.parent is x]
    assert [c.accumulates for c in to_x] == [False, True]
    first, second = to_x
    assert second.grad_before == first.contribution
    assert second.grad_after == first.contribution + second.contribution
    assert wt.gradients[x] == w.data + (1 - math.tanh(2.0) ** 2)
    text = str(wt)
    assert "∂y/∂x (so far) = ∂y/∂u · ∂u/∂x = 1.0000 · 3.0000 = 3.0000" in text
    assert "∂y/∂x += ∂y/∂v · ∂v/∂x = 1.0000 · 0.0707 = 0.0707, so ∂y/∂x = 3.0000 + 0.0707 = 3.0707 (complete)" in text


def test_a_plus_a_hands_a_two_contributions_in_one_step():
    a = Value(3.0, "a")
    b = a + a
    b.label = "b"
    (step,) = walkthrough(b)
    assert [c.parent for c in step.contributions] == [a, a]
    assert [c.accumulates for c in step.contributions] == [False, True]
    assert walkthrough(b).gradients[a] == 2.0
    text = str(step)
    assert "∂b/∂a (so far) = ∂b/∂b · ∂(a + a)/∂a (1st) = 1.0000 · 1.0000 = 1.0000" in text
    assert (
        "∂b/∂a += ∂b/∂b · ∂(a + a)/∂a (2nd) = 1.0000 · 1.0000 = 1.0000, so ∂b/∂a = 1.0000 + 1.0000 = 2.0000 (complete)"
        in text
    )


# ---------------------------------------------------------------------- constants


def test_a_constant_operand_is_recorded_like_backward_but_left_out_of_the_text():
    t = Value(4.0, "t")
    loss = 0.5 * t
    (step,) = walkthrough(loss)
    half, _ = step.contributions
    assert isinstance(half.parent, Constant) and half.is_constant
    assert "∂L/∂0.5" not in str(step)
    assert "∂(0.5 · t)/∂t = 0.5\n" in str(step)  # the constant reads as its number, no "= 0.5000"
    assert walkthrough(loss).gradients[half.parent] == grads_after_backward(loss)[half.parent] == 4.0


def test_a_constant_exponent_reads_as_the_power_rule():
    x = Value(-3.0, "x")
    y = x**2
    y.label = "y"
    assert "∂(x^2)/∂x = 2 · x^(2 − 1) = 2 · (−3.0000)^(2 − 1) = −6.0000" in str(walkthrough(y)[0])


def test_a_step_fed_only_by_constants_says_there_is_nothing_to_pass_back():
    y = Constant(2.0) * 3
    y.label = "y"
    assert "only constants feed y" in str(walkthrough(y)[0])


# ---------------------------------------------------------------------- names


def test_unlabeled_nodes_get_stable_names_by_kind_in_topological_order():
    def build():
        p, q = Value(1.0), Value(2.0)
        return (p * q + p).exp()

    first, second = walkthrough(build()), walkthrough(build())
    assert [first.names[n] for n in first.nodes] == ["v1", "v2", "t1", "t2", "L"]
    assert [second.names[n] for n in second.nodes] == ["v1", "v2", "t1", "t2", "L"]


def test_generated_names_skip_the_users_labels_and_shared_labels_are_numbered():
    x1, x2 = Value(1.0, "x"), Value(2.0, "x")
    t1 = x1 * x2
    t1.label = "t1"
    root = t1 + 1
    wt = walkthrough(root)
    assert [wt.names[n] for n in (x1, x2, t1, root)] == ["x", "x#2", "t1", "L"]
    wt2 = walkthrough(t1 * x1 + 2)
    assert sorted(name for n, name in wt2.names.items() if n.op) == ["L", "t1", "t2"]


@pytest.mark.parametrize(
    ("build", "index", "formula"),
    [
        (lambda a, b: a + b, 1, "1"),
        (lambda a, b: a - b, 1, "−1"),
        (lambda a, b: -a, 0, "−1"),
        (lambda a, b: a * b, 0, "b"),
        (lambda a, b: a / b, 0, "1/b"),
        (lambda a, b: a / b, 1, "−a/b²"),
        (lambda a, b: a**b, 0, "b · a^(b − 1)"),
        (lambda a, b: a**b, 1, "a^b · log a"),
        (lambda a, b: a.exp(), 0, "exp'(a) = exp(a)"),
        (lambda a, b: a.log(), 0, "log'(a) = 1/a"),
        (lambda a, b: a.sigmoid(), 0, "σ'(a) = σ(a)(1 − σ(a))"),
        (lambda a, b: a.tanh(), 0, "tanh'(a) = 1 − tanh²(a)"),
        (lambda a, b: a.relu(), 0, "ReLU'(a) = [a > 0]"),
    ],
)
def test_each_op_writes_its_local_derivative_with_the_users_labels(build, index, formula):
    a, b = Value(2.0, "a"), Value(0.5, "b")
    (step,) = walkthrough(build(a, b))
    assert step.contributions[index].local_formula == formula


def test_digits_sets_the_decimals_shown_while_the_data_keeps_full_precision():
    *_, loss = seed_neuron()
    wt = walkthrough(loss, digits=2)
    assert "∂L/∂z = ∂L/∂a · ∂a/∂z = −0.30 · 0.21 = −0.06" in str(wt[3])
    assert wt[3].contributions[0].contribution == walkthrough(loss)[3].contributions[0].contribution


def test_a_tiny_gradient_is_shown_in_scientific_form_not_as_zero():
    x = Value(20.0, "x")
    y = x.sigmoid()
    y.label = "y"
    assert "= 2.061e−09" in str(walkthrough(y)[0])


# ---------------------------------------------------------------------- random graphs against backward()

UNARY = ("neg", "exp", "log", "sigmoid", "tanh", "relu")
BINARY = ("+", "-", "*", "/", "**")


@st.composite
def random_graphs(draw):
    """A random graph over a few leaves, reusing earlier nodes often so gradients accumulate."""
    pool = [Value(draw(st.floats(-2, 2)), f"x{i}") for i in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(1, 14))):
        a = draw(st.sampled_from(pool))
        op = draw(st.sampled_from(UNARY + BINARY))
        b = draw(st.sampled_from([*pool, 2, -1.5, 0.5]))
        b_data = b.data if isinstance(b, Value) else float(b)
        if (op == "log" and a.data > 0) or (op == "exp" and a.data < 20):
            node = getattr(a, op)()
        elif op in ("neg", "sigmoid", "tanh", "relu"):
            node = -a if op == "neg" else getattr(a, op)()
        elif op == "/" and abs(b_data) > 0.1:
            node = a / b
        elif op == "**" and a.data > 0.1 and abs(b_data) <= 2:
            node = a**b
        elif op in ("+", "-", "*"):
            node = {"+": a + b, "-": a - b, "*": a * b}[op]
        else:
            node = a * 0.5
        if abs(node.data) < 1e6:
            pool.append(node)
    return pool[-1] + sum(pool[:-1], Value(0.0))  # every node counts towards the root


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_the_recorded_gradients_equal_backwards_exactly_on_random_graphs(root):
    recorded = walkthrough(root).gradients
    expected = grads_after_backward(root)
    assert recorded.keys() == expected.keys()
    assert all(same(recorded[node], expected[node]) for node in expected)


@settings(max_examples=30, deadline=None)
@given(random_graphs())
def test_every_random_walkthrough_prints_one_section_per_node_with_parents(root):
    wt = walkthrough(root)
    assert len(wt) == sum(1 for node in topological_order(root) if node.parents)
    assert str(wt).count("Step ") == len(wt)


# ---------------------------------------------------------------------- a sequence with a cursor


def test_a_walkthrough_is_a_sequence_of_steps():
    *_, loss = seed_neuron()
    wt = walkthrough(loss)
    assert isinstance(wt, Walkthrough)
    assert wt[-1] is wt[5] and [step.index for step in wt] == [0, 1, 2, 3, 4, 5]
    assert [step.index for step in wt[1:3]] == [1, 2]


def test_a_missing_step_says_how_many_there_are():
    *_, loss = seed_neuron()
    with pytest.raises(IndexError, match="6 steps, numbered 0 to 5"):
        walkthrough(loss)[6]


def test_a_leaf_root_has_no_steps_and_says_why():
    wt = walkthrough(Value(1.0, "x"))
    assert len(wt) == 0 and wt.gradients == {wt.root: 1.0}
    with pytest.raises(IndexError, match="root x is a leaf"):
        wt.frame(0)


def test_next_prev_and_goto_move_the_notebooks_current_step_and_stop_at_the_ends():
    *_, loss = seed_neuron()
    wt = walkthrough(loss)
    assert wt.prev().position == 0
    assert wt.next().next().current is wt[2]
    assert wt.goto(-1).position == 5 and wt.next().position == 5
    with pytest.raises(IndexError):
        wt.goto(6)


def test_the_notebook_shows_the_current_steps_frame_and_explanation():
    *_, loss = seed_neuron()
    page = walkthrough(loss).goto(3)._repr_html_()
    assert '<img src="data:image/svg+xml;base64,' in page and "<svg" not in page  # shown untrusted too
    assert "Step 4 of 6: a = σ(z) = 0.7006" in page
    assert "wt.next()" in page


def test_a_root_that_is_not_a_value_is_refused_with_what_it_was():
    with pytest.raises(TypeError, match=r"needs the Value .* given float"):
        walkthrough(1.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- frames


SVG = "{http://www.w3.org/2000/svg}"


def boxes(svg: str) -> dict[str, tuple[list[str], set[str]]]:
    """Each drawn box by its name (its first text): its texts, and the colours of its outline."""
    found = {}
    for group in ElementTree.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        strokes = {shape.get("stroke") for shape in group.iter() if shape.tag in (f"{SVG}path", f"{SVG}polygon")}
        if texts:
            found[texts[0]] = (texts, strokes)
    return found


def test_a_frame_highlights_the_steps_node_and_blanks_gradients_not_reached():
    *_, loss = seed_neuron()
    wt = walkthrough(loss)
    first = boxes(wt.frame(0).svg)
    assert "#dc2626" in first["L"][1]  # the highlight colour
    assert "grad —" in first["w"][0]
    assert "grad 0.5" in first["t3"][0]  # the step's result, filled in
    last = boxes(wt.frame(5).svg)
    assert "#dc2626" in last["t1"][1] and "#dc2626" not in last["L"][1]
    assert "grad −0.09422" in last["w"][0]


def test_every_frame_is_the_same_layout_with_other_numbers():
    *_, loss = seed_neuron()
    wt = walkthrough(loss)
    shapes = [re.findall(r'(?:points|d)="[^"]*"', wt.frame(i).svg) for i in range(len(wt))]
    assert all(drawn == shapes[0] for drawn in shapes)  # laid out once: no box moves or changes size
    assert wt.frame(0).svg != wt.frame(5).svg


def test_a_frame_shows_the_generated_names_and_leaves_the_labels_as_they_were():
    p = Value(1.0)
    root = (p * 2).tanh()
    drawn = boxes(walkthrough(root).frame(0).svg)
    assert {"v1", "t1", "L"} <= set(drawn)
    assert p.label == "" and root.label == ""


# ---------------------------------------------------------------------- exports


def test_markdown_has_a_heading_and_lines_per_step_and_a_table():
    *_, loss = seed_neuron()
    md = walkthrough(loss).to_markdown()
    assert "### Step 4 of 6: a = σ(z) = 0.7006" in md
    assert "- ∂L/∂z = ∂L/∂a · ∂a/∂z = −0.2994 · 0.2098 = −0.0628" in md
    assert "| w | 0.5000 | −0.0942 |" in md


def test_markdown_escapes_labels_so_they_stay_text():
    x = Value(1.0, "<b>|x_*</b>")
    root = x * 2
    md = walkthrough(root).to_markdown()
    assert r"\<b\>\|x\_\*\</b\>" in md
    assert "<b>" not in md


def test_latex_writes_fractions_and_escapes_special_characters_in_labels():
    x = Value(1.0, "a_b&c%d#e{f}$^~\\")
    y = x.tanh()
    y.label = "w1"
    tex = walkthrough(y).to_latex()
    escaped = r"\text{a\_b\&c\%d\#e\{f\}\$\textasciicircum{}\textasciitilde{}\textbackslash{}}"
    assert rf"\frac{{\partial w_{{1}}}}{{\partial {escaped}}}" in tex
    assert r"\tanh'(" in tex
    assert "a_b&c%d#e{f}" not in tex  # the raw label appears nowhere
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") == 1


def test_when_two_operands_share_a_label_the_first_keeps_it():
    first, second = Value(2.0, "w"), Value(3.0, "w")
    product = first * second
    product.label = "p"
    names = walkthrough(product).names
    assert (names[first], names[second]) == ("w", "w#2")
    assert str(walkthrough(product)[0]).splitlines()[0] == "Step 1 of 1: p = w · w#2 = 6.0000"


@settings(max_examples=40, deadline=None)
@given(random_graphs())
def test_a_local_derivative_never_shares_its_symbol_with_a_gradient(root):
    wt = walkthrough(root)
    loss = wt.names[wt.root]
    gradients = {f"∂{loss}/∂{name}" for name in wt.names.values()}
    for step in wt:
        for c in step.contributions:
            assert step.local_symbol(c) not in gradients


def test_the_default_lessons_first_step_reads_without_double_meanings():
    *_, loss = seed_neuron()
    lines = str(walkthrough(loss)[0]).splitlines()
    assert lines[2:] == [
        "  ∂(0.5 · t3)/∂t3 = 0.5",
        "  ∂L/∂t3 = ∂L/∂L · ∂(0.5 · t3)/∂t3 = 1.0000 · 0.5000 = 0.5000",
    ]


def test_a_label_several_parameters_share_is_drawn_numbered_as_the_text_numbers_it():
    from autograd.nn import MLP

    model = MLP(2, [2, 1], seed=0)
    loss = model([0.5, -1.0]) ** 2
    wt = walkthrough(loss)
    biases = sorted(name for node, name in wt.names.items() if node.label == "b")
    assert biases == ["b", "b#2", "b#3"]
    texts = re.findall(r">([^<>]*)</text>", wt.frame(0, model=model, collapse="neuron").svg)
    assert {"b", "b#2", "b#3"} <= set(texts)


def test_a_frame_shows_in_a_notebook_as_an_image_of_its_svg():
    *_, loss = seed_neuron()
    frame = walkthrough(loss).frame(2)
    bundle = frame._repr_mimebundle_()
    assert sorted(bundle) == ["text/html", "text/plain"]
    assert '<img src="data:image/svg+xml;base64,' in bundle["text/html"] and "<svg" not in bundle["text/html"]
    assert frame._repr_mimebundle_(include=["image/svg+xml"]) == {"image/svg+xml": frame.svg}

"""Big graphs stay drawable: clusters per layer and neuron, folded neurons, `only=`, and `max_nodes`."""

import re
import xml.etree.ElementTree as ET

import pytest
from _shared import TwoNeuronLayer

from autograd import Value
from autograd.drawing import draw_dot, render_svg, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    return ["".join(element.itertext()) for element in ET.fromstring(svg).iter(f"{SVG}text")]


def cluster_titles(svg: str) -> list[str]:
    """The label of every Graphviz cluster drawn in the SVG."""
    return [
        "".join(group.find(f"{SVG}text").itertext())  # type: ignore[union-attr]
        for group in ET.fromstring(svg).iter(f"{SVG}g")
        if group.get("class") == "cluster" and group.find(f"{SVG}text") is not None
    ]


@pytest.fixture
def network() -> tuple[TwoNeuronLayer, list[Value], Value]:
    model = TwoNeuronLayer()
    first, second = model([Value(1.0, "x0"), Value(-2.0, "x1")])
    first.label, second.label = "h0", "h1"
    loss = (first + second - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return model, [first, second], loss


def test_model_parameters_are_grouped_into_a_cluster_per_layer_holding_one_per_neuron(network):
    model, _, loss = network
    dot = draw_dot(loss, model=model)
    svg = render_svg(dot)
    assert cluster_titles(svg) == ["layers.0", "layers.0.neurons.0", "layers.0.neurons.1"]
    # In the DOT source the neuron clusters sit inside the layer's cluster.
    assert re.search(r"subgraph cluster_\d+ \{[^}]*label=<layers\.0>[^}]*subgraph cluster_\d+ \{", dot.source)


def test_a_neuron_cluster_holds_its_parameters_weighted_sum_and_activation(network):
    model, _, loss = network
    source = draw_dot(loss, model=model).source
    start = source.index("label=<layers.0.neurons.0>")
    neuron = source[start : source.index("}", start)]
    assert neuron.count("<B>w0</B>") == 1 and neuron.count("<B>w1</B>") == 1 and neuron.count("<B>b</B>") == 1
    assert neuron.count("label=<×>") == 2  # w₀x₀ and w₁x₁
    assert neuron.count("label=<+>") == 2  # b + w₀x₀, then + w₁x₁
    assert "label=<tanh>" in neuron and "<B>h0</B>" in neuron
    assert "<B>x0</B>" not in neuron and "<B>loss</B>" not in neuron  # inputs and the loss are outside


def test_collapse_neuron_folds_each_weighted_sum_and_its_parameters_into_one_box(network):
    model, _, loss = network
    texts = svg_texts(to_svg(loss, model=model, collapse="neuron"))
    assert texts.count("Σ wᵢxᵢ + b") == 2
    assert "neurons.0" in texts and "neurons.1" in texts
    assert "×" not in texts  # no w·x ovals left: they are inside the neuron boxes
    assert texts.count("tanh") == 2  # the activations stay visible
    cells = [text.strip() for text in texts]  # the number columns start with a gap
    for row in ["w0", "w1", "b", "0.1", "0.2"]:  # each parameter is a row of its neuron's box
        assert row in cells
    assert "x0" in texts and "loss" in texts


def test_collapse_shows_the_weighted_sum_value_and_its_gradient(network):
    model, (first, _), loss = network
    weighted_sum = first.parents[0]  # b + w₀x₀ + w₁x₁ = 0.1 + 0.1·1 + 0.1·(−2)
    dot = draw_dot(loss, model=model, collapse="neuron")
    folded = next(line for line in dot.source.splitlines() if "<B>neurons.0</B>" in line)
    assert f"data {weighted_sum.data:.4g}" in folded
    assert f"grad {weighted_sum.grad:.4g}".replace("-", "−") in folded  # the minus sign of every view


def test_collapse_draws_far_fewer_boxes(network):
    model, _, loss = network
    full = draw_dot(loss, model=model).source.count("shape=box")
    folded = draw_dot(loss, model=model, collapse="neuron").source.count("shape=box")
    assert (full, folded) == (22, 10)


def test_highlighting_a_folded_parameter_marks_its_neuron_box(network):
    model, _, loss = network
    weight = model.named_parameters()[0][1]
    dot = draw_dot(loss, model=model, collapse="neuron", highlight=weight)
    marked = [line for line in dot.source.splitlines() if "#dc2626" in line]
    assert len(marked) == 1 and "<B>neurons.0</B>" in marked[0]


def test_collapse_needs_a_model(network):
    _, _, loss = network
    with pytest.raises(ValueError, match=r"collapse='neuron' needs model=\.\.\."):
        draw_dot(loss, collapse="neuron")
    with pytest.raises(ValueError, match="collapse can be None or 'neuron'"):
        draw_dot(loss, collapse="layer")  # type: ignore[arg-type]


def test_only_draws_what_leads_to_the_chosen_values(network):
    _, (first, _), loss = network
    texts = svg_texts(to_svg(loss, only=first))
    assert "h0" in texts and "x0" in texts and "x1" in texts
    assert "h1" not in texts and "loss" not in texts
    assert texts.count("w0") == 1  # only the first neuron's weight


def test_only_takes_several_values(network):
    _, (first, second), loss = network
    texts = svg_texts(to_svg(loss, only=[first, second]))
    assert "h0" in texts and "h1" in texts and "loss" not in texts


def test_only_rejects_a_value_from_another_graph(network):
    _, _, loss = network
    with pytest.raises(ValueError, match="not in the graph"):
        draw_dot(loss, only=Value(1.0))


def chain(length: int) -> Value:
    """x + 1 + 1 + …: `length` ops, so 2·length + 1 values (each + adds a result and a constant 1)."""
    total = Value(0.0, "x")
    for _ in range(length):
        total = total + 1
    return total


def test_past_max_nodes_draw_dot_refuses_and_says_what_helps():
    with pytest.raises(ValueError) as refused:
        draw_dot(chain(300))
    message = str(refused.value)
    assert "601 values to draw, more than max_nodes=500" in message
    assert "collapse='neuron'" in message and "only=" in message and "max_nodes=None" in message


def test_max_nodes_can_be_raised_or_lifted():
    assert draw_dot(chain(300), max_nodes=601).source.count("shape=box") == 601
    assert draw_dot(chain(300), max_nodes=None).source.count("shape=box") == 601
    with pytest.raises(ValueError, match="more than max_nodes=10"):
        draw_dot(chain(5), max_nodes=10)


def test_a_deep_graph_is_drawn_without_recursion():
    source = draw_dot(chain(5000), max_nodes=None).source
    assert source.count("shape=box") == 10001


# ---------------------------------------------------------------------- with the real nn module

nn = pytest.importorskip("autograd.nn")


def test_parameters_of_the_nn_module_are_styled_as_parameters_without_model():
    w = nn.Parameter(0.5, "w")
    dot = draw_dot(w * Value(2.0, "x"))
    assert 'fillcolor="#fde68a"' in next(line for line in dot.source.splitlines() if "<B>w</B>" in line)


def mlp_loss() -> tuple[object, Value]:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    return model, loss


def test_a_2_16_16_1_mlp_is_too_big_to_draw_whole_by_default():
    _, loss = mlp_loss()
    with pytest.raises(ValueError, match="982 values to draw"):
        draw_dot(loss)


def test_a_2_16_16_1_mlp_with_folded_neurons_renders_to_a_readable_svg():
    model, loss = mlp_loss()
    svg = to_svg(loss, model=model, collapse="neuron")
    texts = svg_texts(svg)
    assert texts.count("Σ wᵢxᵢ + b") == 33  # 16 + 16 + 1 neurons
    assert cluster_titles(svg) == ["layers.0", "layers.1", "layers.2"]
    assert "neurons.15" in texts and "w15" in texts  # the last weight of a second-layer neuron
    assert f"data {loss.data:.4g}" in texts and "grad 1" in texts


@pytest.mark.parametrize("collapse", [None, "neuron"])
def test_a_layers_neurons_are_drawn_top_to_bottom_in_the_models_order(collapse):
    from autograd.nn import MLP, half_mse_loss

    model = MLP(2, [3, 3, 1], seed=0)
    loss = half_mse_loss(model([0.5, -1.0]), 1.0)
    loss.backward()
    svg = to_svg(loss, model=model, collapse=collapse)
    titles = re.findall(r'<text[^>]* x="([-\d.]+)" y="([-\d.]+)"[^>]*>(?:layers\.\d\.)?(neurons\.\d)</text>', svg)
    columns: dict[int, list[tuple[float, str]]] = {}
    for x, y, name in titles:
        columns.setdefault(round(float(x) / 100), []).append((float(y), name))
    for column in columns.values():
        assert [name for _, name in sorted(column)] == sorted(name for _, name in column)  # 0 at the top

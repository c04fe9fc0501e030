"""Neurons, layers and MLPs: shapes, names, initialisation, forward values and gradients, errors."""

import math
import random

import pytest

from autograd import Constant, Value, no_grad, topological_order
from autograd.nn import MLP, Layer, Module, Neuron, Parameter


def set_weights(neuron: Neuron, weights: list[float], bias: float) -> None:
    for parameter, number in zip(neuron.w, weights):
        parameter.data = number
    neuron.b.data = bias


# ---------------------------------------------------------------------- parameters and names


def test_an_mlp_has_one_weight_per_input_and_one_bias_per_neuron():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1 == 337


def test_every_weight_and_bias_is_a_parameter_leaf():
    model = MLP(3, [4, 2])
    assert all(type(p) is Parameter and p.op == "" and p.parents == () for p in model.parameters())


def test_named_parameters_are_dotted_paths_in_a_stable_order():
    names = [name for name, _ in MLP(2, [3, 1]).named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-3:] == ["layers.1.neurons.0.w.1", "layers.1.neurons.0.w.2", "layers.1.neurons.0.b"]
    assert names == [name for name, _ in MLP(2, [3, 1]).named_parameters()]


def test_parameters_are_in_the_order_of_named_parameters():
    model = MLP(2, [3, 1])
    assert model.parameters() == [p for _, p in model.named_parameters()]


def test_parameter_labels_are_short_names_for_drawn_graphs():
    neuron = Neuron(3)
    assert [p.label for p in neuron.parameters()] == ["w0", "w1", "w2", "b"]


def test_a_layer_names_its_neurons_parameters():
    assert [name for name, _ in Layer(1, 2).named_parameters()] == [
        "neurons.0.w.0",
        "neurons.0.b",
        "neurons.1.w.0",
        "neurons.1.b",
    ]


def test_a_custom_module_finds_parameters_in_attributes_lists_and_submodules_and_lists_shared_ones_once():
    class TwoHeads(Module[list[Value]]):
        def __init__(self) -> None:
            self.body = Layer(2, 2, seed=0)
            self.scale = Parameter(2.0, "scale")
            self.heads = [Neuron(2, "linear", seed=1), Neuron(2, "linear", seed=2)]
            self.tied = self.scale  # the same parameter under a second name

        def forward(self, x):
            hidden = self.body(x)
            return [self.scale * head(hidden) for head in self.heads]

    model = TwoHeads()
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["body.neurons.0.w.0", "body.neurons.0.w.1", "body.neurons.0.b"]
    assert names[6:8] == ["scale", "heads.0.w.0"]
    assert "tied" not in names and len(names) == 6 + 1 + 6
    assert len(model([1.0, 2.0])) == 2


def test_a_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="must define forward"):
        Module()([1.0])


def test_zero_grad_clears_every_parameters_gradient():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert [p.grad for p in model.parameters()] == [0.0] * 13


# ---------------------------------------------------------------------- initialisation


def test_the_same_seed_gives_the_same_weights():
    assert MLP(2, [8, 1], seed=42).state_dict() == MLP(2, [8, 1], seed=42).state_dict()


def test_different_seeds_give_different_weights():
    assert MLP(2, [8, 1], seed=1).state_dict() != MLP(2, [8, 1], seed=2).state_dict()


def test_a_random_generator_can_be_passed_as_the_seed():
    first = Neuron(3, seed=random.Random(5)).state_dict()
    assert first == Neuron(3, seed=random.Random(5)).state_dict()


def test_without_a_seed_python_random_seed_makes_weights_reproducible():
    random.seed(123)
    first = MLP(2, [4, 1]).state_dict()
    random.seed(123)
    assert MLP(2, [4, 1]).state_dict() == first


def test_biases_start_at_zero_and_weights_within_the_scaled_bound():
    relu_layer, tanh_layer = Layer(8, 50, "relu", seed=0), Layer(8, 50, "tanh", seed=0)
    relu_weights = [w.data for n in relu_layer.neurons for w in n.w]
    tanh_weights = [w.data for n in tanh_layer.neurons for w in n.w]
    assert all(n.b.data == 0.0 for n in relu_layer.neurons + tanh_layer.neurons)
    assert max(map(abs, relu_weights)) <= math.sqrt(6 / 8)  # He: variance 2/nin
    assert max(map(abs, tanh_weights)) <= math.sqrt(3 / 8)  # LeCun: variance 1/nin
    assert max(map(abs, relu_weights)) > 0.9 * math.sqrt(6 / 8)


# ---------------------------------------------------------------------- forward pass


def test_a_neuron_computes_activation_of_bias_plus_weighted_sum():
    neuron = Neuron(2, activation="tanh")
    set_weights(neuron, [0.5, -1.0], 0.1)
    assert neuron([2.0, 0.5]).data == pytest.approx(math.tanh(0.1 + 0.5 * 2.0 - 1.0 * 0.5))


@pytest.mark.parametrize(
    ("activation", "expected"),
    [("relu", 0.0), ("sigmoid", 1 / (1 + math.exp(1.4))), ("tanh", math.tanh(-1.4)), ("linear", -1.4)],
)
def test_each_activation_is_applied_to_the_weighted_sum(activation, expected):
    neuron = Neuron(2, activation=activation)
    set_weights(neuron, [1.0, 2.0], -0.4)
    assert neuron([1.0, -1.0]).data == pytest.approx(expected)  # z = −0.4 + 1 − 2 = −1.4


def test_a_neuron_graph_is_lean_no_zero_constant_to_start_the_sum():
    out = Neuron(3)([1.0, 2.0, 3.0])
    # b, 3 weights, 3 inputs, 3 products, 3 sums, tanh
    assert len(topological_order(out)) == 14
    assert not any(isinstance(node, Constant) and node.data == 0.0 for node in topological_order(out))


def test_plain_number_inputs_become_one_shared_labelled_input_leaf_per_input():
    outputs = Layer(2, 3, seed=0)([1.5, -2.0])
    leaves = {node for out in outputs for node in topological_order(out) if not node.parents}
    inputs = {node for node in leaves if not isinstance(node, (Parameter, Constant))}
    assert sorted((node.label, node.data) for node in inputs) == [("x0", 1.5), ("x1", -2.0)]


def test_a_layer_always_returns_a_list():
    out = Layer(2, 1)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)


def test_an_mlp_with_one_output_returns_a_value_and_with_several_a_list():
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    outputs = MLP(2, [3, 4])([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 4


def test_the_last_mlp_layer_is_linear_unless_told_otherwise():
    model = MLP(1, [1, 1], activation="tanh", seed=0)
    hidden, last = model.layers[0].neurons[0], model.layers[1].neurons[0]
    set_weights(hidden, [1.0], 0.0)
    set_weights(last, [10.0], 3.0)
    assert model([0.5]).data == pytest.approx(3.0 + 10.0 * math.tanh(0.5))
    squashed = MLP(1, [1, 1], output_activation="sigmoid", seed=0)
    squashed.load_state_dict(model.state_dict())
    assert squashed([0.5]).data == pytest.approx(1 / (1 + math.exp(-(3.0 + 10.0 * math.tanh(0.5)))))


def test_hidden_layers_one_neuron_wide_work():
    model = MLP(3, [1, 1, 1], seed=0)
    out = model([1.0, -1.0, 2.0])
    out.backward()
    assert isinstance(out, Value) and len(model.parameters()) == 4 + 2 + 2
    assert model.layers[0].neurons[0].w[0].grad != 0.0


def test_value_inputs_receive_gradients():
    neuron = Neuron(2, activation="linear")
    set_weights(neuron, [0.5, -3.0], 0.0)
    x0, x1 = Value(1.0, "x0"), Value(2.0, "x1")
    neuron([x0, x1]).backward()
    assert (x0.grad, x1.grad) == (0.5, -3.0)


def test_mlp_weight_gradients_match_finite_differences():
    model = MLP(2, [3, 3, 1], activation="tanh", seed=3)
    x = [0.7, -1.2]
    model(x).backward()
    eps = 1e-6
    for parameter in model.parameters():
        start = parameter.data
        with no_grad():
            parameter.data = start + eps
            plus = model(x).data
            parameter.data = start - eps
            minus = model(x).data
        parameter.data = start
        assert parameter.grad == pytest.approx((plus - minus) / (2 * eps), abs=1e-6)


def test_inputs_may_be_any_iterable_such_as_a_tuple():
    model = MLP(2, [2, 1], seed=0)
    assert model((1.0, 2.0)).data == model([1.0, 2.0]).data


def test_under_no_grad_a_forward_pass_records_no_graph():
    with no_grad():
        out = MLP(2, [3, 1], seed=0)([1.0, 2.0])
    assert out.parents == ()


# ---------------------------------------------------------------------- errors and repr


def test_wrong_input_length_names_the_expected_size():
    with pytest.raises(ValueError, match=r"expects 3 inputs, but was given 2"):
        MLP(3, [4, 1])([1.0, 2.0])


def test_a_bare_number_is_refused_with_a_hint_to_wrap_it():
    with pytest.raises(TypeError, match=r"expects a list of 1 inputs.*wrap a single input in a list: \[0\.5\]"):
        Neuron(1)(0.5)


def test_a_string_input_is_refused():
    with pytest.raises(TypeError, match=r"expects a list of 2 inputs .* but was given str"):
        Layer(2, 1)("ab")


def test_a_non_number_entry_is_named_by_position():
    with pytest.raises(TypeError, match=r"input 1 of Neuron\(2, activation='tanh'\) must be a number or a Value"):
        Neuron(2)([1.0, "2"])


def test_an_unknown_activation_lists_the_choices():
    choices = "'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softplus', 'linear'"
    with pytest.raises(ValueError, match=f"unknown activation 'gelu'; choose one of {choices}"):
        MLP(2, [3, 1], activation="gelu")


@pytest.mark.parametrize("nouts", [[], 3, [4, 0]])
def test_bad_layer_sizes_are_refused(nouts):
    with pytest.raises((TypeError, ValueError), match="nouts"):
        MLP(2, nouts)


def test_reprs_read_like_the_constructor_calls():
    assert repr(Neuron(3, "relu")) == "Neuron(3, activation='relu')"
    assert repr(Layer(3, 4)) == "Layer(3, 4, activation='tanh')"
    assert repr(MLP(2, [16, 16, 1], activation="relu")) == (
        "MLP(2, [16, 16, 1], activation='relu', output_activation='linear')"
    )

"""autograd.pytorch: MLPs to PyTorch and back with the same weights, and gradients compared with PyTorch's."""

import importlib
import math
import random
import subprocess
import sys

import pytest
from _shared import require_torch

from autograd import Value, no_grad
from autograd._installation import install_command
from autograd.engine import BUILT_IN_OPS
from autograd.nn import MLP, mse_loss

torch = require_torch()  # before the bridge is imported: it needs torch

from autograd.pytorch import _TORCH_METHODS, _row, compare_with_torch, from_torch, to_torch  # noqa: E402

ARCHITECTURES = [
    MLP(2, [16, 16, 1], activation="relu", seed=0),
    MLP(3, [4, 2], activation="tanh", seed=1),
    MLP(1, [1, 1, 1], activation="sigmoid", output_activation="tanh", seed=2),  # 1-wide layers
    MLP(2, [5, 1, 3], activation="linear", output_activation="sigmoid", seed=3),
    MLP(4, [2], output_activation="relu", seed=4),  # one layer: no hidden activation to keep
]


def random_inputs(nin: int, count: int, seed: int = 0) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(count)]


def outputs(model: MLP, x: list[float]) -> list[float]:
    result = model(x)
    return [v.data for v in (result if isinstance(result, list) else [result])]


# ---------------------------------------------------------------------- to_torch and from_torch


@pytest.mark.parametrize("model", ARCHITECTURES, ids=repr)
def test_a_round_trip_through_pytorch_keeps_every_weight_exactly(model):
    back = from_torch(to_torch(model))
    assert back.state_dict() == model.state_dict()
    assert repr(back) == repr(model)


def test_a_round_trip_from_pytorch_keeps_every_weight_exactly():
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(
        torch.nn.Linear(3, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 1),
        torch.nn.Tanh(),
        torch.nn.Linear(1, 2),
        torch.nn.Sigmoid(),
    ).double()
    back = to_torch(from_torch(torch_model))
    assert [type(layer) for layer in back] == [type(layer) for layer in torch_model]
    for ours, theirs in zip(back.state_dict().values(), torch_model.state_dict().values(), strict=True):
        assert torch.equal(ours, theirs)


@pytest.mark.parametrize("model", ARCHITECTURES, ids=repr)
def test_both_models_give_the_same_outputs_on_random_inputs(model):
    torch_model = to_torch(model)
    X = random_inputs(model.nin, 20)
    theirs = torch_model(torch.tensor(X, dtype=torch.float64)).tolist()
    for x, torch_outputs in zip(X, theirs):
        # equal up to float64 round-off: PyTorch adds the products of a weighted sum in another order
        assert outputs(model, x) == pytest.approx(torch_outputs, rel=1e-12, abs=1e-14)


def test_both_models_give_the_same_gradients_of_a_loss():
    model = MLP(2, [8, 8, 1], activation="tanh", seed=5)
    torch_model = to_torch(model)
    X, y = random_inputs(2, 10, seed=1), [1.0, -1.0] * 5

    mse_loss([model(x) for x in X], y).backward()
    prediction = torch_model(torch.tensor(X, dtype=torch.float64)).squeeze(1)
    torch.nn.functional.mse_loss(prediction, torch.tensor(y, dtype=torch.float64)).backward()

    ours = [p.grad for p in model.parameters()]  # neuron by neuron: its weights, then its bias
    theirs = [
        number
        for linear in torch_model[::2]
        for weights, bias in zip(linear.weight.grad.tolist(), linear.bias.grad.tolist())
        for number in [*weights, bias]
    ]
    assert len(ours) == len(theirs) == 105
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)


def test_to_torch_makes_float64_linear_and_activation_layers_and_no_layer_for_linear():
    torch_model = to_torch(MLP(2, [3, 3, 1], activation="relu", seed=0))
    assert [type(layer).__name__ for layer in torch_model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert all(p.dtype == torch.float64 for p in torch_model.parameters())


def test_to_torch_leaves_pytorchs_random_state_alone():
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    to_torch(MLP(2, [16, 1], seed=0))
    assert torch.equal(torch.rand(3), expected)


def test_from_torch_takes_identity_as_linear_and_a_single_linear_layer():
    linear = torch.nn.Linear(2, 3).double()
    assert repr(from_torch(torch.nn.Sequential(linear, torch.nn.Identity(), torch.nn.Linear(3, 1).double()))) == (
        "MLP(2, [3, 1], activation='linear', output_activation='linear')"
    )
    model = from_torch(linear)
    assert [w.data for w in model.layers[0].neurons[2].w] == linear.weight[2].tolist()
    assert model.layers[0].neurons[2].b.data == linear.bias[2].item()


def test_to_torch_refuses_what_is_not_an_mlp():
    with pytest.raises(TypeError, match=r"to_torch converts an autograd\.nn\.MLP, but was given list"):
        to_torch([1.0])


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (
            [torch.nn.Linear(2, 3, dtype=torch.float32)],
            r"needs float64 weights, but the weight of layer \(0\) .* is torch.float32\. "
            r"Convert the module first with module.double\(\)",
        ),
        ([torch.nn.Linear(2, 3, bias=False)], r"it has no bias \(bias=False\), but every neuron .* has one"),
        (
            [torch.nn.Linear(2, 3), torch.nn.Dropout(), torch.nn.Linear(3, 1)],
            r"cannot represent layer \(1\) Dropout\(p=0.5, inplace=False\): an autograd.nn.MLP is made of Linear",
        ),
        (
            [torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)],
            "one activation for all its hidden layers, but this module has "
            "'tanh' after Linear 0, 'relu' after Linear 1",
        ),
        ([torch.nn.Tanh(), torch.nn.Linear(2, 1)], "comes before any Linear layer"),
        ([torch.nn.Linear(2, 1), torch.nn.Tanh(), torch.nn.Sigmoid()], r"layer \(2\) Sigmoid\(\) follows another"),
        ([torch.nn.Linear(2, 3), torch.nn.Linear(4, 1)], "takes 4 inputs, but the Linear layer before it gives 3"),
        (
            [torch.nn.Linear(2, 3), torch.nn.LeakyReLU(0.2)],
            r"the engine's 'leaky_relu' is LeakyReLU\(negative_slope=0.01",
        ),
        ([torch.nn.ReLU()], "has no Linear layer"),
    ],
    ids=["float32", "no bias", "dropout", "mixed", "activation first", "two activations", "sizes", "slope", "empty"],
)
def test_from_torch_refuses_what_an_mlp_cannot_represent(layers, message):
    module = torch.nn.Sequential(*layers)
    if "float32" not in message:
        module = module.double()
    with pytest.raises(ValueError, match=message):
        from_torch(module)


def test_from_torch_refuses_a_module_that_is_not_a_sequential():
    with pytest.raises(TypeError, match=r"converts a torch\.nn\.Sequential .* but was given Conv1d"):
        from_torch(torch.nn.Conv1d(1, 1, 1))


def test_from_torch_refuses_weights_that_are_not_finite():
    linear = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        linear.bias.fill_(float("nan"))
    with pytest.raises(ValueError, match=r"the bias of layer .* holds nan or inf"):
        from_torch(linear)


# ---------------------------------------------------------------------- compare_with_torch


def seed_loss(w, x, b, y):
    """The seed's L = ½(σ(wx + b) − y)²."""
    return 0.5 * ((w * x + b).sigmoid() - y) ** 2


def test_compare_with_torch_agrees_on_the_seed_example():
    result = compare_with_torch(seed_loss, [0.5, 1.5, 0.1, 1.0])
    assert result.ok
    assert [row.quantity for row in result.rows] == ["f", "∂f/∂w", "∂f/∂x", "∂f/∂b", "∂f/∂y"]
    f, dw, dx, db, dy = result.rows
    assert f.ours == pytest.approx(0.0448300181, abs=1e-10)
    assert dw.ours == pytest.approx(-0.0942193130, abs=1e-10)
    assert dx.ours == pytest.approx(-0.0314064377, abs=1e-10)
    assert db.ours == pytest.approx(-0.0628128753, abs=1e-10)
    assert dy.ours == pytest.approx(0.2994328575, abs=1e-10)
    assert all(abs(row.ours - row.torch) <= 1e-15 for row in result.rows)


def test_a_gradient_lost_through_data_is_flagged_as_differing():
    result = compare_with_torch(lambda x: x * x.data, [3.0])  # meant x², but x.data is a plain number here
    assert not result.ok
    assert [row.quantity for row in result.differing] == ["∂f/∂x"]
    assert (result.rows[1].ours, result.rows[1].torch) == (3.0, 6.0)
    assert "∂f/∂x  3.0   6.0      3           DIFFERS" in str(result)
    assert "1 of 2 DIFFER beyond float64 round-off" in str(result)


def test_every_op_agrees_with_pytorch():
    result = compare_with_torch(
        lambda a, b: ((a * b - a / b + b**2 + a**b - 2**a + 1 / b - (-a)) * 3 - 1).tanh() + (a + 1).log(),
        [0.7, 1.3],
    )
    assert result.ok, str(result)


@pytest.mark.parametrize("method", [name for name in _TORCH_METHODS if hasattr(Value, name)])
def test_every_value_method_agrees_with_its_pytorch_counterpart(method):
    for x in [0.7, 2.5]:
        result = compare_with_torch(lambda v: getattr(v, method)(), [x])
        assert result.ok, str(result)


def test_every_op_of_the_engine_called_as_a_method_has_a_pytorch_counterpart():
    methods = {op.name for op in BUILT_IN_OPS if op.name.isidentifier() and hasattr(Value, op.name)}
    assert methods == {"exp", "log", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "sin", "cos", "sqrt", "abs"}
    assert methods - set(_TORCH_METHODS) == set()


def test_inputs_are_named_by_a_dict_by_labels_or_by_the_functions_parameters():
    assert [row.quantity for row in compare_with_torch(lambda p, q: p * q, {"u": 1.0, "v": 2.0}).rows[1:]] == [
        "∂f/∂u",
        "∂f/∂v",
    ]
    assert compare_with_torch(lambda p, q: p * q, [Value(1.0, "w"), 2.0]).inputs == {"w": 1.0, "q": 2.0}
    assert compare_with_torch(lambda *xs: xs[0] * xs[1], [1.0, 2.0]).inputs == {"x0": 1.0, "x1": 2.0}


def test_an_input_the_function_does_not_use_has_gradient_zero_in_both():
    result = compare_with_torch(lambda x, y: x * 2, [1.0, 5.0])
    assert result.ok and (result.rows[2].ours, result.rows[2].torch) == (0.0, 0.0)


def test_compare_with_torch_shows_a_table_in_notebooks():
    result = compare_with_torch(lambda x: x * x.data, [3.0])
    assert "| ∂f/∂x | 3.0 | 6.0 | 3 | DIFFERS |" in result._repr_markdown_()
    assert '<tr style="color: #c00"><td>∂f/∂x</td><td>3.0</td><td>6.0</td>' in result._repr_html_()


def test_compare_with_torch_refuses_the_wrong_number_of_inputs():
    with pytest.raises(ValueError, match=r"fn\(w, x, b, y\) cannot be called with 3 input\(s\)"):
        compare_with_torch(seed_loss, [0.5, 1.5, 0.1])


def test_compare_with_torch_asks_for_a_list_of_inputs():
    with pytest.raises(TypeError, match=r"wrap a single input in a list: \[2.0\]"):
        compare_with_torch(lambda x: x, 2.0)


def test_compare_with_torch_needs_a_value_back():
    with pytest.raises(TypeError, match=r"returned float: 3.0 \(.data gives a plain number: return the Value itself"):
        compare_with_torch(lambda x: x.data, [3.0])


def test_compare_with_torch_explains_a_function_that_cannot_run_in_pytorch():
    with pytest.raises(TypeError, match=r"fn runs on Values but failed on PyTorch's stand-ins .* Value\(\.\.\.\)"):
        compare_with_torch(lambda x: Value(x.data) * x, [2.0])


def test_compare_with_torch_refuses_a_negative_tolerance():
    with pytest.raises(ValueError, match="needs tol, a relative tolerance such as 1e-12, but was given -1"):
        compare_with_torch(lambda x: x, [1.0], tol=-1)


# ---------------------------------------------------------------------- PyTorch stays optional


def test_nothing_else_in_the_package_imports_pytorch():
    modules = "autograd, autograd.nn, autograd.optim, autograd.data, autograd.drawing, autograd.teaching, autograd.cli"
    code = f"import sys, {modules}; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_without_pytorch_the_import_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if PyTorch were not installed
    monkeypatch.delitem(sys.modules, "autograd.pytorch")
    with pytest.raises(ImportError, match=r'pip install .*\[torch\]".*CPU build') as raised:
        importlib.import_module("autograd.pytorch")
    assert install_command("torch") in str(raised.value)  # as it works from here: a checkout, or the index


# ---------------------------------------------------------------------- what the bridge and the oracle must never pass


class ScaledLinear(torch.nn.Linear):
    """A Linear layer that computes something else: from_torch would copy its weights and lose the scale."""

    def forward(self, input):
        return super().forward(input) * 0.5


class LoggingSequential(torch.nn.Sequential):
    def forward(self, input):
        return super().forward(input) + 1.0


def test_from_torch_refuses_a_subclass_of_linear_with_its_own_forward():
    module = torch.nn.Sequential(ScaledLinear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()
    with pytest.raises(ValueError, match=r"layer \(0\) .* is a ScaledLinear, a subclass of torch\.nn\.Linear"):
        from_torch(module)
    with pytest.raises(ValueError, match=r"subclass of torch\.nn\.Linear"):
        from_torch(ScaledLinear(2, 1).double())


def test_from_torch_refuses_a_subclass_of_sequential_and_a_layer_with_a_forward_hook():
    with pytest.raises(ValueError, match=r"the module: it is a LoggingSequential, a subclass of torch\.nn\.Sequential"):
        from_torch(LoggingSequential(torch.nn.Linear(2, 1)).double())
    hooked = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    hooked[1].register_forward_hook(lambda module, inputs, output: output * 2)
    with pytest.raises(ValueError, match=r"layer \(1\) ReLU\(\): it has forward hooks"):
        from_torch(hooked)


def test_from_torch_accepts_an_inplace_relu_and_computes_the_same():
    module = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(inplace=True), torch.nn.Linear(4, 1)).double()
    model = from_torch(module)
    assert model.layers[0].activation == "relu"
    for point in ([0.3, -1.2], [2.0, 0.5]):
        assert model(point).data == pytest.approx(module(torch.tensor(point, dtype=torch.float64)).item(), rel=1e-12)


@pytest.mark.parametrize(
    ("ours", "theirs"), [(math.inf, 1.0), (1.0, math.inf), (math.inf, -math.inf), (math.nan, 1.0), (-math.inf, 0.0)]
)
def test_a_row_with_an_infinity_or_nan_agrees_only_with_the_same(ours, theirs):
    row = _row("f", ours, theirs, 1e-12)
    assert not row.ok and row.difference == math.inf
    assert _row("f", ours, ours, 1e-12).ok


def test_compare_with_torch_never_calls_an_infinity_against_a_number_ok():
    result = compare_with_torch(lambda x: x * x.data, [1e308])  # ∂f/∂x: ours x = 1e308, PyTorch's 2x = ∞
    assert [row.ok for row in result.rows] == [True, False]  # f = ∞ in both
    assert "DIFFER" in str(result) and "All agree" not in str(result)


def test_compare_with_torch_takes_leaky_relu_with_a_slope():
    for x in (-1.5, 0.0, 2.0):
        result = compare_with_torch(lambda x: x.leaky_relu(0.2) * 3.0 + x.leaky_relu(), [x])
        assert result.ok, str(result)
    slope_as_input = compare_with_torch(lambda x, s: x.leaky_relu(s), [-2.0, 0.3])
    assert slope_as_input.ok and slope_as_input.rows[2].ours == -2.0  # ∂/∂slope of slope · x = x


def test_compare_with_torch_inside_no_grad_compares_the_same_and_leaves_outside_grads():
    w = Value(0.5, "w")
    w.grad = 0.25
    with no_grad():
        result = compare_with_torch(lambda x: (x * w).tanh(), [1.5])
    assert result.ok, str(result)
    assert result.rows[1].ours == pytest.approx(0.5 * (1 - math.tanh(0.75) ** 2), rel=1e-14)
    assert w.grad == 0.25


def test_an_inputs_name_cannot_break_the_markdown_table():
    result = compare_with_torch(lambda a: a * 2.0, {"|x|\n**w**": 1.0})
    markdown = result._repr_markdown_()
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(rows) == 4 and all(line.count("|") - line.count("\\|") == 6 for line in rows)
    assert "\\*\\*w\\*\\*" in markdown and "\n**w**" not in markdown

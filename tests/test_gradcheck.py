"""gradcheck cannot be fooled: a nan never passes, and eps and tol are checked."""

import math

import pytest

from autograd import GradcheckError, Value, gradcheck, no_grad
from autograd.engine import Op


def test_a_function_whose_value_is_nan_never_passes():
    with pytest.raises((GradcheckError, ValueError), match="nan"):
        gradcheck(lambda x: x * float("nan"), [1.0])
    assert gradcheck(lambda x: x * float("nan"), [1.0], raise_exception=False) is False


def test_a_slope_that_is_nan_is_a_mismatch():
    def nan_away_from_one(x: Value) -> Value:  # finite at x = 1, nan at 1 ± eps
        return x * (1.0 if x.data == 1.0 else math.nan)

    with pytest.raises(GradcheckError, match="finite differences give nan, the engine gives 1"):
        gradcheck(nan_away_from_one, [1.0])


@pytest.mark.parametrize("tol", [math.nan, math.inf, -1e-4, "1e-4"])
def test_a_tolerance_that_is_not_a_finite_number_at_least_zero_is_refused(tol):
    with pytest.raises(ValueError, match=r"gradcheck needs tol to be a finite number ≥ 0, but was given"):
        gradcheck(lambda x: x * x.data, [2.0], tol=tol)  # a wrong gradient: must never pass


@pytest.mark.parametrize("eps", [math.nan, 0, 0.0, -1e-6, math.inf])
def test_a_step_that_is_not_a_finite_number_above_zero_is_refused(eps):
    with pytest.raises(ValueError, match=r"gradcheck needs eps to be a finite number > 0, but was given"):
        gradcheck(lambda x: x * x.data, [2.0], eps=eps)


def test_a_zero_tolerance_still_passes_a_gradient_that_is_exact():
    assert gradcheck(lambda x: 3 * x, [2.0], eps=0.5, tol=0)


def test_inside_no_grad_gradcheck_checks_the_same():
    with no_grad():
        assert gradcheck(lambda x, y: x * y.sigmoid(), [2.0, -1.0])
        wrong = Op("wrong_square", lambda x: x * x, lambda out, x: 3.0 * x)  # 3x where 2x is right
        assert gradcheck(lambda x: wrong(x), [1.5], raise_exception=False) is False


def test_a_value_f_reads_from_outside_keeps_its_grad():
    w = Value(0.5, "w")
    w.grad = 0.25
    assert gradcheck(lambda x: (w * x).tanh(), [1.5])
    assert w.grad == 0.25

"""The public API as `autograd/__init__.py` exports it: nothing that hides a builtin, one naming for drawing."""

import builtins

import pytest

import autograd
from autograd import Value, draw_dot, save_svg, to_svg


def test_a_star_import_hides_no_builtin():
    assert not [name for name in autograd.__all__ if hasattr(builtins, name)]
    namespace: dict[str, object] = {}
    exec("from autograd import *", namespace)
    assert "compile" not in namespace


def test_compile_is_still_importable_by_name():
    from autograd import compile

    assert compile is autograd.compiler.compile


def test_both_drawing_errors_are_exported_beside_each_other():
    from autograd import RendererNotFoundError, RenderError

    assert {"RenderError", "RendererNotFoundError"} <= set(autograd.__all__)
    assert issubclass(RenderError, RuntimeError) and issubclass(RendererNotFoundError, RuntimeError)


def test_to_svg_and_save_svg_take_a_value_or_a_drawn_graph(tmp_path):
    loss = Value(2.0, "x") * 3
    assert to_svg(draw_dot(loss)) == to_svg(loss)
    saved = save_svg(draw_dot(loss), tmp_path / "graph.svg")
    assert saved.read_text(encoding="utf-8") == to_svg(loss)


def test_the_older_name_render_svg_still_draws_a_graph():
    from autograd import render_svg

    assert render_svg(draw_dot(Value(1.0, "x"))) == to_svg(Value(1.0, "x"))


def test_a_drawn_graph_with_draw_options_is_refused_with_what_to_do():
    with pytest.raises(TypeError, match="pass the options to draw_dot"):
        to_svg(draw_dot(Value(1.0, "x")), rankdir="TB")

"""draw_dot, to_svg, save_svg: real SVGs, parsed as XML, read back for labels, data and grads."""

import base64
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import graphviz
import pytest
from _shared import TwoNeuronLayer, require_dot_program, seed_neuron

from autograd import Constant, Value
from autograd._installation import install_command
from autograd.drawing import RendererNotFoundError, draw_dot, render_svg, save_svg, to_svg
from autograd.nn import MLP

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<b>"x"</b> & {y} | z \\'


def svg_texts(svg: str) -> list[str]:
    """Every text element of an SVG, as the reader sees it."""
    return ["".join(element.itertext()) for element in ET.fromstring(svg).iter(f"{SVG}text")]


def box_line(dot: graphviz.Digraph, label: str) -> str:
    """The DOT line that declares the box labelled `label`."""
    return next(line.strip() for line in dot.source.splitlines() if f"<B>{label}</B>" in line)


def box_id(dot: graphviz.Digraph, label: str) -> str:
    return box_line(dot, label).split()[0]


@pytest.fixture
def no_dot_program(monkeypatch: pytest.MonkeyPatch) -> None:
    """Graphviz's `dot` is not on PATH (pygraphviz may still be there)."""
    monkeypatch.setenv("PATH", "")


@pytest.fixture
def no_renderer(no_dot_program: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither `dot` nor pygraphviz: importing pygraphviz fails."""
    monkeypatch.setitem(sys.modules, "pygraphviz", None)


# ---------------------------------------------------------------------- what a box shows


def test_every_value_shows_its_label_data_and_grad_in_the_svg():
    require_dot_program()
    texts = svg_texts(to_svg(seed_neuron(backward=True).loss, renderer="dot"))
    for label in ["w", "x", "b", "y", "z", "a", "L"]:
        assert label in texts
    assert "data 0.5" in texts  # w
    assert "data 0.85" in texts  # z = 0.5 · 1.5 + 0.1
    assert "data 0.7006" in texts  # a = σ(0.85), to 4 significant digits
    assert "grad −0.09422" in texts  # ∂L/∂w = (a − y)·σ'(z)·x
    assert "grad 1" in texts  # ∂L/∂L


def test_ops_are_drawn_with_their_symbols_and_the_plain_numbers_as_constants():
    texts = svg_texts(to_svg(seed_neuron(backward=True).loss))
    for symbol in ["×", "+", "σ", "−", "**2"]:
        assert symbol in texts
    assert "0.5" in texts  # the ½ of ½(a − y)², a constant box of its own
    assert "2" not in texts  # the exponent is written on its op, "**2", not drawn again


def test_all_op_symbols():
    x = Value(2.0, "x")
    graph = (-((x - 1) / x).exp().log().tanh().relu()).sigmoid()
    texts = svg_texts(to_svg(graph))
    for symbol in ["−", "÷", "exp", "log", "tanh", "ReLU", "neg", "σ"]:
        assert symbol in texts


def test_operands_of_a_subtraction_are_labelled_1st_and_2nd_never_like_a_value():
    left, right = Value(5.0, "left"), Value(3.0, "right")
    dot = draw_dot(left - right)
    assert f'{box_id(dot, "left")} -> v2_op [label="1st"]' in dot.source
    assert f'{box_id(dot, "right")} -> v2_op [label="2nd"]' in dot.source


def test_a_plus_a_is_drawn_with_two_edges():
    a = Value(3.0, "a")
    dot = draw_dot(a + a)
    assert dot.source.count("v0 -> v1_op") == 2
    assert svg_texts(to_svg(a + a)).count("a") == 1  # and one box for a


def test_numbers_are_shown_with_the_precision_asked_for():
    x = Value(0.123456789, "x")
    assert "data 0.1235" in draw_dot(x).source
    assert "data 0.12<" in draw_dot(x, precision=2).source
    assert "data 0<" in draw_dot(Value(-0.0)).source  # no "-0"


def test_show_grad_false_leaves_out_the_grad_rows():
    texts = svg_texts(to_svg(seed_neuron(backward=True).loss, show_grad=False))
    assert not any(text.startswith("grad") for text in texts)
    assert "data 0.85" in texts


# ---------------------------------------------------------------------- gradients not yet computed


def test_before_backward_gradients_read_as_not_computed():
    texts = svg_texts(to_svg(seed_neuron().loss))
    assert texts.count("grad —") == 10  # every box but the constant ½: 7 labelled, 3 not
    assert "grad 0" not in texts


def test_a_gradient_of_zero_reads_differently_from_not_computed():
    x = Value(-2.0, "x")
    y = x.relu()
    y.backward()  # relu is flat at −2: ∂y/∂x = 0
    texts = svg_texts(to_svg(y))
    assert "grad 0" in texts
    assert "grad —" not in texts


def test_grads_mapping_replaces_value_grad_and_missing_values_read_as_not_computed():
    graph = seed_neuron(backward=True)
    dot = draw_dot(graph.loss, grads={graph.loss: 1.0, graph.a: -0.2994})
    texts = svg_texts(render_svg(dot))
    assert "grad 1" in texts
    assert "grad −0.2994" in texts
    assert texts.count("grad —") == 8  # the 10 boxes with a grad row, but L and a
    assert "grad −0.09422" not in texts  # w.grad is ignored


def test_grads_mapping_may_be_empty():
    graph = seed_neuron(backward=True)
    assert svg_texts(to_svg(graph.loss, grads={})).count("grad —") == 10


def test_names_label_the_unlabelled_values_and_a_values_own_label_wins():
    x = Value(2.0, "x")
    product = x * 3
    dot = draw_dot(product, names={product: "t1", x: "ignored", product.parents[1]: "three"})
    texts = svg_texts(render_svg(dot))
    assert "t1" in texts and "x" in texts
    assert "ignored" not in texts
    assert "three" not in texts and "3" in texts  # an unlabelled constant stays its number


# ---------------------------------------------------------------------- labels are escaped


@pytest.mark.parametrize("renderer", ["dot", "pygraphviz"])
@pytest.mark.parametrize(
    "label",
    [HOSTILE, "\\", "back\\slash\\", "\\N \\G \\l", "{}|<>", "]]> <!-- -->", "&amp;", "'quoted'", "<<x>>"],
)
def test_hostile_labels_render_literally(label, renderer):
    if renderer == "dot":
        require_dot_program()
    x = Value(1.0, label)
    svg = to_svg(x * 2, renderer=renderer)
    assert label in svg_texts(svg)
    assert not list(ET.fromstring(svg).iter(f"{SVG}b")) and not list(ET.fromstring(svg).iter("b"))


def test_a_newline_in_a_label_starts_a_new_line_and_control_characters_show_as_escapes():
    texts = svg_texts(to_svg(Value(1.0, "first\nsecond\x07")))
    assert "first" in texts
    assert "second\\x07" in texts


def test_a_hostile_label_does_not_break_the_dot_source():
    dot = draw_dot(Value(1.0, HOSTILE) + Value(2.0, '"; v0 -> v1; "'))
    edges = [line for line in dot.source.splitlines() if line.split(maxsplit=2)[1:2] == ["->"]]
    assert len(edges) == 3  # two operands into the op, the op into the sum
    assert repr(dot) == "<ComputationGraph with 4 nodes and 3 edges>"  # 3 boxes and an op


# ---------------------------------------------------------------------- determinism


def test_same_graph_gives_byte_identical_dot():
    assert draw_dot(seed_neuron(backward=True).loss).source == draw_dot(seed_neuron(backward=True).loss).source


def test_dot_is_byte_identical_across_processes():
    program = (
        "from autograd import Value\n"
        "from autograd.drawing import draw_dot\n"
        "w, x, b = Value(0.5, 'w'), Value(1.5, 'x'), Value(0.1, 'b')\n"
        "loss = 0.5 * ((w * x + b).sigmoid() - 1.0) ** 2\n"
        "loss.backward()\n"
        "print(draw_dot(loss).source)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ["1", "2"]
    ]
    assert runs[0] == runs[1]
    assert "->" in runs[0]


# ---------------------------------------------------------------------- roles and highlight


def fake_network() -> tuple[TwoNeuronLayer, Value]:
    model = TwoNeuronLayer()
    x = [Value(1.0, "x0"), Value(-2.0, "x1")]
    first, second = model(x)
    loss = (first + second - 1.0) ** 2
    loss.backward()
    return model, loss


def test_roles_are_styled_differently():
    model, loss = fake_network()
    dot = draw_dot(loss, model=model, max_nodes=None)
    source = dot.source
    one = next(line for line in source.splitlines() if "label=<1>" in line)
    assert 'fillcolor="#dbeafe"' in box_line(dot, "x0") and 'tooltip="input:' in box_line(dot, "x0")
    assert 'fillcolor="#fde68a"' in box_line(dot, "w0")  # a parameter
    assert 'fillcolor="#f3f4f6"' in one and "dashed" in one  # the constant 1
    assert any('fillcolor="#bbf7d0"' in line and "output:" in line for line in source.splitlines())
    assert any('fillcolor="#ffffff"' in line and "intermediate:" in line for line in source.splitlines())


def test_the_legend_names_the_roles_drawn_in_their_colours():
    texts = svg_texts(to_svg(seed_neuron(backward=True).loss, legend=True))
    assert "legend" in texts
    for role in ["input", "intermediate", "constant", "output"]:
        assert role in texts
    assert "parameter" not in texts  # no parameter in this graph


def test_a_labelled_constant_is_still_a_constant():
    dot = draw_dot(Constant(2.0, "two") * Value(3.0, "x"))
    assert 'tooltip="constant:' in box_line(dot, "two")


def test_highlighting_a_leaf_marks_only_its_box():
    graph = seed_neuron(backward=True)
    dot = draw_dot(graph.loss, highlight=graph.w)
    marked = [line for line in dot.source.splitlines() if "#dc2626" in line]
    assert len(marked) == 1 and "<B>w</B>" in marked[0]


def test_highlighting_a_result_marks_its_box_its_op_and_the_edges_of_that_step():
    graph = seed_neuron(backward=True)
    dot = draw_dot(graph.loss, highlight=graph.a)
    marked = [line.strip() for line in dot.source.splitlines() if "#dc2626" in line]
    a_id, z_id = box_id(dot, "a"), box_id(dot, "z")
    assert box_line(dot, "a") in marked
    assert len(marked) == 4  # a's box, its σ oval, the edge z → σ, the edge σ → a
    assert any(line.startswith(f"{a_id}_op [label=<σ>") for line in marked)
    assert any(line.startswith(f"{z_id} -> {a_id}_op") for line in marked)
    assert any(line.startswith(f"{a_id}_op -> {a_id} ") for line in marked)


def test_highlight_takes_several_values_and_shows_in_the_svg():
    graph = seed_neuron(backward=True)
    svg = to_svg(graph.loss, highlight=[graph.w, graph.x])
    strokes = [element.get("stroke") for element in ET.fromstring(svg).iter(f"{SVG}path")]
    assert strokes.count("#dc2626") == 2


def test_highlight_of_a_value_outside_the_graph_is_a_clear_error():
    with pytest.raises(ValueError, match="not in the graph"):
        draw_dot(seed_neuron(backward=True).loss, highlight=Value(1.0, "stranger"))
    with pytest.raises(TypeError, match="takes a Value or Values"):
        draw_dot(seed_neuron(backward=True).loss, highlight=[1.0])


# ---------------------------------------------------------------------- the two renderers, and none


def test_renders_with_the_dot_program():
    require_dot_program()
    svg = render_svg(draw_dot(seed_neuron(backward=True).loss), renderer="dot")
    assert "data 0.85" in svg_texts(svg)


def test_renders_with_pygraphviz_when_dot_is_not_on_path(no_dot_program):
    svg = to_svg(seed_neuron(backward=True).loss)  # "auto" has to fall back to pygraphviz
    assert "data 0.85" in svg_texts(svg)


def test_asking_for_dot_when_it_is_missing_says_how_to_get_it(no_dot_program):
    with pytest.raises(RendererNotFoundError, match="apt-get install graphviz"):
        to_svg(Value(1.0), renderer="dot")


def test_no_renderer_says_exactly_how_to_get_one(no_renderer):
    with pytest.raises(RendererNotFoundError) as raised:
        to_svg(Value(1.0, "x"))
    message = str(raised.value)
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert install_command("render") in message  # the command that works from here (a checkout, or the index)


def test_render_svg_rejects_what_is_not_a_graph():
    with pytest.raises(TypeError, match=r"takes a graphviz\.Digraph"):
        render_svg("digraph { a -> b }")  # type: ignore[arg-type]


def pictures_in(html: str) -> list[str]:
    """The SVG of every <img> of a notebook's HTML output (they travel as data: URLs)."""
    encoded = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    return [base64.b64decode(data).decode("utf-8") for data in encoded]


def test_jupyter_displays_the_graph_as_an_image_of_its_svg():
    bundle = draw_dot(seed_neuron(backward=True).loss)._repr_mimebundle_()
    assert sorted(bundle) == ["text/html", "text/plain"]
    assert "<svg" not in bundle["text/html"]  # an untrusted notebook sanitizes inline SVG into a jumble of text
    picture = pictures_in(bundle["text/html"])[0]
    assert "data 0.85" in svg_texts(picture)


def test_a_notebook_picture_fits_the_output_width_and_a_wide_one_opens_at_full_size():
    small = draw_dot(seed_neuron(backward=True).loss)._repr_mimebundle_()["text/html"]
    assert "width:100%" in small and "max-width:" in small  # scaled down to fit, never blown up past its size
    model = MLP(2, [4, 4, 1], seed=0)
    wide = draw_dot(model([0.5, -1.0]), model=model)._repr_mimebundle_()["text/html"]
    natural = float(re.search(r"max-width:(\d+)px", wide).group(1))
    assert natural > 800
    assert "<details>" in wide and f"width:{natural:.0f}px;max-width:none" in wide
    assert len(pictures_in(wide)) == 2


def test_jupyter_asked_for_svg_gets_the_svg_itself():
    bundle = draw_dot(seed_neuron(backward=True).loss)._repr_mimebundle_(include=["image/svg+xml"])
    assert list(bundle) == ["image/svg+xml"]
    assert "data 0.85" in svg_texts(bundle["image/svg+xml"])


def test_jupyter_displays_svg_through_pygraphviz_without_dot(no_dot_program):
    bundle = draw_dot(seed_neuron(backward=True).loss)._repr_mimebundle_()
    assert "data 0.85" in svg_texts(pictures_in(bundle["text/html"])[0])


def test_jupyter_without_a_renderer_shows_the_dot_source_and_a_hint(no_renderer):
    dot = draw_dot(seed_neuron(backward=True).loss)
    bundle = dot._repr_mimebundle_()
    hint, source = bundle["text/plain"].split("\n", 1)
    assert source == dot.source
    assert "apt-get install graphviz" in hint and install_command("render") in hint


def test_jupyter_asked_for_plain_text_only_gets_the_dot_source():
    dot = draw_dot(Value(1.0, "x"))
    assert dot._repr_mimebundle_(include=["text/plain"])["text/plain"].endswith(dot.source)
    assert dot._repr_mimebundle_(include=["image/png"]) == {}


# ---------------------------------------------------------------------- to_svg and save_svg


def test_save_svg_writes_a_parseable_svg(tmp_path):
    path = save_svg(seed_neuron(backward=True).loss, tmp_path / "neuron.svg")
    assert path == tmp_path / "neuron.svg"
    assert "data 0.85" in svg_texts(path.read_text(encoding="utf-8"))
    assert os.listdir(tmp_path) == ["neuron.svg"]  # no temporary file left behind
    assert path.stat().st_mode & 0o777 == 0o644


def test_save_svg_replaces_an_existing_file_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "graph.svg"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o600)
    save_svg(Value(2.0, "x") * 3, str(path))
    assert "data 6" in svg_texts(path.read_text(encoding="utf-8"))
    assert path.stat().st_mode & 0o777 == 0o600


def test_save_svg_leaves_the_old_file_untouched_when_drawing_fails(tmp_path, no_renderer):
    path = tmp_path / "graph.svg"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RendererNotFoundError):
        save_svg(Value(1.0), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["graph.svg"]


def test_save_svg_into_a_missing_folder_names_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_svg(Value(1.0), tmp_path / "no such folder" / "graph.svg")


def test_to_svg_passes_draw_dot_options_on():
    texts = svg_texts(to_svg(seed_neuron(backward=True).loss, show_grad=False, rankdir="TB"))
    assert "data 0.85" in texts and not any(text.startswith("grad") for text in texts)


# ---------------------------------------------------------------------- arguments checked


def test_draw_dot_explains_wrong_arguments():
    with pytest.raises(TypeError, match="draws the graph of a Value"):
        draw_dot(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir must be one of LR, RL, TB, BT"):
        draw_dot(Value(1.0), rankdir="left")
    with pytest.raises(TypeError, match="grads must be a mapping"):
        draw_dot(Value(1.0), grads=[1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        draw_dot(Value(1.0), max_nodes=0)
    with pytest.raises(TypeError, match="named_parameters"):
        draw_dot(Value(1.0), model=object())  # type: ignore[arg-type]


def test_rankdir_reaches_the_graph():
    assert "rankdir=TB" in draw_dot(Value(1.0), rankdir="TB").source


def test_the_returned_digraph_can_be_restyled_with_the_graphviz_api():
    dot = draw_dot(seed_neuron(backward=True).loss)
    assert isinstance(dot, graphviz.Digraph)
    dot.attr(bgcolor="lightyellow")
    assert 'fill="lightyellow"' in render_svg(dot)


def test_renderer_must_be_one_of_the_known_ones():
    with pytest.raises(ValueError, match=r"'auto', 'dot', 'pygraphviz' or 'viz\.js'"):
        to_svg(Value(1.0), renderer="cairo")  # type: ignore[arg-type]


def test_a_lone_leaf_is_drawn():
    assert svg_texts(to_svg(Value(4.0, "x"))) == ["x", "data 4", "grad —"]


def test_repr_has_no_memory_address_so_saved_notebooks_stay_stable():
    x = Value(2.0, "x")
    first, second = repr(draw_dot(x * x + 1)), repr(draw_dot(x * x + 1))
    assert first == second == "<ComputationGraph with 6 nodes and 6 edges>"


def test_save_svg_to_a_folder_names_the_folder_and_writes_nothing(tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="this is a folder") as raised:
        save_svg(Value(1.0, "x"), folder)
    assert raised.value.filename == str(folder)
    assert os.listdir(tmp_path) == ["pictures"] and os.listdir(folder) == []


# ---------------------------------------------------------------------- any label can be drawn, by either renderer


@pytest.mark.parametrize("renderer", ["dot", "pygraphviz"])
@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("a\uffffb", "a\\uffffb"),
        ("a\ufffeb", "a\\ufffeb"),
        ("a\ufdd0b", "a\\ufdd0b"),
        ("a\udcffb", "a\\udcffb"),
        ("a\x00b\x1b[31m", "a\\x00b\\x1b[31m"),
    ],
)
def test_a_label_with_characters_that_cannot_be_shown_is_drawn_with_visible_escapes(label, shown, renderer):
    if renderer == "dot":
        require_dot_program()
    texts = svg_texts(to_svg(Value(1.0, label) * 2, renderer=renderer))
    assert shown in texts  # the box is there, with its label made visible
    assert "data 2" in texts


@pytest.mark.parametrize("renderer", ["dot", "pygraphviz"])
def test_a_very_long_label_is_shortened_in_its_box_and_whole_in_its_tooltip(renderer):
    if renderer == "dot":
        require_dot_program()
    long_label = "<&>" * 10_000  # 150 KB once escaped
    texts = svg_texts(to_svg(Value(1.0, long_label) * 2, renderer=renderer))
    assert "<&><&><&>" + "<&>" * 16 + "<&…" in texts  # 60 characters, the last one "…"
    readable = "verylonglabel" * 10  # 130 characters: shortened in the box, whole on hover
    svg = to_svg(Value(1.0, readable), renderer=renderer)
    assert readable[:59] + "…" in svg_texts(svg)
    assert readable in svg.replace("&#10;", "\n")


def test_jupyter_falls_back_to_pygraphviz_when_the_dot_program_fails(monkeypatch):
    require_dot_program()

    def broken_dot(*args, **kwargs):
        raise subprocess.CalledProcessError(1, ["dot", "-Tsvg"], stderr=b"Error: something went wrong")

    monkeypatch.setattr(graphviz.Source, "pipe", broken_dot)
    bundle = draw_dot(seed_neuron(backward=True).loss)._repr_mimebundle_()
    assert "data 0.85" in svg_texts(pictures_in(bundle["text/html"])[0])


def test_jupyter_shows_the_dot_source_and_why_when_every_renderer_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise subprocess.CalledProcessError(1, ["dot", "-Tsvg"])

    monkeypatch.setattr(graphviz.Source, "pipe", broken)
    pygraphviz = pytest.importorskip("pygraphviz")
    monkeypatch.setattr(pygraphviz.AGraph, "draw", lambda *args, **kwargs: broken())
    dot = draw_dot(Value(1.0, "x"))
    hint, source = dot._repr_mimebundle_()["text/plain"].split("\n", 1)
    assert source == dot.source
    assert hint.startswith("(DOT source shown because the graph could not be drawn: Cannot draw the graph:")
    assert "pygraphviz failed" in hint


# ---------------------------------------------------------------------- PNG and PDF, with either renderer


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("renderer", ["dot", "pygraphviz"])
def test_pipe_and_render_give_png_and_pdf_with_either_renderer(renderer, tmp_path, monkeypatch):
    if renderer == "dot":
        require_dot_program()
    else:
        monkeypatch.setenv("PATH", "")  # no `dot`: pygraphviz has to draw
    dot = draw_dot(seed_neuron(backward=True).loss, format="png")
    width, height = png_size(dot.pipe())
    assert 300 < width < 3000 and 50 < height < 1000  # the seed's graph: wide, not tall
    assert dot.pipe(format="pdf")[:5] == b"%PDF-"
    path = dot.render(tmp_path / "seed")
    assert path == str(tmp_path / "seed.png")
    assert png_size((tmp_path / "seed.png").read_bytes()) == (width, height)
    assert dot.render(tmp_path / "seed", format="pdf", cleanup=True) == str(tmp_path / "seed.pdf")
    assert (tmp_path / "seed.pdf").read_bytes()[:5] == b"%PDF-"


def test_draw_dot_format_must_be_one_it_can_draw():
    assert draw_dot(Value(1.0)).format == "svg"
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf, but was given 'gif'"):
        draw_dot(Value(1.0), format="gif")


def _stderr_of_a_pygraphviz_render(dot_source: str) -> str:
    script = (
        "from autograd.drawing.render import render_dot\n"
        f"render_dot({dot_source!r}, 'svg', renderer='pygraphviz')\n"
        f"render_dot({dot_source!r}, 'png', renderer='pygraphviz')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    return run.stderr


def test_a_pygraphviz_render_prints_nothing_on_stderr():
    assert _stderr_of_a_pygraphviz_render('digraph { a -> b [label="x"] }') == ""


def test_a_real_graphviz_warning_during_a_pygraphviz_render_still_reaches_stderr():
    assert "nosuchshape" in _stderr_of_a_pygraphviz_render("digraph { a [shape=nosuchshape] }")

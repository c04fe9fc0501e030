"""The training player: the worked example trained step by step, recorded, and played in a real Chromium.

Oracles: the worked example's closed forms (z = wx + b, a = σ(z), L = ½(a − y)², ∂L/∂w = (a − y)·σ'(z)·x,
w_new = w_old − η ∂L/∂w) computed here with plain floats, and the optimisers of `autograd.optim` run directly.
"""

import base64
import math
import re

import pytest

from autograd import Value
from autograd.drawing.text import format_number
from autograd.nn import MLP, mse_loss
from autograd.optim import SGD, Adam
from autograd.teaching.training import watch_training

STEPS = 20
LR = 0.5
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def worked_example():
    """The worked example's neuron as a function of its parameters, every node labelled."""
    w, x, b, y = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(1.0, "y")

    def loss():
        wx = w * x
        wx.label = "wx"
        z = wx + b
        z.label = "z"
        a = z.sigmoid()
        a.label = "a"
        error = a - y
        error.label = "e"
        squared = error**2
        squared.label = "sq"
        L = 0.5 * squared
        L.label = "L"
        return L

    return w, b, loss


def closed_form(steps, lr, w=0.5, b=0.1, x=1.5, y=1.0):
    """Each step's numbers by the worked example's formulas, with plain floats."""
    rows = []
    for _ in range(steps):
        z = w * x + b
        a = 1 / (1 + math.exp(-z))
        loss = 0.5 * (a - y) ** 2
        dL_dz = (a - y) * a * (1 - a)
        rows.append({"w": w, "b": b, "z": z, "a": a, "L": loss, "dw": dL_dz * x, "db": dL_dz, "dz": dL_dz})
        w, b = w - lr * dL_dz * x, b - lr * dL_dz
    return rows, (w, b)


def written_update(line):
    """The numbers of a line "w: w_old − η · (∂L/∂w) = w_new", as floats."""
    found = re.fullmatch(r"w: (\S+) − 0\.5 · \(?([^()\s]+)\)? = (\S+)", line)
    assert found, line
    return tuple(float(number.replace("−", "-")) for number in found.groups())


def test_every_step_is_the_worked_example_forward_backward_and_update():
    w, b, loss = worked_example()
    run = watch_training(loss, SGD([w, b], lr=LR), steps=STEPS)
    expected, (w_end, b_end) = closed_form(STEPS, LR)
    position = {run.names[node]: k for k, node in enumerate(run.order)}
    for step, want in zip(run, expected):
        assert step.loss == pytest.approx(want["L"], rel=1e-12)
        assert step.data[position["z"]] == pytest.approx(want["z"], rel=1e-12)
        assert step.data[position["a"]] == pytest.approx(want["a"], rel=1e-12)
        assert step.grads[position["w"]] == pytest.approx(want["dw"], rel=1e-12)
        assert step.grads[position["b"]] == pytest.approx(want["db"], rel=1e-12)
        assert step.before == pytest.approx((want["w"], want["b"]), rel=1e-12)
    assert (w.data, b.data) == pytest.approx((w_end, b_end), rel=1e-12)  # trained for real
    assert run.losses == sorted(run.losses, reverse=True)  # the loss falls at every step


def test_the_update_written_out_is_the_optimisers_own_arithmetic():
    w, b, loss = worked_example()
    run = watch_training(loss, SGD([w, b], lr=LR), steps=3)
    first = run[0]
    assert first.update_rule == "SGD step: w ← w − η · ∂L/∂w with η = 0.5"
    # w_new = w_old − η ∂L/∂w, with the numbers of step 1 (the line can be redone with a calculator)
    dw = closed_form(1, LR)[0][0]["dw"]
    old, grad, new = written_update(first.update_rows[0])
    assert (old, grad, new) == pytest.approx((0.5, dw, 0.5 - LR * dw), abs=1e-4)
    assert old - LR * grad == pytest.approx(new, abs=1e-4)
    assert first.after == pytest.approx((0.5 - LR * dw, 0.1 - LR * closed_form(1, LR)[0][0]["db"]), rel=1e-15)


def test_momentum_and_adam_steps_are_written_with_their_own_state():
    w, b, loss = worked_example()
    run = watch_training(loss, SGD([w, b], lr=0.1, momentum=0.9), steps=2)
    # v ← μv + ∂L/∂w; w ← w − ηv: step 2's velocity holds step 1's gradient
    dw1, dw2 = run[0].grads[run.order.index(w)], run[1].grads[run.order.index(w)]
    velocity = 0.9 * dw1 + dw2
    assert run[1].after[0] == pytest.approx(run[1].before[0] - 0.1 * velocity, rel=1e-15)
    velocity_text = f"{velocity:.4f}".replace("-", "−")
    assert f"v = 0.9 · ({dw1:.4f})".replace("-", "−") in run[1].update_rows[0]  # μ · (step 1's velocity)
    assert f"= {velocity_text}, w = " in run[1].update_rows[0]

    w, b, loss = worked_example()
    twin_w, twin_b, twin_loss = worked_example()
    adam_run = watch_training(loss, Adam([w, b], lr=0.05), steps=5)
    twin = Adam([twin_w, twin_b], lr=0.05)  # the same optimiser run directly
    for step in adam_run:
        twin.zero_grad()
        twin_loss().backward()
        twin.step()
        assert step.after == (twin_w.data, twin_b.data)
    assert "m̂ = m / (1 − β₁ᵗ)" in adam_run[4].update_rule and "m̂ = " in adam_run[4].update_rows[0]


def test_samples_take_turns_and_a_model_is_summarised_by_neuron():
    model = MLP(2, [4, 3, 1], seed=1)
    samples = [([0.5, -1.0], 1.0), ([-0.3, 0.8], -1.0), ([1.2, 0.1], 0.5)]
    optimizer = SGD(model.parameters(), lr=0.05)
    run = watch_training(lambda s: mse_loss(model(s[0]), s[1]), optimizer, steps=6, samples=samples, model=model)
    assert [step.sample for step in run] == [0, 1, 2, 0, 1, 2]
    assert run.param_names[0] == "layers.0.neurons.0.w.0"
    assert run[0].update_rows[0].startswith("layers.0.neurons.0.w.0: ")  # the update names it the same way
    assert run[0].update_rows[2].startswith("layers.0.neurons.0.b: ")
    traces = run.traces()  # 31 parameters: each neuron's weight size ‖w‖ is drawn instead
    assert [t.name for t in traces][:2] == ["‖w‖ of layers.0.neurons.0", "‖w‖ of layers.0.neurons.1"]
    assert len(traces) == 4 + 3 + 1
    picture = run.picture()
    assert picture is not None and picture.summarised  # one box per neuron
    assert "Σ wᵢxᵢ + b" in picture.svg
    assert run.explanation(1)[0] == "Step 1 of 6 on sample 1 of 3: backward pass"


def test_adams_lines_name_a_models_parameters_and_stay_aligned():
    model = MLP(2, [2, 1], seed=0)
    run = watch_training(lambda: mse_loss(model([1.0, 2.0]), 0.5), Adam(model.parameters(), lr=0.1), 2, model=model)
    name = "layers.0.neurons.0.w.0"
    first, *rest = run[1].update_rows[0].splitlines()
    assert first.startswith(f"{name}: m = 0.9 · ")
    assert [line[: len(name) + 4] for line in rest[:2]] == [" " * (len(name) + 2) + "v ", " " * (len(name) + 2) + "m̂"]
    assert rest[-1].startswith(" " * (len(name) + 2) + f"{name} = ")
    assert rest[-1].endswith(f"= {run[1].after[0]:.4f}")


def test_small_models_trace_each_neuron_weight_size():
    model = MLP(2, [3, 1], seed=0)  # 13 parameters, 4 neurons
    run = watch_training(lambda: mse_loss(model([1.0, -1.0]), 0.5), SGD(model.parameters(), lr=0.1), 3, model=model)
    sizes = run.traces()[0]
    first = model.layers[0].neurons[0]
    assert sizes.name == "‖w‖ of layers.0.neurons.0"
    assert sizes.values[-1] == pytest.approx(math.hypot(first.w[0].data, first.w[1].data), rel=1e-15)


def test_a_graph_that_changes_between_steps_is_refused_clearly():
    w = Value(1.0, "w")
    calls = []

    def loss():
        calls.append(1)
        return w * w if len(calls) == 1 else w * w * w

    with pytest.raises(ValueError, match="step 2's graph differs from step 1's"):
        watch_training(loss, SGD([w], lr=0.1), steps=3)


@pytest.mark.parametrize(
    ("forward", "steps", "message"),
    [
        (None, 5, "needs a function that builds the loss"),
        (lambda: 3.0, 5, "must return the loss as a Value, but step 1 returned float"),
        (lambda: Value(1.0), 0, "a whole number from 1 to"),
    ],
)
def test_bad_input_is_named(forward, steps, message):
    with pytest.raises((TypeError, ValueError), match=message):
        watch_training(forward, SGD([Value(1.0)], lr=0.1), steps=steps)


def drawn(frame):
    """A notebook frame's pictures (images of SVG, so that an untrusted notebook shows them) as SVG text."""
    sources = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', frame)
    assert sources and "<svg" not in frame
    return "\n".join(base64.b64decode(source).decode("utf-8") for source in dict.fromkeys(sources))


def test_the_notebook_frame_shows_each_positions_numbers():
    w, b, loss = worked_example()
    run = watch_training(loss, SGD([w, b], lr=LR), steps=4)
    picture = run.picture()
    forward, backward = drawn(run.frame_html(6, picture)), drawn(run.frame_html(7, picture))  # step 3
    z = run.order.index(next(node for node in run.order if run.names[node] == "z"))
    assert f"data {format_number(run[2].data[z], 4)}" in forward
    assert f"grad {format_number(run[2].grads[z], 4)}" not in forward and "grad —" in forward
    assert f"grad {format_number(run[2].grads[z], 4)}" in backward
    assert forward.count('<polyline id="loss-line"') == 1
    assert len(re.search(r'id="loss-line"[^>]*points="([^"]*)"', forward).group(1).split()) == 3


# ---------------------------------------------------------------------- in Chromium


@pytest.fixture(params=list(SCREENS))
def page(browser, tmp_path, request):
    w, b, loss = worked_example()
    run = watch_training(loss, SGD([w, b], lr=LR), steps=STEPS)
    path = run.save_html(tmp_path / "training.html")
    page = browser.new_page(viewport=SCREENS[request.param])
    page.requests, page.errors = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(path.as_uri())
    page.run = run
    yield page
    page.close()


def shown(page):
    """What Chromium displays: each node's data and grad text by name, the counter, the charts' point counts."""
    return page.evaluate(
        """() => {
        const texts = {};
        document.querySelectorAll("#viewport svg g.node").forEach(g => {
          const title = Array.from(g.querySelectorAll("text")).find(t => t.getAttribute("font-weight") === "bold");
          if (!title) return;
          texts[title.textContent] = Array.from(g.querySelectorAll("text[data-prefix]")).map(t => t.textContent);
        });
        const count = line => {
          const points = line.getAttribute("points").trim();
          return points ? points.split(/\\s+/).length : 0;
        };
        return {
          texts,
          counter: document.getElementById("counter").textContent,
          lines: document.getElementById("phase-lines").textContent,
          loss: count(document.getElementById("loss-line")),
          traces: Array.from(document.querySelectorAll("#params-chart polyline.trace")).map(count),
          lit: Array.from(document.querySelectorAll("#viewport svg g.lit")).map(
            g => g.querySelector("text[font-weight=bold]").textContent),
          dot: [document.getElementById("loss-dot").getAttribute("cx"),
                document.getElementById("loss-dot").getAttribute("cy")].join(","),
        };
    }"""
    )


def test_the_player_steps_through_20_steps_showing_the_engines_and_optimisers_numbers(page):
    run = page.run
    expected, _ = closed_form(STEPS, LR)
    data = page.evaluate("JSON.parse(document.getElementById('training').textContent)")
    # The page's data: every number is the engine's and the optimiser's (and the closed form's)
    nodes = data["nodes"]
    assert set(nodes) >= {"w", "b", "x", "z", "a", "L"}
    for k, (step, want) in enumerate(zip(data["steps"], expected)):
        assert step["data"][nodes.index("z")] == pytest.approx(want["z"], rel=1e-12)
        assert step["grads"][nodes.index("w")] == pytest.approx(want["dw"], rel=1e-12)
        assert step["loss"] == run[k].loss
        assert step["before"] == list(run[k].before) and step["after"] == list(run[k].after)
    # What Chromium shows, position by position: forward, backward, update of each of the 20 steps
    for k in range(STEPS):
        for phase in range(3):
            seen = shown(page)
            assert seen["counter"] == f"Step {k + 1} of {STEPS} · {('forward pass', 'backward pass', 'update')[phase]}"
            for name, key in (("z", "z"), ("a", "a"), ("w", "w"), ("b", "b"), ("L", "L")):
                value = expected[k][key]
                data_text, grad_text = seen["texts"][name]
                assert data_text == f"data {format_number(value, 4)}"
                grads = {"z": expected[k]["dz"], "w": expected[k]["dw"], "b": expected[k]["db"], "L": 1.0}
                if phase == 0:
                    assert grad_text == "grad —"
                elif name in grads:
                    assert grad_text == f"grad {format_number(grads[name], 4)}"
            if phase == 2:  # the update written out: the optimiser's numbers, in a line a calculator can redo
                old, grad, new = written_update(seen["lines"].splitlines()[1])
                assert old == pytest.approx(expected[k]["w"], abs=1e-4)
                assert grad == pytest.approx(expected[k]["dw"], abs=1e-4)
                assert new == pytest.approx(expected[k]["w"] - LR * expected[k]["dw"], abs=1e-4)
                assert old - LR * grad == pytest.approx(new, abs=1e-4)
            # the curves grow: one loss point per forward pass, parameter points before (and after) each update
            assert seen["loss"] == k + 1
            assert seen["traces"] == [k + 1 + (phase == 2)] * 2
            assert sorted(seen["lit"]) == (["b", "w"] if phase == 2 else [])  # the update changes w and b
            assert seen["dot"] == data["lossPoints"][k]  # the red dot marks this step's loss
            page.keyboard.press("ArrowRight")
    assert page.evaluate("document.getElementById('next').disabled")
    page.keyboard.press("Home")
    assert shown(page)["loss"] == 1
    page.locator("#slider").fill("30")  # the slider reaches any step: position 30 is step 10's update
    assert shown(page)["counter"] == "Step 10 of 20 · update"
    assert page.errors == [] and page.requests == [page.url]  # nothing fetched, nothing failed


def test_the_page_fits_the_screen_and_locks_itself_down(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # only the graph's own box scrolls sideways
    for selector in ("#next", "#prev", "#slider", "#loss-chart", "#phase-lines"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 0.5
    policy = page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
    for directive in ("default-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"):
        assert directive in policy


def test_drawing_the_player_leaves_the_learners_graph_and_parameters_alone(tmp_path):
    w, b, loss = worked_example()
    run = watch_training(loss, SGD([w, b], lr=LR), steps=5)
    trained = (w.data, b.data)
    L = loss()  # a graph of the learner's own, made before the page is drawn
    run.save_html(tmp_path / "training.html")
    assert (w.data, b.data) == trained
    w.grad = 0.0
    L.backward()  # still consistent with its parameters
    assert w.grad == pytest.approx(closed_form(6, LR)[0][5]["dw"], rel=1e-12)


def test_the_notebook_stepper_shows_each_position_in_turn():
    w, b, loss = worked_example()
    run = watch_training(loss, SGD([w, b], lr=LR), steps=3)
    stepper = run.widget()
    controls, view = stepper.children
    prev, slider, next_ = controls.children
    assert (slider.min, slider.max, slider.value) == (1, 9, 1)
    next_.click()
    next_.click()
    assert slider.value == 3 and view.value == run.frame_html(2, run.picture())  # step 1's update
    assert "w: 0.5000 − 0.5 · (−0.0942) = 0.5471" in view.value
    prev.click()
    assert view.value == run.frame_html(1, run.picture())


def test_labels_are_shown_as_text_never_run(browser, tmp_path):
    hostile = "<script>alert(1)</script>"
    w, b = Value(0.5, hostile), Value(0.1, "b</title><img src=x>")
    run = watch_training(lambda: (w * 1.5 + b - 1) ** 2, SGD([w, b], lr=0.1), steps=2)
    path = run.save_html(tmp_path / "hostile.html")
    text = path.read_text(encoding="utf-8")
    assert hostile not in text and "<img src=x>" not in text
    page = browser.new_page()
    dialogs, requests = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.keyboard.press("End")
    assert hostile in page.locator("#phase-lines").text_content()  # shown, as the learner named it
    assert dialogs == [] and requests == [page.url]
    page.close()


def test_a_model_with_many_neurons_traces_each_layers_weight_size():
    model = MLP(2, [4, 4, 4, 1], seed=0)  # 13 neurons: one line per layer instead
    run = watch_training(lambda: mse_loss(model([1.0, -1.0]), 0.5), SGD(model.parameters(), lr=0.1), 2, model=model)
    traces = run.traces()
    assert [t.name for t in traces] == [f"‖w‖ in layers.{k} (rms)" for k in range(4)]
    neurons = model.layers[1].neurons
    rms = math.sqrt(sum(sum(w.data**2 for w in n.w) for n in neurons) / len(neurons))
    assert traces[1].values[-1] == pytest.approx(rms, rel=1e-12)

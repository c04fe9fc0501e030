"""A walkthrough as slides: numbered PNG frames and an animated GIF, drawn without system Graphviz."""

import pytest

from autograd import Value, walkthrough
from autograd.practice.animate import frames, save_frames, save_gif
from autograd.practice.exercises import FAMILIES

Image = pytest.importorskip("PIL.Image")


def seed_walkthrough():
    return walkthrough(FAMILIES["neuron-sigmoid"].build({"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0}))


@pytest.fixture
def no_system_graphviz(monkeypatch, tmp_path):
    """No `dot` program on PATH: pygraphviz's bundled Graphviz must draw."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


def test_the_gif_has_one_frame_per_step_each_1280_pixels_wide(tmp_path, no_system_graphviz):
    wt = seed_walkthrough()
    path = save_gif(wt, tmp_path / "backprop.gif", seconds_per_step=2)
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == len(wt) == 6
        assert gif.size[0] == 1280
        assert gif.info["duration"] == 2000
        assert gif.info["loop"] == 0


def test_numbered_png_frames(tmp_path, no_system_graphviz):
    written = save_frames(seed_walkthrough(), tmp_path / "slides", width=1600)
    assert [p.name for p in written] == [f"step-0{k}.png" for k in range(1, 7)]
    sizes = set()
    for path in written:
        with Image.open(path) as png:
            sizes.add(png.size)
    assert len(sizes) == 1 and sizes.pop()[0] == 1600


def test_a_frame_highlights_its_step_and_differs_from_the_next():
    first, second = frames(seed_walkthrough())[:2]
    red = (220, 38, 38)  # draw_dot's highlight colour, #dc2626
    assert any(colour == red for _, colour in first.getcolors(maxcolors=2**24))
    assert first.tobytes() != second.tobytes()


@pytest.mark.parametrize("width", [100, 1280.5, True])
def test_a_width_that_is_not_a_sensible_number_of_pixels_is_refused(width):
    with pytest.raises(ValueError, match="width is in pixels"):
        frames(seed_walkthrough(), width=width)


def test_a_leaf_has_no_frames():
    with pytest.raises(ValueError, match="is a leaf"):
        frames(walkthrough(Value(1.0, "x")))

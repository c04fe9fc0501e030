"""state_dict, save and load: round trips, atomic writes, and bad files that change nothing."""

import json
import os

import pytest

from autograd.nn import MLP, load, save


@pytest.fixture
def model():
    return MLP(2, [3, 1], seed=0)


@pytest.fixture
def saved(tmp_path, model):
    path = tmp_path / "model.json"
    save(model, path)
    return path


def assert_unchanged(model, before):
    assert model.state_dict() == before


def test_state_dict_maps_every_parameter_name_to_its_number(model):
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    assert state["layers.1.neurons.0.w.2"] == model.layers[1].neurons[0].w[2].data


def test_load_state_dict_copies_the_weights_into_another_model(model):
    other = MLP(2, [3, 1], seed=1)
    other.load_state_dict(model.state_dict())
    assert other.state_dict() == model.state_dict()
    assert other([0.3, -0.7]).data == model([0.3, -0.7]).data


def test_save_then_load_restores_the_exact_weights(saved, model):
    restored = load(MLP(2, [3, 1], seed=5), saved)
    assert restored.state_dict() == model.state_dict()


def test_the_file_is_readable_json_naming_the_model(saved, model):
    document = json.loads(saved.read_text())
    assert document["format"] == "scalar-autograd weights" and document["version"] == 1
    assert document["model"] == "MLP(2, [3, 1], activation='tanh', output_activation='linear')"
    assert document["weights"] == model.state_dict()


def test_saving_over_a_file_replaces_it_and_leaves_no_temporary_file(tmp_path, saved):
    save(MLP(2, [3, 1], seed=9), saved)
    assert load(MLP(2, [3, 1]), saved).state_dict() == MLP(2, [3, 1], seed=9).state_dict()
    assert os.listdir(tmp_path) == ["model.json"]


def test_a_crash_while_writing_leaves_the_old_file_intact(tmp_path, saved, monkeypatch):
    good = saved.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)  # the temporary file is written, then the sync fails
    with pytest.raises(OSError, match="No space left"):
        save(MLP(2, [3, 1], seed=9), saved)
    assert saved.read_bytes() == good
    assert os.listdir(tmp_path) == ["model.json"]


def test_a_failing_rename_leaves_the_old_file_intact(tmp_path, saved, monkeypatch):
    good = saved.read_bytes()

    def refuse(source, destination):
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        save(MLP(2, [3, 1], seed=9), saved)
    assert saved.read_bytes() == good
    assert os.listdir(tmp_path) == ["model.json"]


def test_loading_another_architecture_names_the_mismatch_and_changes_nothing(saved):
    bigger = MLP(2, [4, 1], seed=3)
    before = bigger.state_dict()
    with pytest.raises(
        ValueError, match=r"do not fit MLP\(2, \[4, 1\].*missing 'layers.0.neurons.3.w.0'.*another arch"
    ):
        load(bigger, saved)
    assert_unchanged(bigger, before)


def test_loading_a_truncated_file_says_so_and_changes_nothing(saved):
    saved.write_text(saved.read_text()[:-40])
    target = MLP(2, [3, 1], seed=3)
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"its JSON breaks at line .* Was it truncated or corrupted"):
        load(target, saved)
    assert_unchanged(target, before)


def test_loading_binary_garbage_says_so_and_changes_nothing(saved):
    saved.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    target = MLP(2, [3, 1], seed=3)
    before = target.state_dict()
    with pytest.raises(ValueError, match="not text"):
        load(target, saved)
    assert_unchanged(target, before)


@pytest.mark.parametrize(
    ("bad", "message"), [("0.5x", "must be a number, but is str"), (None, "must be a number, but is NoneType")]
)
def test_loading_a_non_numeric_weight_names_it_and_changes_nothing(saved, bad, message):
    document = json.loads(saved.read_text())
    document["weights"]["layers.1.neurons.0.b"] = bad
    saved.write_text(json.dumps(document))
    target = MLP(2, [3, 1], seed=3)
    before = target.state_dict()
    with pytest.raises(ValueError, match=f"weight 'layers.1.neurons.0.b' {message}"):
        load(target, saved)
    assert_unchanged(target, before)


def test_loading_a_non_finite_weight_is_refused(saved):
    saved.write_text(saved.read_text().replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": NaN'))
    target = MLP(2, [3, 1], seed=3)
    before = target.state_dict()
    with pytest.raises(ValueError, match="must be a finite number, but is nan"):
        load(target, saved)
    assert_unchanged(target, before)


def test_loading_json_that_is_not_a_weights_file_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}')
    with pytest.raises(ValueError, match=r"not a weights file written by autograd\.nn\.save"):
        load(MLP(2, [1]), path)


def test_saving_nan_weights_is_refused_and_writes_nothing(tmp_path, model):
    model.layers[0].neurons[1].w[0].data = float("nan")
    with pytest.raises(ValueError, match=r"weights 'layers.0.neurons.1.w.0' are not finite"):
        save(model, tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


def test_load_state_dict_with_a_missing_entry_changes_nothing(model):
    before = model.state_dict()
    partial = {name: 1.0 for name in before}
    del partial["layers.0.neurons.2.b"]
    with pytest.raises(ValueError, match=r"missing 'layers.0.neurons.2.b', unexpected none"):
        model.load_state_dict(partial)
    assert_unchanged(model, before)

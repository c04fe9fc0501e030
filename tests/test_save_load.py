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


# ---------------------------------------------------------------------- every bad file is a ValueError


def rewrite(path, change):
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def test_a_weight_too_large_for_a_float_is_a_value_error(saved, model):
    before = model.state_dict()
    text = saved.read_text(encoding="utf-8")
    name = next(iter(before))
    saved.write_text(text.replace(f'"{name}": {before[name]!r}', f'"{name}": 1{"0" * 400}'), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"weight '{name}' must be a finite number, but is inf"):
        load(model, saved)
    assert_unchanged(model, before)


def test_deeply_nested_json_is_a_value_error(tmp_path, model):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ValueError, match="nested too deeply"):
        load(model, path)


@pytest.mark.parametrize("version", [True, 1.0, "1", 2])
def test_only_the_whole_number_1_is_version_1(saved, model, version):
    rewrite(saved, lambda document: document.update(version=version))
    with pytest.raises(ValueError, match=rf"has format version {version!r}; expected 1"):
        load(model, saved)


# ---------------------------------------------------------------------- saving names the file asked for


def test_saving_into_a_missing_folder_names_the_file_and_the_folder(tmp_path, model, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as raised:
        save(model, "nope/model.json")
    assert raised.value.filename == "nope/model.json"
    assert "the folder 'nope' does not exist" in str(raised.value)
    assert ".tmp" not in str(raised.value)


def test_saving_to_a_folder_says_it_is_a_folder_and_leaves_nothing_behind(tmp_path, model):
    folder = tmp_path / "weights"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="this is a folder; give a file name inside it") as raised:
        save(model, folder)
    assert raised.value.filename == str(folder)
    assert sorted(os.listdir(tmp_path)) == ["weights"] and os.listdir(folder) == []


def test_saving_through_a_symlink_updates_the_file_it_points_to(tmp_path, model):
    real = tmp_path / "real.json"
    save(MLP(2, [3, 1], seed=1), real)
    link = tmp_path / "model.json"
    link.symlink_to(real)
    save(model, link)
    assert link.is_symlink()
    assert load(MLP(2, [3, 1]), real).state_dict() == model.state_dict()


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, model, umask, mode):
    old = os.umask(umask)
    try:
        save(model, tmp_path / "model.json")
    finally:
        os.umask(old)
    assert (tmp_path / "model.json").stat().st_mode & 0o777 == mode


def test_an_error_while_replacing_names_the_file_and_removes_the_temporary_one(tmp_path, model, monkeypatch):
    def refuse(source, destination):
        raise PermissionError(13, "Permission denied", source)  # what a read-only folder gives, as root or not

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError) as raised:
        save(model, tmp_path / "model.json")
    assert raised.value.filename == str(tmp_path / "model.json")
    assert os.listdir(tmp_path) == []

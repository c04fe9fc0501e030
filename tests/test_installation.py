"""The way in: the clash with HIPS autograd found and explained, install hints that work from where the user
stands, and a command line that ends quietly when its reader goes away."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
from autograd import _installation
from autograd._installation import AutogradClashWarning, clash_message, find_clash, install_command

CHECKOUT = Path(autograd.__file__).resolve().parent.parent


def fake_hips_autograd(site: Path, *, files: list[str] | None = None) -> Path:
    """The metadata pip leaves for HIPS autograd 1.7.0 (a .dist-info folder with its RECORD), in `site`."""
    info = site / "autograd-1.7.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: autograd\nVersion: 1.7.0\n", encoding="utf-8")
    record = files or ["autograd/__init__.py", "autograd/core.py", "autograd/numpy/__init__.py"]
    lines = [f"{name},sha256=x,1" for name in record] + ["autograd-1.7.0.dist-info/METADATA,,"]
    (info / "RECORD").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return info


def run_python(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Python with `site` first on its path (as a site-packages folder would be), and nothing else of ours."""
    environment = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=site,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def install_both(site: Path, *, hips_last: bool) -> None:
    """Our package and HIPS autograd's metadata in one site folder; with `hips_last`, its __init__.py over ours."""
    shutil.copytree(CHECKOUT / "autograd", site / "autograd", ignore=shutil.ignore_patterns("__pycache__"))
    fake_hips_autograd(site)
    (site / "autograd" / "core.py").write_text("# HIPS autograd's core\n", encoding="utf-8")
    if hips_last:
        (site / "autograd" / "__init__.py").write_text(
            "from .core import *  # HIPS autograd's __init__.py\ngrad = None\n", encoding="utf-8"
        )


# ---------------------------------------------------------------------- HIPS autograd


def test_no_clash_is_found_in_an_environment_without_hips_autograd():
    assert find_clash() is None


def test_hips_autograd_is_found_by_its_installed_metadata(tmp_path, monkeypatch):
    fake_hips_autograd(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    found = find_clash()
    assert found is not None and found.metadata["Name"] == "autograd" and found.version == "1.7.0"


def test_a_distribution_named_autograd_that_ships_no_autograd_package_is_no_clash(tmp_path, monkeypatch):
    fake_hips_autograd(tmp_path, files=["something_else/__init__.py"])
    monkeypatch.syspath_prepend(str(tmp_path))
    assert find_clash() is None


def test_the_message_says_what_is_broken_and_the_commands_that_fix_it(tmp_path, monkeypatch):
    fake_hips_autograd(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    message = clash_message(find_clash(), ours_overwritten=True)
    assert "HIPS autograd 1.7.0" in message
    assert "`from autograd import Value` fails" in message
    assert "pip uninstall -y autograd scalar-autograd" in message
    assert install_command("render") in message  # then reinstall ours
    assert "python -m venv" in message  # and HIPS autograd in an environment of its own


def test_importing_over_hips_autograd_warns_once_with_the_fix(tmp_path, monkeypatch):
    fake_hips_autograd(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.warns(AutogradClashWarning, match="Two packages named autograd are installed") as caught:
        _installation.warn_about_clash()
    assert len(caught) == 1
    assert "pip uninstall -y autograd scalar-autograd" in str(caught[0].message)


def test_installed_after_hips_autograd_import_autograd_says_so(tmp_path):
    install_both(tmp_path, hips_last=False)
    result = run_python(tmp_path, "-c", "import autograd; print(autograd.Value(2.0) * 3)")
    assert result.returncode == 0, result.stderr
    assert "Value(data=6.0" in result.stdout
    assert "AutogradClashWarning" in result.stderr
    assert "scalar-autograd was installed after HIPS autograd" in result.stderr
    assert "pip uninstall -y autograd scalar-autograd" in result.stderr


def test_with_hips_autograd_installed_over_ours_the_main_job_still_runs_and_says_what_happened(tmp_path):
    install_both(tmp_path, hips_last=True)
    broken = run_python(tmp_path, "-c", "from autograd import Value")
    assert broken.returncode != 0 and "ImportError" in broken.stderr  # what a user meets first
    result = run_python(tmp_path, "-m", "autograd", "--no-files")
    assert result.returncode == 0, result.stderr
    assert "1. Forward pass" in result.stdout
    assert "HIPS autograd was installed after scalar-autograd" in result.stderr
    assert "pip uninstall -y autograd scalar-autograd" in result.stderr


def test_without_hips_autograd_the_command_line_says_nothing_of_it(tmp_path):
    shutil.copytree(CHECKOUT / "autograd", tmp_path / "autograd", ignore=shutil.ignore_patterns("__pycache__"))
    result = run_python(tmp_path, "-m", "autograd", "--no-files")
    assert result.returncode == 0 and result.stderr == ""


# ---------------------------------------------------------------------- install hints


def test_from_the_checkout_folder_an_extra_is_installed_with_dot(monkeypatch):
    monkeypatch.chdir(CHECKOUT)
    assert install_command("render") == 'pip install -e ".[render]"'


def test_from_elsewhere_an_extra_is_installed_from_the_checkouts_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert install_command("render") == f'pip install -e "{CHECKOUT}[render]"'


def test_installed_from_an_index_an_extra_is_installed_by_the_package_name(tmp_path, monkeypatch):
    monkeypatch.setattr(_installation, "PACKAGE_FOLDER", tmp_path / "site-packages" / "autograd")
    monkeypatch.setattr(_installation, "_installed_from_folder", lambda: None)
    assert install_command("render") == 'pip install "scalar-autograd[render]"'


def test_installed_from_a_local_folder_an_extra_is_installed_from_that_folder(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"
    info = site / "scalar_autograd-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: scalar-autograd\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "direct_url.json").write_text(f'{{"url": "{CHECKOUT.as_uri()}", "dir_info": {{}}}}', encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(_installation, "PACKAGE_FOLDER", site / "autograd")
    assert install_command("render") == f'pip install "{CHECKOUT}[render]"'


def test_the_renderer_hint_names_a_command_that_works_from_here():
    from autograd.drawing.render import INSTALL_HINT

    assert install_command("render") in INSTALL_HINT


# ---------------------------------------------------------------------- a closed pipe


@pytest.mark.parametrize("arguments", [["--no-files"], ["practice"]], ids=["main job", "practice"])
def test_a_reader_that_went_away_ends_the_command_quietly(arguments, tmp_path):
    """`python -m autograd | head -1`: here the reading end is closed before the first line is written."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "autograd", *arguments],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(CHECKOUT)},
            stdout=writing,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=120,
        )
    finally:
        os.close(writing)
    assert result.stderr == ""
    assert result.returncode == 141  # what a shell reports for a program ended by a closed pipe

"""Where this package was installed from, and what else is installed under the same import name.

Two things a learner meets before any backprop: the command that installs an optional extra (which
differs between a checkout and a package from an index), and the other ``autograd`` on PyPI (HIPS
autograd, which PennyLane and others depend on). Both install into the same ``site-packages/autograd/``
folder, so each overwrites the other's files and pip warns of nothing. We cannot change the import
name without breaking every notebook, so we find the other one in the installed metadata and say
plainly what is broken and how to fix it.

>>> install_command("render").startswith("pip install")
True
>>> find_clash() is None  # no HIPS autograd in this environment
True
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = ["AutogradClashWarning", "clash_message", "find_clash", "install_command", "warn_about_clash"]

DISTRIBUTION = "scalar-autograd"
PACKAGE_FOLDER = Path(__file__).resolve().parent  # .../autograd


class AutogradClashWarning(UserWarning):
    """Another distribution (HIPS autograd) installs files into the same ``autograd`` folder as this one."""


def _checkout() -> Path | None:
    """The source checkout this package runs from (its pyproject.toml names scalar-autograd), or None."""
    pyproject = PACKAGE_FOLDER.parent / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None
    return PACKAGE_FOLDER.parent if f'name = "{DISTRIBUTION}"' in text else None


def _installed_from_folder() -> Path | None:
    """The local folder pip installed this package from (``pip install /path/to/checkout``), or None."""
    try:
        record = importlib.metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return None
    try:
        url = urlparse(json.loads(record or "{}").get("url", ""))
    except (ValueError, AttributeError):
        return None
    folder = Path(unquote(url.path)) if url.scheme == "file" else None
    return folder if folder is not None and (folder / "pyproject.toml").is_file() else None


def install_command(extra: str) -> str:
    """The pip command that installs an optional extra, as it works from where the user stands.

    From a checkout (an editable install, or the source folder on the path) that is ``pip install -e`` of
    the checkout: ``"."`` when the current folder is the checkout, its path otherwise. Installed from a
    local folder, ``pip install`` of that folder. Installed from a package index, the package's name.

    >>> install_command("notebooks").endswith('[notebooks]"')
    True
    """
    checkout = _checkout()
    if checkout is None:
        folder = _installed_from_folder()
        return f'pip install "{folder or DISTRIBUTION}[{extra}]"'
    try:
        here = Path.cwd().resolve() == checkout
    except OSError:  # the current folder was deleted
        here = False
    where = "." if here else str(checkout)
    return f'pip install -e "{where}[{extra}]"'


def find_clash() -> importlib.metadata.Distribution | None:
    """The installed distribution other than this one that ships an ``autograd`` package (HIPS autograd), or None.

    Found in the installed metadata (a ``*.dist-info`` folder on ``sys.path``): a distribution named
    ``autograd`` whose files include ``autograd/__init__.py``, or any other distribution whose files lie
    in this package's folder.
    """
    try:
        other = importlib.metadata.distribution("autograd")
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in other.files or ():
        if file.as_posix() == "autograd/__init__.py":
            return other
        try:
            if Path(os.path.realpath(str(other.locate_file(file)))).parent == PACKAGE_FOLDER:
                return other
        except (OSError, ValueError):
            continue
    return None


def clash_message(other: importlib.metadata.Distribution, *, ours_overwritten: bool) -> str:
    """What is broken when HIPS autograd shares this package's folder, and the commands that fix it.

    ``ours_overwritten``: HIPS autograd was installed after this package, so ``import autograd`` now runs
    its ``__init__.py`` (``from autograd import Value`` fails; ``python -m autograd`` still runs). Otherwise
    this package was installed after HIPS autograd, whose ``grad`` and ``numpy`` wrappers are now broken.
    """
    version = other.metadata["Version"] or "(version unknown)"
    folder = Path(os.path.realpath(str(other.locate_file("")))) / "autograd"
    if folder != PACKAGE_FOLDER and not ours_overwritten:  # two folders: the first on sys.path hides the other
        where = f"in {folder} and in {PACKAGE_FOLDER}"
        broken = "Here `import autograd` finds scalar-autograd first, so HIPS autograd cannot be imported."
    elif ours_overwritten:
        where = f"in {folder}"
        broken = (
            "HIPS autograd was installed after scalar-autograd and replaced its autograd/__init__.py: "
            "`from autograd import Value` fails, while `python -m autograd` still runs."
        )
    else:
        where = f"in {folder}"
        broken = (
            "scalar-autograd was installed after HIPS autograd and replaced its autograd/__init__.py: "
            "HIPS autograd (and what uses it, such as PennyLane) is broken in this environment."
        )
    reinstall = install_command("render")
    return (
        f"Two packages named autograd are installed {where}: scalar-autograd (this one) and HIPS autograd "
        f"{version} (the `autograd` on PyPI). Both are imported as `autograd`. {broken}\n"
        "To fix it, give each its own virtual environment. Here, uninstall both (uninstalling only one leaves "
        "neither working), then reinstall scalar-autograd:\n"
        "    pip uninstall -y autograd scalar-autograd\n"
        f"    {reinstall}\n"
        "and install HIPS autograd (or what needs it) into a virtual environment of its own:\n"
        "    python -m venv hips-env && hips-env/bin/pip install autograd"
    )


def warn_about_clash() -> None:
    """Warn once, on import, when HIPS autograd shares this package's folder (see `find_clash`)."""
    other = find_clash()
    if other is not None:
        warnings.warn(clash_message(other, ours_overwritten=False), AutogradClashWarning, stacklevel=3)

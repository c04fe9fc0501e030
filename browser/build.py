"""Build the browser site: JupyterLite with the Pyodide kernel, this package and its notebooks, all served from one
static folder, nothing fetched from any other host.

    python browser/build.py                 # writes browser/_site/
    python -m http.server -d browser/_site  # then open http://127.0.0.1:8000/

What goes in, each pinned:
- from npm (``browser/package.json`` + ``package-lock.json``, installed with ``npm ci``): Pyodide's core
  (``pyodide``) and Graphviz compiled to WebAssembly (``@viz-js/viz``), which draws the graphs in the browser;
- from PyPI: JupyterLite and its Pyodide kernel (the ``browser`` extra of ``pyproject.toml``, already installed
  in the Python running this script) and the pure wheels in ``browser/requirements.txt``;
- from this checkout: the package's wheel and notebooks 01, 02 and 04.

Every wheel is listed in the site's own Pyodide lock (``static/pyodide/pyodide-lock.json``) and preloaded when the
kernel starts, so ``import autograd`` works in the first cell with no install step.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from email.parser import Parser
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
BUILD = HERE / "_build"  # downloads and intermediate files, kept between builds
SITE = HERE / "_site"

# The notebooks that run in the browser, and those that need a local install, with the reason.
NOTEBOOKS = ["01_backprop_by_hand.ipynb", "02_computation_graphs.ipynb", "04_practice.ipynb"]
LOCAL_ONLY = {
    "03_training_an_mlp.ipynb": "plots with matplotlib, which needs NumPy: neither has a browser build on PyPI or npm",
    "05_higher_order.ipynb": "uses NumPy and matplotlib, which have no browser build on PyPI or npm",
    "06_to_pytorch.ipynb": "compares with PyTorch, which has no browser build at all",
}
# In the browser, notebook 04's last cell (a GIF and PNG frames of the walkthrough) needs Pillow, which has no
# browser build on PyPI or npm either: there the cell says so instead, and every cell of 04 runs.

# What the kernel loads at start: JupyterLite's kernel needs the first seven, the notebooks the rest.
PRELOADED = [
    "micropip",
    "piplite",
    "ipykernel",
    "comm",
    "pyodide-kernel",
    "jedi",
    "ipython",
    "scalar-autograd",
    "ipywidgets",
]
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
# Files of the npm `pyodide` package that a page loads (the rest is source maps, typings and the console demos).
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
# Where the kernel finds viz.js: relative to the kernel's worker script, which JupyterLite serves from
# extensions/@jupyterlite/pyodide-kernel-extension/static/ (autograd.drawing.render reads this variable).
VIZ_URL_FROM_WORKER = "../../../../static/viz/viz.js"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=SITE, help=f"the site's folder (default {SITE})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        build(args.output.resolve())
    except BuildError as error:
        print(f"browser/build.py: {error}", file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in args.output.rglob("*") if f.is_file())
    maps = sum(f.stat().st_size for f in args.output.rglob("*.map") if f.is_file())
    print(
        f"built {args.output} in {time.perf_counter() - started:.0f} s: {size / 1e6:.1f} MB "
        f"({(size - maps) / 1e6:.1f} MB without source maps)"
    )
    print(f"serve it with:  python -m http.server -d {args.output}   and open http://127.0.0.1:8000/")
    return 0


class BuildError(RuntimeError):
    """A step of the build could not be done (a tool missing, a download failing)."""


def build(site: Path) -> None:
    wheels = BUILD / "wheels"
    lite_dir = BUILD / "lite"
    for folder in (wheels, lite_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    npm_packages = install_npm_packages()
    project_wheel(wheels)
    download_wheels(wheels)
    kernel_extension = copy_kernel_wheels(wheels)
    write_lite_config(lite_dir)
    contents = write_contents(lite_dir / "files")
    jupyter_lite_build(lite_dir, contents, site, kernel_extension)
    pyodide_dir = site / "static" / "pyodide"
    shutil.rmtree(pyodide_dir, ignore_errors=True)
    pyodide_dir.mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(npm_packages / "pyodide" / name, pyodide_dir / name)
    for wheel in sorted(wheels.glob("*.whl")):
        shutil.copy2(wheel, pyodide_dir / wheel.name)
    write_lock(npm_packages / "pyodide" / "pyodide-lock.json", sorted(wheels.glob("*.whl")), pyodide_dir)
    viz_dir = site / "static" / "viz"
    viz_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(npm_packages / "@viz-js" / "viz" / "dist" / "viz.js", viz_dir / "viz.js")


def run(command: list[str], cwd: Path = CHECKOUT) -> None:
    print("$", " ".join(command), flush=True)
    try:
        subprocess.run(command, cwd=cwd, check=True)
    except FileNotFoundError:
        raise BuildError(f"{command[0]} is not installed (Debian: apt-get install nodejs npm)") from None
    except subprocess.CalledProcessError as error:
        raise BuildError(f"`{' '.join(command)}` failed with exit status {error.returncode}") from None


def install_npm_packages() -> Path:
    """Pyodide and viz.js, exactly as package-lock.json pins them."""
    if shutil.which("npm") is None:
        raise BuildError(
            "npm is not installed, and the site takes Pyodide and viz.js from npm (Debian: apt-get install nodejs npm)"
        )
    run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE)
    return HERE / "node_modules"


def project_wheel(wheels: Path) -> None:
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(CHECKOUT)])


def download_wheels(wheels: Path) -> None:
    """The pinned pure wheels, for any Python (they run on Pyodide's 3.14), cached between builds."""
    cache = BUILD / "downloads"
    cache.mkdir(parents=True, exist_ok=True)
    run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--python-version",
         "3.14", "--implementation", "py", "--abi", "none", "--platform", "any",
         "-r", str(HERE / "requirements.txt"), "-d", str(cache)]
    )  # fmt: skip
    pinned = {_canonical(line.split("==")[0]): line.split("==")[1].strip() for line in _requirements()}
    for wheel in cache.glob("*.whl"):
        name, version = _name_and_version(wheel)
        if pinned.get(name) == version:
            shutil.copy2(wheel, wheels / wheel.name)


def copy_kernel_wheels(wheels: Path) -> Path:
    """The kernel's own wheels (piplite, pyodide_kernel, and its stand-ins for ipykernel and widgetsnbextension), as
    shipped inside the installed jupyterlite-pyodide-kernel."""
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        raise BuildError('JupyterLite is not installed: pip install -e ".[browser]"') from None
    for root in jupyter_path("labextensions"):
        extension = Path(root) / "@jupyterlite" / "pyodide-kernel-extension"
        if extension.is_dir():
            break
    else:
        raise BuildError('the Pyodide kernel for JupyterLite is not installed: pip install -e ".[browser]"')
    shipped = extension / "static" / "pypi"
    for pattern in ("piplite-*.whl", "pyodide_kernel-*.whl", "ipykernel-*.whl", "widgetsnbextension-4.*.whl"):
        for wheel in shipped.glob(pattern):
            shutil.copy2(wheel, wheels / wheel.name)
    return extension


def write_lite_config(lite_dir: Path) -> None:
    kernel = {
        "pyodideUrl": "./static/pyodide/pyodide.mjs",
        "disablePyPIFallback": True,  # `%pip install` never reaches out to PyPI: the site is all there is
        "loadPyodideOptions": {"packages": PRELOADED, "env": {"AUTOGRAD_VIZ_URL": VIZ_URL_FROM_WORKER}},
    }
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "scalar-autograd",
            "exposeAppInBrowser": True,  # window.jupyterapp, which the site's test drives
            "litePluginSettings": {KERNEL_PLUGIN: kernel},
        },
    }
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def write_contents(files: Path) -> Path:
    files.mkdir(parents=True, exist_ok=True)
    for name in NOTEBOOKS:
        shutil.copy2(CHECKOUT / "notebooks" / name, files / name)
    lines = [
        "# scalar-autograd in your browser",
        "",
        "Everything here runs in this browser tab: Python (Pyodide), the real `autograd` package, and Graphviz",
        "(compiled to WebAssembly) for the drawings. Nothing is installed and nothing is sent anywhere.",
        "",
        "Open a notebook on the left and run its cells (Shift+Enter):",
        "",
        *[f"- `{name}`" for name in NOTEBOOKS],
        "",
        "In notebook 04, the last cell (the walkthrough as a GIF and PNG frames) needs Pillow, which has no browser",
        "build: in the browser it says so and skips them; run it on your own computer for the GIF.",
        "",
        'These notebooks need a local install (`pip install "scalar-autograd[notebooks]"`), because:',
        "",
        *[f"- `{name}` {why}." for name, why in LOCAL_ONLY.items()],
        "",
        'A page saved with `walkthrough(loss).save_html("player.html")` (or `quiz=True`) appears in the file',
        'browser: double-click it, then press "Trust HTML" above it to let its buttons work.',
        "",
        "Your edits are kept in this browser's storage only.",
        "",
    ]
    (files / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return files


def jupyter_lite_build(lite_dir: Path, contents: Path, site: Path, kernel_extension: Path) -> None:
    """JupyterLite's apps with only the extensions the site needs: the Pyodide kernel, and ipywidgets' manager."""
    extensions = [kernel_extension]
    widgets = kernel_extension.parent.parent / "@jupyter-widgets" / "jupyterlab-manager"
    if widgets.is_dir():
        extensions.append(widgets)
    shutil.rmtree(site, ignore_errors=True)
    command = [
        sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir), "--output-dir", str(site),
        "--contents", str(contents), "--ignore-sys-prefix", "--no-sourcemaps", "--no-libarchive",
        "--apps", "lab", "--apps", "notebook",
        *[f"--LiteBuildConfig.federated_extensions={e}" for e in extensions],
    ]  # fmt: skip
    run(command, cwd=lite_dir)


def write_lock(pyodide_lock: Path, wheels: list[Path], pyodide_dir: Path) -> None:
    """The site's Pyodide lock: Pyodide's own header, and one entry per wheel served (with its own sha256), each
    depending on the served packages its metadata requires."""
    original = json.loads(pyodide_lock.read_text(encoding="utf-8"))
    served = {_name_and_version(wheel)[0]: wheel for wheel in wheels}
    packages = {}
    for name, wheel in served.items():
        metadata, top_level = _wheel_metadata(wheel)
        depends = sorted({d for d in _requires(metadata) if d in served and d != name})
        packages[name] = {
            "name": metadata["Name"],
            "version": metadata["Version"],
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "package_type": "package",
            "imports": top_level,
            "depends": depends,
            "unvendored_tests": False,
        }
    missing = [name for name in PRELOADED if name not in packages]
    if missing:
        raise BuildError(f"the kernel preloads {', '.join(missing)}, but no wheel of it was found")
    lock = {"info": original["info"], "packages": packages}
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _requirements() -> list[str]:
    lines = (HERE / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name_and_version(wheel: Path) -> tuple[str, str]:
    name, version = wheel.name.split("-")[:2]
    return _canonical(name), version


def _wheel_metadata(wheel: Path) -> tuple[dict[str, object], list[str]]:
    """A wheel's METADATA headers (Requires-Dist as a list) and the top-level names it can be imported by."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_path = next(n for n in names if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(archive.read(meta_path).decode("utf-8"))
        top = {n.split("/")[0] for n in names if "/" in n and not n.split("/")[0].endswith((".dist-info", ".data"))}
        top |= {n[:-3] for n in names if "/" not in n and n.endswith(".py")}
    metadata: dict[str, object] = {"Name": message["Name"], "Version": message["Version"]}
    metadata["Requires-Dist"] = message.get_all("Requires-Dist") or []
    return metadata, sorted(top)


def _requires(metadata: dict[str, object]) -> list[str]:
    """The names a wheel needs at run time in the browser: its Requires-Dist, without extras' and other Pythons'."""
    from packaging.requirements import Requirement

    environment = {"python_version": "3.14", "python_full_version": "3.14.2", "sys_platform": "emscripten",
                   "platform_system": "Emscripten", "platform_machine": "wasm32", "implementation_name": "cpython",
                   "platform_python_implementation": "CPython", "os_name": "posix", "extra": ""}  # fmt: skip
    needed = []
    for text in metadata["Requires-Dist"]:  # type: ignore[union-attr]
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            needed.append(_canonical(requirement.name))
    return needed


if __name__ == "__main__":
    sys.exit(main())

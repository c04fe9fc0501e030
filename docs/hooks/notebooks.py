"""MkDocs hook: the notebooks of notebooks/ become the site's tutorials, as many as exist (and its pictures, images/).

The notebooks stay where the test suite runs them (notebooks/). Each one is added to the site as
tutorials/NAME.ipynb (mkdocs-jupyter renders it with its saved outputs) and listed in the nav's
Tutorials section after tutorials/index.md, in file-name order, titled by its first heading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
SECTION = "Tutorials"


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title_of(notebook: Path) -> str:
    """The notebook's first Markdown heading, or its file name."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", [])).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def on_config(config: Any) -> Any:
    for item in config["nav"]:
        if isinstance(item, dict) and SECTION in item:
            item[SECTION] = [
                *item[SECTION],
                *({title_of(path): f"tutorials/{path.name}"} for path in notebooks()),
            ]
    return config


MARKER = "<!-- more notebooks: listed here by docs/hooks/notebooks.py -->"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """The tutorials' index describes the notebooks it knows; any other one is listed by its title."""
    if MARKER not in markdown:
        return markdown
    others = [path for path in notebooks() if f"({path.name})" not in markdown]
    listed = "\n".join(f"- [{title_of(path)}]({path.name})" for path in others)
    return markdown.replace(MARKER, f"And also:\n\n{listed}\n" if others else "")


@event_priority(-100)  # after mkdocs-jupyter's own on_files, which wraps the .ipynb files it finds in docs/
def on_files(files: Files, config: Any) -> Files:
    from mkdocs_jupyter.plugin import NotebookFile

    for path in notebooks():
        page = NotebookFile(File.generated(config, f"tutorials/{path.name}", abs_src_path=str(path)), **config)
        page.abs_src_path = str(path)  # the wrapper would look for it in docs/, where it is not
        files.append(page)
    for picture in sorted((NOTEBOOKS / "images").glob("*.svg")):  # the README's picture, shown on the front page
        files.append(File.generated(config, f"images/{picture.name}", abs_src_path=str(picture)))
    return files

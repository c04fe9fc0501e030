"""The examples of docs/how-to/watch-training.md run, in order, as a reader would paste them."""

import re
from pathlib import Path

PAGE = Path(__file__).parent.parent / "docs" / "how-to" / "watch-training.md"


def test_every_python_example_on_the_page_runs():
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) == 3
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)

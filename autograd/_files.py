"""Writing a file whole or not at all, so a crash or an error mid-write never leaves half a file."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` (UTF-8) through a temporary file that replaces `path` in one step.

    A file already at `path` keeps its permissions; a new one is readable by all (0644).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = pathlib.Path(folder) / "note.txt"
    ...     write_text_atomically(target, "backprop")
    ...     target.read_text(encoding="utf-8"), sorted(p.name for p in pathlib.Path(folder).iterdir())
    ('backprop', ['note.txt'])
    """
    # The temporary file must be in the same folder: os.replace is atomic only within one file system.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the name points at them
        # mkstemp makes the file private (0600); a saved file should read like any other.
        os.chmod(temporary, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise

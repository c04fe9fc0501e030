"""Writing a file whole or not at all, so a crash or an error mid-write never leaves half a file."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path


def check_target(path: str | os.PathLike[str]) -> Path:
    """The file that writing to `path` will replace: `path` itself, or the file a symlink there points to.

    Raises, naming `path` as the user gave it, when it cannot be a file: its folder is missing, or it is a folder.
    Callers check before the slow work (rendering), so a mistyped path fails at once.
    """
    given = os.fspath(path)
    target = Path(os.path.realpath(given))  # through symlinks: saving updates the file a link points to
    if target.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, "this is a folder; give a file name inside it, such as graph.svg or model.json", given
        )
    if not target.parent.is_dir():
        folder = os.path.dirname(given) or "."
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder!r} does not exist; create it first", given)
    return target


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to `path` (UTF-8) through a temporary file that replaces it in one step.

    A file already there keeps its permissions; a new one gets the usual permissions of a new file (the umask
    applies). When `path` is a symlink, the file it points to is replaced and the link stays. An error names
    `path`, never the temporary file.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = pathlib.Path(folder) / "note.txt"
    ...     write_text_atomically(target, "backprop")
    ...     target.read_text(encoding="utf-8"), sorted(p.name for p in pathlib.Path(folder).iterdir())
    ('backprop', ['note.txt'])
    """
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` whole or not at all, as `write_text_atomically` does (a PNG, a PDF)."""
    target = check_target(path)
    # The temporary file must be in the same folder: os.replace is atomic only within one file system.
    temporary = None
    try:
        descriptor, temporary = _create_temporary(target)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the name points at them
        if target.exists():
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        os.replace(temporary, target)
    except BaseException as error:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        if isinstance(error, OSError) and error.errno is not None:
            # The same kind of error (PermissionError, ...), naming the file the user asked for.
            raise OSError(error.errno, error.strerror, os.fspath(path)) from None
        raise


def _create_temporary(target: Path) -> tuple[int, str]:
    """A new, empty file next to `target`, created with mode 0666 so that the umask decides its permissions."""
    while True:
        # A short name of its own: the target's name may already be as long as the file system allows.
        name = str(target.with_name(f".tmp-{secrets.token_hex(4)}"))
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), name
        except FileExistsError:
            continue

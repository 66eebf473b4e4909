"""The one door for files: every input file is read by :func:`read_input` (a regular file, under a size
bound, UTF-8) and every output path is checked by :func:`output_path` before any request, then written
atomically (:func:`write_text`) or, for an appended log, opened without following a link
(:func:`open_append`)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO


class InputFileError(ValueError):
    """An input file the run cannot use; the message names what named it, the file, and ``reason``."""

    def __init__(self, what: str, file: Path, reason: str, *, missing: bool = False) -> None:
        super().__init__(f"{what}: {file}: {reason}")
        self.reason = reason
        self.missing = missing


def read_input(what: str, path: str | os.PathLike[str], limit: int) -> str:
    """The text of an input file, or :class:`InputFileError` naming ``what`` (an option, or the file
    that named this one) and the file.

    Only a regular file is read (a named pipe would hang the run, ``/dev/zero`` exhaust memory), at most
    ``limit`` bytes, and it must be UTF-8. The file is opened without blocking and checked after it is
    opened, so nothing can be swapped in between.
    """
    file = Path(path)
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileError(what, file, "no such file", missing=True) from None
    except OSError as error:
        raise InputFileError(what, file, f"cannot be read ({error.strerror or error})") from None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        regular = False
    if not regular:
        os.close(fd)
        raise InputFileError(what, file, "not a regular file")
    with os.fdopen(fd, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputFileError(what, file, f"larger than {limit} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputFileError(what, file, f"not UTF-8 text (byte {error.start}); save it as UTF-8") from None


def output_path(option: str, text: str, base: Path, *, appended: bool = False) -> Path:
    """An output file the run can write: its folder exists and is writable, and it is a file or absent.

    Relative paths are taken from ``base`` (the directory pytest was started in). A file written
    atomically replaces a link at its path; an ``appended`` one cannot, so a link there is refused.
    Raises ``ValueError`` naming the option, so it can be shown as one usage error before any request.
    """
    path = (base / text).absolute()
    if appended and path.is_symlink():
        raise ValueError(f"{option}={text}: {path} is a symbolic link; appending would write where it points")
    if path.is_dir():
        raise ValueError(f"{option}={text}: {path} is a directory; give a file name")
    if path.exists() and not path.is_file():
        raise ValueError(f"{option}={text}: {path} exists and is not a regular file")
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"{option}={text}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{option}={text}: the folder {folder} is not writable")
    return path


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically: a temporary file beside the target, then a rename over it."""
    import tempfile  # here: the plugin's entry point imports this module on every pytest start

    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temp, 0o644)  # mkstemp's 0600 would surprise whoever shares the file
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def open_append(path: str | os.PathLike[str]) -> IO[str]:
    """Open ``path`` to append UTF-8 lines, creating it; never through a symbolic link."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    return os.fdopen(fd, "a", encoding="utf-8")

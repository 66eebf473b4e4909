"""The one door for files: every input file is read by :func:`read_input` (a regular file, under a size
bound, UTF-8) and every output path is checked by :func:`output_path` (a directory by
:func:`output_directory`) before any request, then written atomically (:func:`write_text`, a directory's
files each so by :func:`write_files`) or, for an appended log, opened without following a link
(:func:`open_append`)."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
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


def output_directory(option: str, text: str, base: Path) -> Path:
    """An output directory the run can write: a real directory (never a symbolic link) that is writable,
    or absent in a writable folder (:func:`write_files` creates it). ``ValueError`` names the option."""
    path = (base / text).absolute()
    if path.is_symlink():
        raise ValueError(f"{option}={text}: {path} is a symbolic link; give a real directory")
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option}={text}: {path} exists and is not a directory")
    if path.is_dir() and not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"{option}={text}: the directory {path} is not writable")
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"{option}={text}: the folder {folder} does not exist")
    if not path.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{option}={text}: the folder {folder} is not writable")
    return path


def write_files(directory: str | os.PathLike[str], files: Mapping[str, str]) -> None:
    """Write ``files`` ({relative path: text}) into ``directory``, each atomically (:func:`write_text`).

    The directory and the folders inside it are created as needed; none of them may be a symbolic link
    (nothing is written where one points), and a relative path may not leave the directory.
    """
    root = Path(directory)
    _real_directory(root)
    made = {root}
    for name, text in files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or not relative.parts or any(p in (".", "..") for p in relative.parts):
            raise ValueError(f"{name!r} is no path inside {root}")
        folder = root
        for part in relative.parts[:-1]:
            folder = folder / part
            if folder not in made:
                _real_directory(folder)
                made.add(folder)
        write_text(folder / relative.name, text)


def _real_directory(path: Path) -> None:
    """Create ``path`` if absent; OSError when it is a link or anything but a directory."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o755)
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise NotADirectoryError(f"{path} is not a directory (a symbolic link or a file): nothing written")


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

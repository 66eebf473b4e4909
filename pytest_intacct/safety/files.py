"""Files the run writes: checked before any request, then written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def output_path(option: str, text: str, base: Path) -> Path:
    """An output file the run can write: its folder exists and is writable, and it is a file or absent.

    Relative paths are taken from ``base`` (the directory pytest was started in). Raises ``ValueError``
    naming the option, so it can be shown as one usage error before any request is made.
    """
    path = (base / text).absolute()
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

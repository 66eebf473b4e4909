"""Checks of the plugin's option values, so a bad one is a usage error before any request is sent."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

MAX_RETRIES = 10
DEFAULT_CONCURRENCY = 32
MAX_CONCURRENCY = 256


def timeout_seconds(text: str) -> float:
    """``--intacct-timeout``: a finite number of seconds greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the timeout must be a finite number of seconds > 0")
    return value


def retry_count(text: str) -> int:
    """``--intacct-retries``: a whole number from 0 to :data:`MAX_RETRIES`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= MAX_RETRIES:
        raise argparse.ArgumentTypeError(f"{text!r}: retries must be between 0 and {MAX_RETRIES}")
    return value


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


def check_concurrency(value: int) -> int:
    """``value`` if it is a usable pool size (1..MAX_CONCURRENCY), else :class:`ValueError` saying why."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, got {value!r}")
    return value


def concurrency(text: str) -> int:
    """``--intacct-concurrency``: how many environments are read side by side."""
    try:
        return check_concurrency(int(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to {MAX_CONCURRENCY}, got {text!r}"
        ) from None

"""A command run with its output on a pseudo-terminal, as a person at a terminal sees it (``isatty()``
is true, so pytest's terminal reporter draws its progress and colours)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path


def run_on_a_terminal(argv: list[str], cwd: Path, timeout: float = 120) -> tuple[int, str]:
    """Run ``argv`` on a new pseudo-terminal; its exit code and everything it wrote there."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(argv, cwd=cwd, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    written = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            written += chunk
        else:
            process.kill()
    finally:
        os.close(controller)
    return process.wait(timeout=10), written.decode("utf-8", "replace")

"""A real headless Chromium for what a person sees: pages rendered with JavaScript on, and printed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

# The flags the machine's notes give for Chromium on a closed network, as root, without a screen.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def tool(name: str, package: str) -> str:
    """A program a browser test needs; a missing one skips the test on a developer's machine and fails
    it in CI, which installs it (.ci/run)."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs {name} (.ci/run): a browser test never skips there")
        pytest.skip(f"needs {name} (Debian: apt-get install {package})")
    return found


def chromium() -> str:
    return tool("chromium", "chromium")


def rendered_dom(page: Path, profile: Path, fragment: str = "") -> str:
    """The page's DOM once its scripts ran (and timers fired), as Chromium serialises it; ``fragment``
    is what the address gives after ``#``."""
    address = page.as_uri() + (f"#{quote(fragment, safe='')}" if fragment else "")
    result = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom",
         address],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def printed_text(page: Path, profile: Path) -> str:
    """The text of the page printed to PDF by Chromium with JavaScript disabled.

    JavaScript is disabled through the browser profile's content setting (what a user's "Don't allow sites
    to use JavaScript" sets): Chromium 156's ``--blink-settings=scriptEnabled=false`` stops headless
    printing from producing any file.
    """
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    preferences = {"profile": {"default_content_setting_values": {"javascript": 2}}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    pdf = profile / f"{page.stem}.pdf"
    subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
         page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    pdftotext = tool("pdftotext", "poppler-utils")
    return subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True, text=True).stdout

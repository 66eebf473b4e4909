"""The go-live report printed to PDF by a real headless Chromium with JavaScript disabled.

JavaScript is disabled through the browser profile's content setting (what a user's "Don't allow sites to
use JavaScript" sets): Chromium 156's ``--blink-settings=scriptEnabled=false`` stops headless printing
from producing any file. A control page proves scripts really did not run.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and PDFTOTEXT),
    reason="needs Chromium and pdftotext (Debian: apt-get install chromium poppler-utils)",
)


def pdf_text_without_scripts(page, tmp_path) -> str:
    profile = tmp_path / "chromium-profile"
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    preferences = {"profile": {"default_content_setting_values": {"javascript": 2}}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    pdf = tmp_path / f"{page.stem}.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return subprocess.run([PDFTOTEXT, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def test_verdict_environments_and_every_failing_requirement_are_in_the_printed_pdf(pytester, tmp_path):
    control = tmp_path / "control.html"
    control.write_text(
        '<p id="x">static</p><script>document.getElementById("x").textContent="SCRIPT RAN"</script>'
    )
    assert "SCRIPT RAN" not in pdf_text_without_scripts(control, tmp_path)

    report = pytester.path / "report.html"
    pytester.runpytest(
        "--intacct-env=demo",
        "--intacct-scenario=missing-permissions",
        f"--html={report}",
        "--self-contained-html",
    )
    text = " ".join(pdf_text_without_scripts(report, tmp_path).split())
    assert text.startswith("NOT READY: Intacct acceptance")
    for expected in (
        "TRELICA-DEMO",
        "trelica_ws",
        "TrelicaMPP",
        "permission-employees-edit",
        "permission-ap-adjustments-view",
        "ip-allowlist",
        "Company > Admin > Roles > Trelica Integration",
    ):
        assert expected in text

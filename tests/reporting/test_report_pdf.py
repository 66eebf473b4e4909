"""The go-live report printed to PDF by a real headless Chromium with JavaScript disabled. A control page
proves scripts really did not run."""

from __future__ import annotations

from tests.helpers.browser import printed_text


def pdf_text_without_scripts(page, tmp_path) -> str:
    return printed_text(page, tmp_path / f"browser-{page.stem}")


def test_verdict_environments_and_every_failing_requirement_are_in_the_printed_pdf(pytester, tmp_path):
    control = tmp_path / "control.html"
    control.write_text(
        '<p id="x">static</p><script>document.getElementById("x").textContent="SCRIPT RAN"</script>'
    )
    assert "SCRIPT RAN" not in pdf_text_without_scripts(control, tmp_path)

    report = pytester.path / "report.html"
    # IP address filters enforced (this machine allowed): the allowlist is a manual attestation to print.
    scenario = pytester.path / "missing-permissions-filtered.toml"
    scenario.write_text('extends = ["missing-permissions", "ip-filtered"]\n', encoding="utf-8")
    pytester.runpytest(
        "--intacct-env=demo",
        f"--intacct-scenario={scenario}",
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

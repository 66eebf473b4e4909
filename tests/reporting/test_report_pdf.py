"""The go-live report printed to PDF by a real headless Chromium with JavaScript disabled. A control page
proves scripts really did not run."""

from __future__ import annotations

from pathlib import Path

import pytest_intacct.reporting
from tests.helpers.browser import printed_text
from tests.helpers.pages import static_page

TEMPLATES = Path(pytest_intacct.reporting.__file__).parent / "templates"


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


def pages(printed: str) -> list[str]:
    """The printed text page by page (pdftotext ends each page with a form feed), whitespace folded."""
    return [" ".join(page.split()) for page in printed.split("\f")[:-1]]


def ends_with_a_heading(page: str, headings: list[str]) -> str | None:
    """The heading a printed page ends with, if any."""
    return next((heading for heading in headings if heading and page.endswith(heading)), None)


# A4 with 20 mm margins leaves 257 mm: after 240 mm of nothing the heading fits, the block after it not.
AT_THE_FOOT = """<!DOCTYPE html><html><head><style>@page {{ size: A4; margin: 20mm; }} {css}</style></head>
<body><div id="intacct"><div style="height: 240mm"></div><h2>Lonely heading</h2>
<div class="intacct-req" style="height: 40mm; break-inside: avoid">the block it heads</div></div>
</body></html>"""


def test_a_heading_never_sits_alone_at_the_foot_of_a_printed_page(tmp_path):
    """A heading that fits at a page's foot, over a block that does not: printed as is, the heading ends
    the page; with the go-live stylesheet it moves to the next page, with its block."""
    bare = tmp_path / "bare.html"
    bare.write_text(AT_THE_FOOT.format(css=""))
    assert ends_with_a_heading(pages(pdf_text_without_scripts(bare, tmp_path))[0], ["Lonely heading"])
    styled = tmp_path / "styled.html"
    styled.write_text(AT_THE_FOOT.format(css=(TEMPLATES / "golive.css").read_text()))
    printed = pages(pdf_text_without_scripts(styled, tmp_path))
    assert [ends_with_a_heading(page, ["Lonely heading"]) for page in printed] == [None] * len(printed)
    assert any(page.startswith("Lonely heading the block it heads") for page in printed)


def test_the_printed_report_lists_passes_and_ends_with_no_empty_heading(pytester, tmp_path):
    report = pytester.path / "report.html"
    pytester.runpytest(
        "--intacct-env=demo",
        "--intacct-scenario=missing-permissions",
        f"--html={report}",
        "--self-contained-html",
    )
    printed = pages(pdf_text_without_scripts(report, tmp_path))
    text = " ".join(printed)
    assert "Passed and not applicable" in text
    assert (
        "user-login The Trelica web services user can log in through the Web Services API critical pass"
        in text
    )
    assert "All results" not in text  # the interactive table it headed is not printed
    summary = static_page(report).get_element_by_id("intacct")
    headings = [" ".join(h.text_content().split()) for h in summary.xpath(".//h2 | .//h3 | .//h4")]
    assert len(printed) >= 2  # several pages, so page feet exist
    assert [ends_with_a_heading(page, headings) for page in printed] == [None] * len(printed)

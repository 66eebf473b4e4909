"""The go-live HTML page: the verdict first, static tables, every failing requirement with its details, and
text from the gateway or the settings shown as text, never as markup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

import pytest_intacct.reporting
from pytest_intacct.reporting.findings import verdict_words
from pytest_intacct.reporting.html import requirement_block, summary_html
from pytest_intacct.reporting.model import build_report
from pytest_intacct.results.finding import Finding, Outcome
from pytest_intacct.results.readiness import Readiness
from tests.helpers.pages import html_blob, static_page, text
from tests.helpers.results import HOSTILE, HOSTILE_ENV, TRELICA, WHEN, fleet_report, hostile_report, result
from tests.helpers.runs import TRELICA_IDS, run_with_artifacts

TEMPLATES = Path(pytest_intacct.reporting.__file__).parent / "templates"


def test_the_verdict_leads_the_page_title_and_heading(missing_permissions_run):
    _, paths = missing_permissions_run
    page = static_page(paths["report.html"])
    expected = "NOT READY: Intacct acceptance: Trelica integration for Sage Intacct (demo)"
    assert text(page.find(".//title")) == expected
    assert text(page.get_element_by_id("title")) == expected
    assert html_blob(paths["report.html"])["title"] == expected
    assert text(page.find_class("verdict")[0]) == "NOT READY"


def test_counts_severities_manual_and_environments_are_static_tables(missing_permissions_run):
    _, paths = missing_permissions_run
    page = static_page(paths["report.html"])
    counts = [[text(c) for c in row] for row in page.get_element_by_id("intacct-counts")]
    assert counts == [
        ["environment", "verdict", "pass", "fail", "error", "manual", "n/a", "waived", "not run"],
        ["demo", "NOT READY", "17", "2", "0", "1", "0", "0", "0"],
    ]
    severity = {text(r[0]): tuple(text(c) for c in r[1:]) for r in page.get_element_by_id("intacct-severity")}
    assert severity["high"] == ("1", "0", "0")
    assert severity["medium"] == ("1", "0", "0")
    assert severity["critical"] == ("0", "0", "0")
    assert text(page.get_element_by_id("intacct-manual")).startswith("MANUAL ip-allowlist in demo: If IP")
    header, demo = ([text(c) for c in row] for row in page.get_element_by_id("intacct-environments"))
    assert header[:6] == ["name", "kind", "company", "Web Services user", "sender id", "endpoint"]
    assert demo[:5] == ["demo", "test", "TRELICA-DEMO", "trelica_ws", "TrelicaMPP"]
    assert demo[5].startswith("http://127.0.0.1:")
    assert demo[7].startswith("trelica (")
    started = text(page.get_element_by_id("intacct"))
    assert re.search(r"Started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ \([+-]\d{4}\)", started)


def test_every_failing_requirement_is_in_the_source_with_its_details(missing_permissions_run):
    _, paths = missing_permissions_run
    page = static_page(paths["report.html"])
    blocks = [text(b) for b in page.get_element_by_id("intacct").find_class("intacct-req")]
    [employees] = [b for b in blocks if "[permission-employees-edit]" in b]
    for part in (
        "Outcome FAIL",
        "Environment demo",
        "Runbook step Specifying permissions",
        "Severity high",
        "Expected Company > Employees: Edit for 'trelica_ws'",
        "Observed getUserPermissions lists Employees: View",
        "Fix (Specifying permissions) Company > Admin > Roles > Trelica Integration",
        '"declared": false',
    ):
        assert part in employees
    assert any("[permission-ap-adjustments-view]" in b for b in blocks)
    assert any(b.startswith("MANUAL ip-allowlist") for b in blocks)
    assert "data:" not in paths["report.html"].read_text()  # evidence inline, never a data: link


def test_pytest_html_clutter_is_gone(missing_permissions_run):
    _, paths = missing_permissions_run
    blob = html_blob(paths["report.html"])
    assert not {"Python", "Platform", "Packages", "Plugins"} & set(blob["environment"])
    row = blob["tests"]["test_permissions.py::test_permission[demo-permission-employees-edit]"][0]
    assert row["log"] == ""  # the failure text is not printed twice
    cells = row["resultsTableRow"]
    assert cells[1] == (
        '<td class="col-testId">Trelica can edit Employees, needed to deprovision users '
        "(Company &gt; Employees: Edit)</td>"
    )
    assert cells[2:] == [
        '<td class="col-environment">demo</td>',
        '<td class="col-requirement">permission-employees-edit</td>',
        '<td class="col-severity">high</td>',
        '<td class="col-outcome">fail</td>',
    ]
    assert not any("col-duration" in c or "col-links" in c for c in cells)
    [extra] = row["extras"]
    assert extra["format_type"] == "html"
    assert "Fix (Specifying permissions)</dt><dd>Company &gt; Admin &gt; Roles" in extra["content"]
    style = static_page(paths["report.html"]).find(".//div[@id='intacct']/..")
    assert "@media print" in paths["report.html"].read_text()
    assert style is not None


def test_root_causes_lead_and_what_they_left_unchecked_has_no_fix_of_its_own(pytester):
    _, paths = run_with_artifacts(pytester, "sender-not-authorized")
    page = static_page(paths["report.html"])
    blocks = page.get_element_by_id("intacct").find_class("intacct-req")
    assert len(blocks) == 1  # one root cause; the 19 errors are listed under it
    [cause] = blocks
    assert text(cause).startswith("FAIL sender-authorized in demo")
    assert "Not checked because of this (19):" in text(cause)
    severity = {text(r[0]): tuple(text(c) for c in r[1:]) for r in page.get_element_by_id("intacct-severity")}
    assert severity["critical"] == ("1", "0", "19")  # one failure, not 20 problems
    assert sum(int(row[1]) for row in list(severity.values())[1:]) == 0
    assert "user-login: The Trelica web services user can log in" in text(cause)
    assert text(cause).count("Fix ") == 1
    blob = html_blob(paths["report.html"])
    caused = blob["tests"]["test_user.py::test_user[demo-user-login]"][0]["extras"][0]["content"]
    assert "Not checked because" in caused
    assert "Fix" not in caused
    markdown = paths["a.md"].read_text()
    assert "not checked because of it (19)" in markdown
    assert markdown.count("fix (") == 1


def test_not_applicable_rows_show_no_fix(pytester):
    _, paths = run_with_artifacts(pytester, "user-based-permissions")
    blob = html_blob(paths["report.html"])
    [na] = [
        r[0]
        for name, r in blob["tests"].items()
        if '<td class="col-outcome">n/a</td>' in r[0]["resultsTableRow"] and "role-assigned" in name
    ]
    assert "Outcome</dt><dd>N/A" in na["extras"][0]["content"]
    assert "Fix" not in na["extras"][0]["content"]
    assert "READY" in text(static_page(paths["report.html"]).find_class("verdict")[0])


def test_html_sections_escape_everything_from_the_gateway_and_settings():
    page = summary_html(hostile_report(), [TRELICA])
    assert "<script" not in page
    assert "<img" not in page
    for tag in ("<b>", "<i>", "<u>", "<s>"):
        assert tag not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("</pre>") == page.count("<pre>")


def test_a_row_block_escapes_too():
    row = hostile_report().rows[0]
    block = requirement_block(row)
    assert "<script" not in block
    assert "<img" not in block


def test_root_caused_errors_group_under_their_cause_without_a_fix():
    report = hostile_report()
    [(cause, caused)] = report.root_causes()
    assert cause.requirement.id == "user-active"
    assert [r.requirement.id for r in caused] == ["user-login"]
    block = requirement_block(caused[0])
    assert "Fix" not in block
    assert "Not checked because" in block


def test_every_requirement_is_in_the_static_part_passes_as_rows_and_each_attestation_once(
    missing_permissions_run,
):
    _, paths = missing_permissions_run
    page = static_page(paths["report.html"])
    shown = text(page.get_element_by_id("intacct"))
    assert [rid for rid in TRELICA_IDS if rid not in shown] == []
    header, *passed = ([text(c) for c in row] for row in page.get_element_by_id("intacct-passed"))
    assert header == ["environment", "requirement", "title", "severity", "outcome"]
    failed_or_owed = {"permission-employees-edit", "permission-ap-adjustments-view", "ip-allowlist"}
    assert [row[1] for row in passed] == [rid for rid in TRELICA_IDS if rid not in failed_or_owed]
    assert {(row[0], row[4]) for row in passed} == {("demo", "pass")}
    # The attestation: one block, its sentence once (it was listed, then shown again as a block).
    assert shown.count("confirm Trelica's address is in the list") == 1
    assert shown.count("MANUAL ip-allowlist") == 1
    assert "Manual and waived requirements" not in shown


def test_ready_says_how_many_attestations_are_owed_and_the_verdict_words_stay(pytester):
    # READY, with IP address filters enforced: the allowlist is the one attestation owed.
    result, paths = run_with_artifacts(pytester, "ip-filtered", "--intacct-json=a.json")
    assert result.ret == 0
    page = static_page(paths["report.html"])
    assert text(page.find(".//title")).startswith("READY, 1 attestation owed: Intacct acceptance")
    assert text(page.find_class("verdict")[0]) == "READY, 1 attestation owed"
    assert paths["a.md"].read_text().startswith("## Intacct acceptance: **READY, 1 attestation owed**\n")
    document = json.loads((pytester.path / "a.json").read_text())
    assert (document["verdict"], document["attestations_owed"]) == ("READY", 1)
    assert [(e["verdict"], e["attestations_owed"]) for e in document["environments"]] == [("READY", 1)]
    suite = etree.parse(str(paths["junit.xml"])).find(".//testsuite/properties")
    assert {p.get("name"): p.get("value") for p in suite}["intacct_verdict"] == "READY"
    assert "verdict: READY" in result.stdout.lines


def test_the_verdict_words_count_attestations_only_when_ready():
    assert verdict_words(Readiness.READY, 0) == "READY"
    assert verdict_words(Readiness.READY, 3) == "READY, 3 attestations owed"
    assert verdict_words(Readiness.NOT_READY, 3) == "NOT READY"
    assert verdict_words(Readiness.INCOMPLETE, 1) == "INCOMPLETE"


def test_in_a_fleet_an_attestation_is_written_once_with_the_environments_that_owe_it():
    report = fleet_report(30)
    owing = [row.result.environment for row in report.rows if row.outcome is Outcome.MANUAL]
    assert len(owing) == 28  # two of the 30 could not sign in
    page = lxml_html.fromstring(summary_html(report, [TRELICA]))
    [block] = page.get_element_by_id("intacct-manual").find_class("intacct-req")
    assert text(block).startswith("MANUAL ip-allowlist in 28 environments: If IP address filters")
    assert text(block).count("confirm Trelica's address is in the list") == 1
    assert f"Owed in {', '.join(owing)}" in text(block)


def test_pass_and_not_applicable_rows_escape_their_text():
    hostile = Finding.not_applicable("roles", HOSTILE)
    report = build_report(
        [
            result(HOSTILE_ENV.name, TRELICA, "role-assigned", hostile),
            result(HOSTILE_ENV.name, TRELICA, "user-login"),
        ],
        [HOSTILE_ENV],
        plugin_version="0",
        started_at=WHEN,
    )
    page = summary_html(report, [TRELICA])
    assert "<script" not in page
    assert "<img" not in page
    assert "<b>" not in page
    rows = [[text(c) for c in r] for r in lxml_html.fromstring(page).get_element_by_id("intacct-passed")]
    assert rows[1][0] == 'prod"><b>'
    assert rows[2][2].endswith(f"({HOSTILE})")


def colours(css: str) -> list[tuple[str, str, str]]:
    """(selector, text colour, background) of every rule that sets either; white and the page's text
    colour (#222) where a rule leaves one to its surroundings."""
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declared = dict(re.findall(r"(color|background(?:-color)?)\s*:\s*([^;]+)", body))
        colour = declared.get("color")
        background = declared.get("background") or declared.get("background-color")
        if colour or background:
            found.append((selector.strip(), colour or "#222", background or "#fff"))
    return found


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two #rgb or #rrggbb colours."""

    def luminance(colour: str) -> float:
        digits = colour.strip().lstrip("#")
        digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
        channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_check_catches_a_colour_too_pale_to_read():
    assert round(contrast("#999", "#fff"), 2) == 2.85  # pytest-html's own row colour
    assert round(contrast("#000", "#fff"), 1) == 21.0


@pytest.mark.parametrize("stylesheet", ["golive.css", "fleet.css"])
def test_every_text_colour_of_the_pages_meets_wcag_aa(stylesheet):
    """Pass rows (pytest-html draws them #999 on white, 2.85:1) and every other coloured text: 4.5:1."""
    css = (TEMPLATES / stylesheet).read_text()
    found = colours(css)
    assert found, "the stylesheet sets colours"
    assert all(
        re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", c.strip()) for _, c, b in found for c in (c, b)
    )
    pale = [(selector, c, b, round(contrast(c, b), 2)) for selector, c, b in found if contrast(c, b) < 4.5]
    assert pale == []
    if stylesheet == "golive.css":
        assert any(".passed .col-result" in selector for selector, _, _ in found)
        assert any("#results-table" in selector for selector, _, _ in found)

"""The go-live HTML page: the verdict first, static tables, every failing requirement with its details, and
text from the gateway or the settings shown as text, never as markup."""

from __future__ import annotations

import re

from pytest_intacct.reporting.html import requirement_block, summary_html
from tests.helpers.pages import html_blob, static_page, text
from tests.helpers.results import TRELICA, hostile_report
from tests.helpers.runs import run_with_artifacts


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
    severity = {text(r[0]): (text(r[1]), text(r[2])) for r in page.get_element_by_id("intacct-severity")}
    assert severity["high"] == ("1", "0")
    assert severity["medium"] == ("1", "0")
    assert severity["critical"] == ("0", "0")
    assert "[ip-allowlist] in demo" in text(page.get_element_by_id("intacct-manual"))
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

"""The report artifacts of a run: the go-live HTML page, JUnit properties, the terminal summary, Markdown."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from tests.helpers.pages import html_blob, static_page, text
from tests.helpers.runs import run_with_artifacts


@pytest.fixture
def missing_permissions_run(pytester):
    return run_with_artifacts(pytester, "missing-permissions")


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
        ["demo", "NOT READY", "15", "2", "0", "1", "0", "0", "0"],
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
    assert len(blocks) == 1  # one root cause; the 17 errors are listed under it
    [cause] = blocks
    assert text(cause).startswith("FAIL sender-authorized in demo")
    assert "Not checked because of this (17):" in text(cause)
    assert "user-login: The Trelica web services user can log in" in text(cause)
    assert text(cause).count("Fix ") == 1
    blob = html_blob(paths["report.html"])
    caused = blob["tests"]["test_user.py::test_user[demo-user-login]"][0]["extras"][0]["content"]
    assert "Not checked because" in caused
    assert "Fix" not in caused
    markdown = paths["a.md"].read_text()
    assert "not checked because of it (17)" in markdown
    assert markdown.count("fix (") == 1


def test_not_applicable_rows_show_no_fix(pytester):
    _, paths = run_with_artifacts(pytester, "user-based-permissions")
    blob = html_blob(paths["report.html"])
    [na] = [
        r[0] for r in blob["tests"].values() if '<td class="col-outcome">n/a</td>' in r[0]["resultsTableRow"]
    ]
    assert "Outcome</dt><dd>N/A" in na["extras"][0]["content"]
    assert "Fix" not in na["extras"][0]["content"]
    assert "READY" in text(static_page(paths["report.html"]).find_class("verdict")[0])


def test_junit_carries_requirement_waived_and_the_verdicts(missing_permissions_run):
    _, paths = missing_permissions_run
    tree = etree.parse(str(paths["junit.xml"]))
    cases = {case.get("name"): case for case in tree.iter("testcase")}
    case = cases["test_permission[demo-permission-ap-adjustments-view]"]
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties == {
        "intacct_requirement": "permission-ap-adjustments-view",
        "intacct_environment": "demo",
        "intacct_severity": "medium",
        "intacct_outcome": "fail",
        "intacct_waived": "false",
    }
    assert case.find("failure") is not None
    suite = {p.get("name"): p.get("value") for p in tree.find(".//testsuite/properties")}
    assert suite == {
        "intacct_verdict": "NOT READY",
        "intacct_partial": "false",
        "intacct_verdict[demo]": "NOT READY",
    }


def test_terminal_summary_names_verdict_outcomes_and_the_failures(missing_permissions_run):
    result, _ = missing_permissions_run
    result.stdout.fnmatch_lines(
        [
            "*Intacct acceptance*",
            "profile: trelica*",
            "verdict: NOT READY",
            "demo: NOT READY (15 pass, 2 fail, 1 manual)",
            "  FAIL   permission-employees-edit: getUserPermissions lists Employees: View",
            "SKIPPED * manual: ip-allowlist: *",
        ]
    )


def test_markdown_has_verdict_counts_and_failures_with_fixes(missing_permissions_run):
    _, paths = missing_permissions_run
    markdown = paths["a.md"].read_text()
    assert markdown.startswith("## Intacct acceptance: **NOT READY**\n")
    assert "| demo (test) | NOT READY | 15 | 2 | 0 | 1 | 0 | 0 |" in markdown
    assert "- **FAIL** permission-employees-edit in demo: Trelica can edit Employees" in markdown
    assert "  - fix (Specifying permissions): Company > Admin > Roles" in markdown
    assert "### Manual attestations owed" in markdown


def test_markdown_text_from_the_gateway_cannot_inject_markup():
    from pytest_intacct.reporting.markdown import escape

    assert escape("[click](http://evil) <img src=x> | `code` *b* &amp;\nnext") == (
        r"\[click\](http:" "\u2060" r"//evil) \<img src=x> \| \`code\` \*b\* \&amp; next"
    )


def test_errors_blocked_by_a_refused_sign_in_are_one_group_without_fixes(pytester):
    result, paths = run_with_artifacts(pytester, "sender-bad-password")
    assert result.ret == 10
    result.stdout.fnmatch_lines(["  ERROR  18 not checked: sign-in could not complete: *"])
    page = static_page(paths["report.html"])
    [group] = page.get_element_by_id("intacct").find_class("intacct-req")
    assert text(group).startswith("NOT CHECKED in demo (18 requirements)")
    assert "Fix" not in text(group)
    markdown = paths["a.md"].read_text()
    assert "- **NOT CHECKED** in demo (18 requirements): not checked: sign-in could not complete" in markdown
    assert "fix (" not in markdown

"""The report artifacts of a run: pytest-html rows and summary, JUnit properties, the terminal summary."""

from __future__ import annotations

import base64
import html
import json
import re

import pytest
from lxml import etree


def html_blob(path) -> dict:
    """pytest-html renders rows client-side from a JSON blob; read that rather than the DOM."""
    match = re.search(r'data-jsonblob="([^"]*)"', path.read_text())
    return json.loads(html.unescape(match.group(1)))


@pytest.fixture
def missing_permissions_run(pytester):
    report, junit = pytester.path / "report.html", pytester.path / "junit.xml"
    result = pytester.runpytest(
        "--intacct-env=demo",
        "--intacct-scenario=missing-permissions",
        f"--html={report}",
        "--self-contained-html",
        f"--junitxml={junit}",
        "-rs",
    )
    return result, report, junit


def test_html_rows_carry_requirement_severity_outcome_remediation_and_evidence(missing_permissions_run):
    _, report, _ = missing_permissions_run
    blob = html_blob(report)
    assert blob["environment"]["Intacct profile"] == "trelica: Trelica integration for Sage Intacct"
    assert blob["environment"]["Intacct environments"]["demo"].startswith(
        "company TRELICA-DEMO at http://127.0.0.1:"
    )
    assert blob["title"] == "Intacct acceptance: Trelica integration for Sage Intacct (demo)"
    row = blob["tests"]["test_permissions.py::test_permission[demo-permission-employees-edit]"][0]
    assert (row["requirement"], row["severity"], row["outcome"]) == (
        "permission-employees-edit",
        "high",
        "fail",
    )
    assert '<td class="col-outcome">fail</td>' in row["resultsTableRow"]
    verdict, evidence = row["extras"]
    assert "Fix (Specifying permissions): Company &gt; Admin &gt; Roles" in verdict["content"]
    payload = json.loads(base64.b64decode(evidence["content"].split(",", 1)[1]))
    assert payload["declared"] is False
    manual = blob["tests"]["test_access.py::test_access[demo-ip-allowlist]"][0]
    assert manual["outcome"] == "manual"
    summary = report.read_text()
    assert "15 pass, 2 fail, 0 error, 1 manual" in summary


def test_junit_test_cases_carry_the_requirement_as_properties(missing_permissions_run):
    _, _, junit = missing_permissions_run
    cases = {case.get("name"): case for case in etree.parse(str(junit)).iter("testcase")}
    case = cases["test_permission[demo-permission-ap-adjustments-view]"]
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties == {
        "intacct_requirement": "permission-ap-adjustments-view",
        "intacct_environment": "demo",
        "intacct_severity": "medium",
        "intacct_outcome": "fail",
    }
    assert case.find("failure") is not None


def test_terminal_summary_names_outcomes_and_the_failures(missing_permissions_run):
    result, _, _ = missing_permissions_run
    result.stdout.fnmatch_lines(
        [
            "*Intacct acceptance*",
            "profile: trelica*",
            "demo: 15 pass, 2 fail, 1 manual",
            "  FAIL  permission-employees-edit: getUserPermissions lists Employees: View",
            "SKIPPED * manual: ip-allowlist: *",
        ]
    )

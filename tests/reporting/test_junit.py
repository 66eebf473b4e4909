"""JUnit: each requirement's test case carries its requirement, environment, severity, outcome and waiver,
and the test suite the verdicts."""

from __future__ import annotations

from lxml import etree


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

"""What the JUnit file (``--junitxml``) carries: a requirement's properties on its test case, the
verdicts on the test suite."""

from __future__ import annotations

import pytest

from pytest_intacct.reporting.drift import Baseline, drift_kind
from pytest_intacct.reporting.model import RunReport
from pytest_intacct.results.finding import RequirementResult


def testcase_properties(
    result: RequirementResult, *, waived: bool, baseline: Baseline | None
) -> list[tuple[str, str]]:
    """The ``<properties>`` of a requirement's test case."""
    properties = [
        ("intacct_requirement", result.requirement.id),
        ("intacct_environment", result.environment),
        ("intacct_severity", result.requirement.severity),
        ("intacct_outcome", result.finding.outcome.value),
        ("intacct_waived", str(waived).lower()),
    ]
    if baseline is not None:
        before = baseline.outcomes.get(result.environment, {}).get(result.requirement.id)
        properties.append(("intacct_drift", drift_kind(result.outcome, before)))
    return properties


def add_testsuite_properties(config: pytest.Config, report: RunReport) -> None:
    """The verdicts as ``<testsuite>`` properties of the JUnit file, when one is written."""
    from _pytest.junitxml import xml_key  # pytest's own key: what record_testsuite_property uses

    xml = config.stash.get(xml_key, None)
    if xml is None:
        return
    xml.add_global_property("intacct_verdict", str(report.readiness))
    xml.add_global_property("intacct_partial", str(report.partial).lower())
    if report.replay:
        xml.add_global_property("intacct_replay", report.replay)
    for env in report.environments:
        xml.add_global_property(f"intacct_verdict[{env.name}]", str(env.readiness))
    for kind, count in (report.drift_counts or {}).items():
        xml.add_global_property(f"intacct_drift[{kind}]", str(count))

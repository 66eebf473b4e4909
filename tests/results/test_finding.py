"""The result model: six outcomes, verdicts that carry their evidence, and deterministic counts."""

from __future__ import annotations

import dataclasses

import pytest

from pytest_intacct.profiles import load_profile
from pytest_intacct.results.finding import Finding, Outcome, RequirementResult, count_outcomes, summarize

TRELICA = load_profile("trelica")


def result(requirement_id: str, verdict: Finding, environment: str = "prod") -> RequirementResult:
    return RequirementResult(environment, TRELICA.requirement(requirement_id), verdict)


def test_the_six_outcomes_and_their_report_values():
    assert [outcome.value for outcome in Outcome] == ["pass", "fail", "error", "manual", "n/a", "waived"]
    assert Outcome.NOT_APPLICABLE == "n/a"


@pytest.mark.parametrize(
    ("make", "outcome"),
    [
        (Finding.passed, Outcome.PASS),
        (Finding.failed, Outcome.FAIL),
        (Finding.error, Outcome.ERROR),
        (Finding.manual, Outcome.MANUAL),
        (Finding.not_applicable, Outcome.NOT_APPLICABLE),
    ],
)
def test_a_verdict_constructor_sets_its_outcome_and_keeps_the_evidence(make, outcome):
    verdict = make("status active", "status inactive", {"login_id": "trelica", "status": "inactive"})
    assert verdict == Finding(
        outcome, "status active", "status inactive", {"login_id": "trelica", "status": "inactive"}
    )
    assert verdict.root_cause is None


def test_an_error_caused_by_another_requirement_names_it():
    verdict = Finding.error("Departments: View", "not checked: login failed", root_cause="sender-authorized")
    assert verdict.outcome is Outcome.ERROR
    assert verdict.root_cause == "sender-authorized"
    assert verdict.evidence == {}


def test_only_an_error_has_a_root_cause():
    with pytest.raises(ValueError, match="only an error has a root cause"):
        Finding(Outcome.FAIL, "x", "y", {}, root_cause="sender-authorized")


def test_a_verdict_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Finding.passed("x", "x").outcome = Outcome.FAIL  # type: ignore[misc]


def test_a_result_exposes_its_verdict_s_outcome():
    assert result("user-active", Finding.failed("active", "inactive")).outcome is Outcome.FAIL


def test_summarize_counts_outcomes_overall_and_per_severity():
    results = [
        result("sender-authorized", Finding.passed("authorized", "authorized")),  # critical
        result(
            "user-login", Finding.failed("login succeeds", "Sign-in information is incorrect")
        ),  # critical
        result("ip-allowlist", Finding.manual("Trelica IP allowed", "IP list is not readable")),  # high
        result("permission-departments-view", Finding.error("View", "not checked", root_cause="user-login")),
        result("permission-gl-accounts-view", Finding.passed("View", "View")),  # medium
    ]
    summary = summarize(results)
    assert summary == {
        "total": 5,
        "outcomes": {"pass": 2, "fail": 1, "error": 1, "manual": 1, "n/a": 0, "waived": 0},
        "by_severity": {
            "critical": {"pass": 1, "fail": 1, "error": 0, "manual": 0, "n/a": 0, "waived": 0},
            "high": {"pass": 0, "fail": 0, "error": 1, "manual": 1, "n/a": 0, "waived": 0},
            "medium": {"pass": 1, "fail": 0, "error": 0, "manual": 0, "n/a": 0, "waived": 0},
            "low": {"pass": 0, "fail": 0, "error": 0, "manual": 0, "n/a": 0, "waived": 0},
        },
    }


def test_summary_keys_come_in_a_fixed_order_whatever_the_results():
    summary = summarize([result("user-active", Finding.not_applicable("active", "not a production env"))])
    assert list(summary) == ["total", "outcomes", "by_severity"]
    assert list(summary["outcomes"]) == ["pass", "fail", "error", "manual", "n/a", "waived"]
    assert list(summary["by_severity"]) == ["critical", "high", "medium", "low"]


def test_an_empty_run_counts_zero_everywhere():
    assert summarize([])["total"] == 0
    assert set(count_outcomes([]).values()) == {0}


def test_evidence_is_plain_data_whatever_a_check_put_in_it():
    from pytest_intacct.client import Level
    from pytest_intacct.safety.redaction import Secret

    secret = Secret('Evidence-Canary-<"&\\-é')

    class Opaque:
        def __str__(self) -> str:
            return f"holds {secret.reveal()}"

    verdict = Finding(
        Outcome.FAIL,
        "e",
        "o",
        {
            "level": Level.AUTHENTICATION,
            "rights": frozenset({"View", "Add"}),
            "roles": ("a", "b"),
            "nested": {1: [Level.FUNCTION, None, True, 2.5, float("nan")]},
            "opaque": Opaque(),
        },
    )
    assert verdict.evidence == {
        "level": "authentication",
        "rights": ["Add", "View"],
        "roles": ["a", "b"],
        "nested": {"1": ["function", None, True, 2.5, "nan"]},
        "opaque": "holds ***",
    }
    assert type(verdict.evidence["level"]) is str  # not the enum: pytest-xdist cannot carry enums


def test_verdict_text_stays_on_one_line_and_shows_what_could_deceive():
    verdict = Finding.failed("met", "refused\r\nverdict: READY\x1b[0m \u202eevil")
    assert verdict.observed == "refused  verdict: READY\\u001b[0m \\u202eevil"

"""Drift against a baseline: the three outcome classes, every bucket, and baselines that cannot be used."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pytest_intacct.identity import Identity
from pytest_intacct.profiles import load_profile
from pytest_intacct.reporting.acceptance_json import build_acceptance
from pytest_intacct.reporting.drift import BaselineError, check_profiles, drift_kind, load_baseline
from pytest_intacct.reporting.model import NO_RESULT, EnvironmentInfo, build_report
from pytest_intacct.results.finding import Finding, RequirementResult

TRELICA = load_profile("trelica")
WHEN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
PROD = EnvironmentInfo(Identity("prod", company_id="ACME", endpoint="https://gw", production=True), TRELICA)


@pytest.mark.parametrize(
    ("now", "before", "kind"),
    [
        ("fail", "pass", "new-fail"),
        ("fail", "error", "new-fail"),
        ("error", "pass", "new-error"),
        ("error", "fail", "new-error"),
        ("pass", "fail", "new-pass"),
        ("manual", "error", "new-pass"),
        ("waived", "fail", "new-pass"),  # a waiver accepts the failure: met
        ("pass", "n/a", "unchanged"),
        ("waived", "manual", "unchanged"),
        ("fail", "fail", "unchanged"),
        ("error", "error", "unchanged"),
        ("fail", None, "added"),
    ],
)
def test_drift_kind_by_outcome_class(now, before, kind):
    assert drift_kind(now, before) == kind


def baseline_file(tmp_path, outcomes: dict[str, str], *, version=2, profile="trelica", name="prod"):
    document = {
        "schema_version": version,
        "generated_at": "2026-11-22T06:00:00Z",
        "environments": [
            {
                "name": name,
                "profile": profile,
                "requirements": [{"id": i, "outcome": o} for i, o in outcomes.items()],
            }
        ],
    }
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("version", [1, 2])
def test_every_bucket_with_a_v1_or_v2_baseline(tmp_path, version):
    baseline = load_baseline(
        baseline_file(
            tmp_path,
            {
                "user-login": "pass",
                "user-active": "pass",
                "user-type-business": "fail",
                "user-web-services-only": "pass",
                "retired-requirement": "pass",
            },
            version=version,
        )
    )
    results = [
        RequirementResult("prod", TRELICA.requirement("user-login"), Finding.failed("a", "b")),
        RequirementResult("prod", TRELICA.requirement("user-active"), Finding.error("a", "unreachable")),
        RequirementResult("prod", TRELICA.requirement("user-type-business"), Finding.passed("a", "a")),
        RequirementResult("prod", TRELICA.requirement("user-web-services-only"), Finding.manual("a", "b")),
        RequirementResult("prod", TRELICA.requirement("user-admin-full"), Finding.passed("a", "a")),
    ]
    report = build_report(results, [PROD], plugin_version="0", started_at=WHEN, baseline=baseline)
    [env] = report.environments
    assert {row.requirement.id: row.drift for row in env.rows} == {
        "user-login": "new-fail",
        "user-active": "new-error",
        "user-type-business": "new-pass",
        "user-web-services-only": "unchanged",
        "user-admin-full": "added",
    }
    assert env.removed == ("retired-requirement",)
    document = build_acceptance(report, generated_at=WHEN)
    assert document["environments"][0]["drift"] == {
        "new-fail": 1,
        "new-error": 1,
        "new-pass": 1,
        "unchanged": 1,
        "added": 1,
    }
    assert document["environments"][0]["removed"] == ["retired-requirement"]
    assert document["summary"]["drift"] == document["environments"][0]["drift"]
    assert document["baseline"] == {"path": str(baseline.path), "generated_at": "2026-11-22T06:00:00Z"}


def test_a_requirement_not_run_is_neither_removed_nor_drifting(tmp_path):
    baseline = load_baseline(baseline_file(tmp_path, {"user-login": "pass", "user-active": "fail"}))
    results = [RequirementResult("prod", TRELICA.requirement("user-login"), Finding.passed("a", "a"))]
    report = build_report(results, [PROD], plugin_version="0", started_at=WHEN, baseline=baseline)
    [env] = report.environments
    assert env.removed == ()
    assert "user-active" in [r.id for r in env.not_run]


def test_a_baseline_of_the_acceptance_writer_round_trips(tmp_path):
    results = [RequirementResult("prod", TRELICA.requirement("user-login"), Finding.failed("a", "b"))]
    report = build_report(results, [PROD], plugin_version="0", started_at=WHEN)
    path = tmp_path / "a.json"
    path.write_text(json.dumps(build_acceptance(report, generated_at=WHEN)))
    baseline = load_baseline(path)
    assert baseline.outcomes["prod"]["user-login"] == "fail"
    assert baseline.profiles == {"prod": "trelica"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not an acceptance JSON file"),
        ("[" * 100_000, "not an acceptance JSON file"),  # nested past the recursion limit
        ('{"schema_version": 2, "environments": 7}', "not an acceptance JSON file"),
        ("[]", "not an acceptance JSON file"),
        ('{"schema_version": 4, "environments": []}', "schema_version 4 is not one this plugin reads"),
        ('{"schema_version": "2", "environments": []}', "schema_version is not a number"),
        ('{"schema_version": 2, "environments": [{"name": "prod"}]}', "not an acceptance JSON file"),
        (
            '{"schema_version": 2, "environments": [{"name": "p", "profile": "t", '
            '"requirements": [{"id": "x", "outcome": "great"}]}]}',
            "not an acceptance JSON file",
        ),
    ],
)
def test_an_unusable_baseline_is_refused_with_its_path(tmp_path, content, message):
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(BaselineError, match=f"^baseline {path}") as caught:
        load_baseline(path)
    assert message in str(caught.value)


def test_a_missing_baseline_is_refused(tmp_path):
    with pytest.raises(BaselineError, match="cannot be read"):
        load_baseline(tmp_path / "nope.json")


def test_a_baseline_of_another_profile_is_refused(tmp_path):
    baseline = load_baseline(baseline_file(tmp_path, {"user-login": "pass"}, profile="calance"))
    with pytest.raises(BaselineError, match="environment 'prod' was checked against profile 'calance'"):
        check_profiles(baseline, {"prod": "trelica"})
    check_profiles(baseline, {"sandbox": "trelica"})  # environments not in both runs are not compared


def test_a_planned_requirement_without_a_result_is_an_error_not_a_gap():
    report = build_report(
        [],
        [PROD],
        plugin_version="0",
        started_at=WHEN,
        planned=[("prod", "user-login"), ("prod", "user-active")],
    )
    [env] = report.environments
    assert [(r.requirement.id, r.outcome.value, r.finding.observed) for r in env.rows] == [
        ("user-login", "error", NO_RESULT),
        ("user-active", "error", NO_RESULT),
    ]
    assert str(report.readiness) == "INCOMPLETE"
    assert report.partial
    assert (report.ran, report.total) == (2, len(TRELICA.requirements))

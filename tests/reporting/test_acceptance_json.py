"""The acceptance file: its exact shape, its ordering, the "*" pseudo-environment, and a safe write."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest

from pytest_intacct.identity import ACROSS_ENVIRONMENTS, Identity
from pytest_intacct.reporting.acceptance_json import build_acceptance, write_acceptance
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.results.finding import Finding
from tests.helpers.results import CALANCE, TRELICA, WHEN, fleet_report, result

PROD = EnvironmentInfo(
    Identity("prod", company_id="ACME", endpoint="https://api.intacct.com/ia/xml/xmlgw.phtml"), TRELICA
)
SANDBOX = EnvironmentInfo(
    Identity("sandbox", company_id="ACME-sandbox", endpoint="https://api.intacct.com/ia/xml/xmlgw.phtml"),
    TRELICA,
)


def build(results, environments=(PROD,), **options) -> dict:
    report = build_report(results, list(environments), plugin_version="0.1.0", started_at=WHEN, **options)
    return build_acceptance(report, generated_at=WHEN)


def test_the_document_has_exactly_the_documented_keys():
    document = build(
        [result("prod", TRELICA, "user-active", Finding.failed("active", "inactive", {"status": "inactive"}))]
    )
    assert list(document) == [
        "schema_version",
        "generated_at",
        "started_at",
        "plugin_version",
        "verdict",
        "attestations_owed",
        "partial",
        "replay",
        "requirements_run",
        "requirements_selectable",
        "baseline",
        "environments",
        "removed_environments",
        "waivers",
        "root_causes",
        "summary",
        "profiles",
        "shard",
    ]
    assert document["schema_version"] == 3  # 3: root causes that are no requirement (issue 15)
    # What a merge of shards needs: the runbook judged by (its fingerprint), and the shard (none here).
    assert [(p["name"], p["fingerprint"][:7], len(p["requirements"])) for p in document["profiles"]] == [
        ("trelica", "sha256:", len(TRELICA.requirements))
    ]
    assert document["shard"] is None
    assert document["root_causes"] == []
    assert document["plugin_version"] == "0.1.0"
    assert (document["verdict"], document["partial"], document["baseline"], document["waivers"]) == (
        "NOT READY",
        True,
        None,
        [],
    )
    assert document["replay"] is None  # a live run
    assert (document["requirements_run"], document["requirements_selectable"]) == (
        1,
        len(TRELICA.requirements),
    )
    [environment] = document["environments"]
    assert environment == {
        "name": "prod",
        "group": "default",
        "profile": "trelica",
        "production": None,
        "company_id": "ACME",
        "user_id": None,
        "sender_id": None,
        "endpoint": "https://api.intacct.com/ia/xml/xmlgw.phtml",
        "verdict": "NOT READY",
        "attestations_owed": 0,
        "not_run": [r.id for r in TRELICA.requirements if r.id != "user-active"],
        "removed": None,
        "drift": None,
        "requirements": [
            {
                "id": "user-active",
                "title": "The Trelica web services user's status is Active",
                "severity": "critical",
                "outcome": "fail",
                "expected": "active",
                "observed": "inactive",
                "remediation": TRELICA.requirement("user-active").remediation,
                "evidence": {"status": "inactive"},
                "runbook_step": TRELICA.requirement("user-active").runbook_step,
                "drift": None,
                "waiver": None,
            }
        ],
    }
    assert list(environment["requirements"][0]) == [
        "id",
        "title",
        "severity",
        "outcome",
        "expected",
        "observed",
        "remediation",
        "evidence",
        "runbook_step",
        "drift",
        "waiver",
    ]


def test_root_cause_appears_only_when_set():
    document = build(
        [
            result(
                "prod",
                TRELICA,
                "sender-authorized",
                Finding.failed("authorized", "Invalid Web Services Authorization"),
            ),
            result(
                "prod",
                TRELICA,
                "user-login",
                Finding.error("login", "not checked", root_cause="sender-authorized"),
            ),
        ]
    )
    sender, login = document["environments"][0]["requirements"]
    assert "root_cause" not in sender
    assert login["root_cause"] == "sender-authorized"
    assert login["outcome"] == "error"


def test_every_outcome_is_written_as_its_report_value():
    verdicts = {
        "web-services-subscription": Finding.passed("subscribed", "subscribed"),
        "sender-authorized": Finding.failed("authorized", "Invalid Web Services Authorization"),
        "ip-allowlist": Finding.manual("Trelica IP allowed", "the IP list is not readable"),
        "user-login": Finding.error("login succeeds", "gateway unreachable"),
        "user-admin-full": Finding.not_applicable("Full", "deprovisioning is off"),
    }
    document = build([result("prod", TRELICA, i, verdict) for i, verdict in verdicts.items()])
    outcomes = [entry["outcome"] for entry in document["environments"][0]["requirements"]]
    assert outcomes == ["pass", "fail", "manual", "error", "n/a"]
    assert all(type(outcome) is str for outcome in outcomes)


def test_attestations_owed_are_counted_per_environment_and_overall():
    manual = Finding.manual("Trelica IP allowed", "the IP list is not readable")
    document = build(
        [
            result("prod", TRELICA, "ip-allowlist", manual),
            result("prod", TRELICA, "user-login"),
            result("sandbox", TRELICA, "ip-allowlist", manual),
            result("sandbox", TRELICA, "user-active", Finding.failed("active", "inactive")),
        ],
        environments=(PROD, SANDBOX),
    )
    assert document["attestations_owed"] == 2  # whatever the verdict
    assert [(e["verdict"], e["attestations_owed"]) for e in document["environments"]] == [
        ("READY", 1),
        ("NOT READY", 1),
    ]
    assert document["verdict"] == "NOT READY"  # the word never carries the count


def test_generated_at_is_utc_with_z():
    assert build([])["generated_at"] == "2026-09-01T06:00:00Z"
    paris = datetime(2026, 9, 1, 8, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    report = build_report([], [PROD], plugin_version="0.1.0", started_at=paris)
    document = build_acceptance(report, generated_at=paris)
    assert (document["generated_at"], document["started_at"]) == ("2026-09-01T06:00:00Z",) * 2


def test_a_naive_timestamp_is_refused():
    report = build_report([], [PROD], plugin_version="0.1.0", started_at=WHEN)
    with pytest.raises(ValueError, match="timezone-aware"):
        build_acceptance(report, generated_at=datetime(2026, 9, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        build_report([], [PROD], plugin_version="0.1.0", started_at=datetime(2026, 9, 1))


def test_environments_keep_the_given_order_and_requirements_the_profile_order():
    ids = [r.id for r in TRELICA.requirements]
    results = [result(env, TRELICA, i) for env in ("prod", "sandbox") for i in reversed(ids)]
    document = build(results, environments=(SANDBOX, PROD))
    assert [env["name"] for env in document["environments"]] == ["sandbox", "prod"]
    for environment in document["environments"]:
        assert [entry["id"] for entry in environment["requirements"]] == ids


def test_an_environment_without_results_is_still_listed():
    document = build([], environments=(PROD, SANDBOX))
    assert [(env["name"], env["requirements"]) for env in document["environments"]] == [
        ("prod", []),
        ("sandbox", []),
    ]


def test_cross_environment_requirements_live_in_the_star_pseudo_environment():
    test_env = EnvironmentInfo(
        Identity(
            "implementation", company_id="ACME-impl", endpoint="https://api.intacct.com/ia/xml/xmlgw.phtml"
        ),
        CALANCE,
    )
    prod = EnvironmentInfo(
        Identity("production", company_id="ACME", endpoint="https://api.intacct.com/ia/xml/xmlgw.phtml"),
        CALANCE,
    )
    results = [
        result(ACROSS_ENVIRONMENTS, CALANCE, "ws-user-per-environment"),
        result("production", CALANCE, "user-login"),
        result(ACROSS_ENVIRONMENTS, CALANCE, "sender-id-consistent"),
        result("implementation", CALANCE, "user-login"),
    ]
    document = build(results, environments=(test_env, prod))
    assert [env["name"] for env in document["environments"]] == ["implementation", "production", "*"]
    star = document["environments"][-1]
    assert (star["profile"], star["company_id"], star["endpoint"]) == ("calance", None, None)
    assert [entry["id"] for entry in star["requirements"]] == [
        "sender-id-consistent",
        "ws-user-per-environment",
    ]
    assert all(
        entry["id"] == "user-login" for env in document["environments"][:2] for entry in env["requirements"]
    )


def test_without_cross_environment_results_there_is_no_star_entry():
    assert [env["name"] for env in build([result("prod", TRELICA, "user-login")])["environments"]] == ["prod"]


def test_cross_environment_results_are_judged_per_profile_when_a_group_mixes_profiles():
    calance_env = EnvironmentInfo(Identity("implementation", company_id="ACME-impl"), CALANCE)
    with pytest.raises(ValueError, match="unlisted environment '\\*'"):
        build(
            [result(ACROSS_ENVIRONMENTS, CALANCE, "sender-id-consistent")], environments=(PROD, calance_env)
        )
    document = build([result("*@calance", CALANCE, "sender-id-consistent")], environments=(PROD, calance_env))
    homes = [(e["name"], e["profile"]) for e in document["environments"] if e["name"].startswith("*")]
    assert homes == [("*@calance", "calance")]  # trelica has no cross-environment requirements


def test_each_fleet_group_has_its_own_cross_environment_home():
    envs = [
        EnvironmentInfo(Identity("acme-prod", company_id="ACME", group="acme"), CALANCE),
        EnvironmentInfo(Identity("acme-sbx", company_id="ACME-sbx", group="acme"), CALANCE),
        EnvironmentInfo(Identity("globex", company_id="GLOBEX", group="globex"), CALANCE),
    ]
    document = build([result("*acme", CALANCE, "sender-id-consistent")], environments=envs)
    groups = [(e["name"], e["group"]) for e in document["environments"]]
    assert groups == [
        ("acme-prod", "acme"),
        ("acme-sbx", "acme"),
        ("globex", "globex"),
        ("*acme", "acme"),
        ("*globex", "globex"),
    ]
    assert [r["id"] for r in document["environments"][3]["requirements"]] == ["sender-id-consistent"]


def test_summary_adds_counts_per_environment():
    results = [
        result("prod", TRELICA, "user-login"),
        result("prod", TRELICA, "user-active", Finding.failed("active", "inactive")),
        result("sandbox", TRELICA, "user-login", Finding.error("login", "gateway unreachable")),
    ]
    summary = build(results, environments=(PROD, SANDBOX))["summary"]
    assert list(summary) == ["total", "outcomes", "by_severity", "by_environment", "drift"]
    assert summary["drift"] is None
    assert summary["total"] == 3
    assert summary["outcomes"] == {"pass": 1, "fail": 1, "error": 1, "manual": 0, "n/a": 0, "waived": 0}
    assert summary["by_environment"] == {
        "prod": {"pass": 1, "fail": 1, "error": 0, "manual": 0, "n/a": 0, "waived": 0},
        "sandbox": {"pass": 0, "fail": 0, "error": 1, "manual": 0, "n/a": 0, "waived": 0},
    }


@pytest.mark.parametrize(
    ("results", "environments", "message"),
    [
        pytest.param(
            [result("staging", TRELICA, "user-login")], (PROD,), "unlisted environment 'staging'", id="env"
        ),
        pytest.param(
            [result("prod", CALANCE, "user-id-documented")],
            (PROD,),
            "has no 'user-id-documented'",
            id="requirement",
        ),
        pytest.param(
            [result("prod", TRELICA, "user-login")] * 2, (PROD,), "more than one result", id="duplicate"
        ),
        pytest.param([], (PROD, PROD), "environment names must be unique", id="environments"),
    ],
)
def test_results_the_document_cannot_place_are_refused(results, environments, message):
    with pytest.raises(ValueError, match=message):
        build(results, environments)


def test_a_password_never_reaches_the_document():
    canary = "CANARY-s3cret-P4ssw0rd"

    @dataclasses.dataclass(frozen=True)
    class Credentials:
        user_id: str
        password: str
        sender_password: str

    @dataclasses.dataclass(frozen=True)
    class ConfiguredEnvironment(EnvironmentInfo):
        credentials: Credentials | None = None

    env = ConfiguredEnvironment(
        Identity("prod", company_id="ACME", endpoint="https://gw"),
        TRELICA,
        credentials=Credentials("trelica", canary, canary),
    )
    document = build(
        [result("prod", TRELICA, "user-login", Finding.passed("login", "login", {"login_id": "trelica"}))],
        [env],
    )
    assert canary not in json.dumps(document)


def test_write_is_utf8_json_with_indent_two_that_round_trips(tmp_path):
    document = build(
        [result("prod", TRELICA, "user-login", Finding.failed("login", "Sign-in refusée", {"note": "é"}))]
    )
    path = tmp_path / "acceptance.json"
    write_acceptance(path, document)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == document
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert "refusée" in text


def test_write_replaces_the_previous_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "acceptance.json"
    path.write_text("old", encoding="utf-8")
    write_acceptance(path, build([]))
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["acceptance.json"]


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "acceptance.json"
    path.write_text("old", encoding="utf-8")
    unserialisable = {**build([]), "generated_at": object()}
    with pytest.raises(TypeError):
        write_acceptance(path, unserialisable)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["acceptance.json"]


def test_a_write_interrupted_after_the_temporary_file_is_cleaned_up(tmp_path, monkeypatch):
    path = tmp_path / "acceptance.json"
    path.write_text("old", encoding="utf-8")

    def fail_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("pytest_intacct.reporting.acceptance_json.os.replace", fail_replace)
    with pytest.raises(OSError, match="disk full"):
        write_acceptance(path, build([]))
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["acceptance.json"]


@pytest.mark.parametrize("companies", [0, 1, 30])
def test_the_file_is_the_document_as_indented_json_byte_for_byte(tmp_path, companies):
    """The file is written environment by environment (so a fleet's encoder pieces are never all held
    at once), and reads exactly as the whole document encoded at once, with text that looks like JSON."""
    report = (
        fleet_report(companies) if companies else build_report([], [], started_at=WHEN, plugin_version="t")
    )
    document = build_acceptance(report, generated_at=WHEN)
    if companies:
        first = document["environments"][0]["requirements"][0]
        first["observed"] = 'x\n"environments": [\n    null\n  ]\u00e9'  # a lookalike, escaped by JSON
    write_acceptance(tmp_path / "a.json", document)
    expected = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == expected

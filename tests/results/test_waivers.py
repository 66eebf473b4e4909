"""Waiver files: validation naming file, entry and key; expiry in UTC through the end of the day; states."""

from __future__ import annotations

import datetime as dt

import pytest

from pytest_intacct.profiles import load_profile
from pytest_intacct.results.finding import Finding, Outcome, RequirementResult
from pytest_intacct.results.waivers import (
    Waiver,
    WaiverError,
    WaiverState,
    apply_waiver,
    load_waivers,
    waiver_states,
)

TRELICA = load_profile("trelica")
EXPIRES = dt.date(2026, 12, 31)
ONE = '[[waiver]]\nrequirement = "a"\njustification = "x"\n'


def failed(env="prod", rid="permission-employees-edit", verdict=None) -> RequirementResult:
    return RequirementResult(env, TRELICA.requirement(rid), verdict or Finding.failed("Edit", "View"))


def write(tmp_path, text: str):
    path = tmp_path / "waivers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_entry_is_read(tmp_path):
    path = write(
        tmp_path,
        """
[[waiver]]
requirement = "permission-employees-edit"
environment = "prod"
justification = "Edit arrives with the Q3 role change"
owner = "jane@example.com"
ticket = "OPS-123"
expires = 2026-12-31
""",
    )
    assert load_waivers(path) == [
        Waiver(
            1,
            "permission-employees-edit",
            "Edit arrives with the Q3 role change",
            "prod",
            "jane@example.com",
            "OPS-123",
            EXPIRES,
        )
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[waiver]]\njustification = "x"', "entry 1: key 'requirement': missing"),
        ('[[waiver]]\nrequirement = "a"', "entry 1: key 'justification': missing"),
        (
            '[[waiver]]\nrequirement = "a"\njustification = "  "',
            "entry 1: key 'justification': must be a non-empty",
        ),
        (
            '[[waiver]]\nrequirement = "a"\njustification = "x"\nexpires = "2026-12-31"',
            "entry 1: key 'expires'",
        ),
        (
            '[[waiver]]\nrequirement = "a"\njustification = "x"\nexpires = 2026-12-31T10:00:00Z',
            "key 'expires'",
        ),
        (
            '[[waiver]]\nrequirement = "a"\njustification = "x"\nexpiry = 2026-12-31',
            "entry 1: key 'expiry': unknown",
        ),
        (
            ONE + '[[waiver]]\nrequirement = 3\njustification = "x"',
            "entry 2: key 'requirement'",
        ),
        (
            ONE + '[[waiver]]\nrequirement = "a"\njustification = "y"',
            "entry 2: key 'requirement': waives 'a' again",
        ),
        ("waiver = 3", "must be [[waiver]] tables"),
        ("[waivers]\nx = 1", "unknown top-level key 'waivers'"),
        ("[[waiver]\n", "not valid TOML"),
        ("x = " + "[" * 100_000, "not valid TOML"),
    ],
)
def test_an_invalid_file_names_file_entry_and_key(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(WaiverError, match=f"^waiver file {path}") as caught:
        load_waivers(path)
    assert message in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(WaiverError, match="cannot be read"):
        load_waivers(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("today", "waived"),
    [
        (dt.date(2026, 12, 30), True),
        (EXPIRES, True),  # through the end of that day (UTC)
        (dt.date(2027, 1, 1), False),
    ],
)
def test_expiry_is_inclusive_of_its_day(today, waived):
    waiver = Waiver(1, "permission-employees-edit", "accepted", expires=EXPIRES)
    result, applied = apply_waiver(failed(), [waiver], today=today)
    assert (result.outcome is Outcome.WAIVED) is waived
    assert (applied is waiver) is waived
    if waived:
        assert (result.finding.expected, result.finding.observed) == ("Edit", "View")  # stays visible


def test_utc_today_decides_by_default(monkeypatch):
    waiver = Waiver(1, "permission-employees-edit", "accepted", expires=EXPIRES)
    monkeypatch.setattr("pytest_intacct.results.waivers.utc_today", lambda: dt.date(2027, 1, 1))
    assert apply_waiver(failed(), [waiver])[1] is None


@pytest.mark.parametrize(
    "verdict",
    [Finding.error("Edit", "gateway unreachable"), Finding.passed("Edit", "Edit"), Finding.manual("x", "y")],
)
def test_only_a_failure_can_be_waived(verdict):
    waiver = Waiver(1, "permission-employees-edit", "accepted")
    result = failed(verdict=verdict)
    assert apply_waiver(result, [waiver]) == (result, None)


def test_a_waiver_for_one_environment_leaves_the_others_failing_and_wins_over_one_for_all():
    everywhere = Waiver(1, "permission-employees-edit", "everywhere")
    prod_only = Waiver(2, "permission-employees-edit", "prod only", environment="prod")
    assert apply_waiver(failed("prod"), [everywhere, prod_only])[1] is prod_only
    assert apply_waiver(failed("sandbox"), [prod_only])[1] is None
    assert apply_waiver(failed("sandbox"), [everywhere, prod_only])[1] is everywhere


def test_states_of_the_waivers_of_a_run():
    universe = {("prod", r.id) for r in TRELICA.requirements}
    today = dt.date(2026, 11, 23)
    applied = Waiver(1, "permission-employees-edit", "x")
    expired = Waiver(2, "user-active", "x", expires=dt.date(2026, 11, 22))
    not_needed = Waiver(3, "user-login", "x")
    not_waivable = Waiver(4, "user-admin-full", "x")
    unknown_requirement = Waiver(5, "no-such-requirement", "x")
    unknown_environment = Waiver(6, "user-login", "x", environment="staging")
    not_run = Waiver(7, "role-assigned", "x")
    results = [
        apply_waiver(failed(), [applied], today=today)[0],
        failed(rid="user-active"),
        failed(rid="user-login", verdict=Finding.passed("a", "a")),
        failed(rid="user-admin-full", verdict=Finding.error("a", "unreachable")),
    ]
    waivers = [applied, expired, not_needed, not_waivable, unknown_requirement, unknown_environment, not_run]
    assert [state for _, state in waiver_states(waivers, results, universe, today)] == [
        WaiverState.APPLIED,
        WaiverState.EXPIRED,
        WaiverState.NOT_NEEDED,
        WaiverState.NOT_WAIVABLE,
        WaiverState.UNMATCHED,
        WaiverState.UNMATCHED,
        WaiverState.NOT_RUN,
    ]

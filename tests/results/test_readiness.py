"""The verdict words and the exit-code policy, as pure functions."""

from __future__ import annotations

import pytest

from pytest_intacct.results.readiness import (
    EXIT_INCOMPLETE,
    Readiness,
    readiness,
    requirements_exit_code,
    run_exit_code,
)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (["pass", "waived", "manual", "n/a"], Readiness.READY),
        (["pass", "fail", "error"], Readiness.NOT_READY),
        (["fail"], Readiness.NOT_READY),
        (["pass", "error", "manual"], Readiness.INCOMPLETE),
        ([], Readiness.INCOMPLETE),  # nothing checked is never READY
    ],
)
def test_readiness(outcomes, expected):
    assert readiness(outcomes) is expected


def test_the_words_never_change():
    assert [str(r) for r in Readiness] == ["READY", "NOT READY", "INCOMPLETE"]


@pytest.mark.parametrize(
    ("verdict", "drift", "fail_on", "code"),
    [
        (Readiness.READY, None, "any", 0),
        (Readiness.NOT_READY, None, "any", 1),
        (Readiness.INCOMPLETE, None, "any", EXIT_INCOMPLETE),
        (Readiness.NOT_READY, {"new-fail": 0, "new-error": 0, "unchanged": 3}, "new", 0),
        (Readiness.NOT_READY, {"new-fail": 1, "new-error": 1}, "new", 1),
        (Readiness.INCOMPLETE, {"new-fail": 0, "new-error": 2}, "new", EXIT_INCOMPLETE),
        (Readiness.READY, {"new-pass": 2}, "new", 0),
    ],
)
def test_requirements_exit_code(verdict, drift, fail_on, code):
    assert requirements_exit_code(verdict, drift, fail_on) == code


@pytest.mark.parametrize("pytest_code", [2, 3, 4, 5, 6])
def test_pytest_own_codes_keep_their_meaning(pytest_code):
    assert run_exit_code(pytest_code, EXIT_INCOMPLETE, other_tests_failed=False) == pytest_code
    assert run_exit_code(pytest_code, 0, other_tests_failed=True) == pytest_code


def test_a_failing_test_of_the_users_own_keeps_the_run_failed():
    assert run_exit_code(1, 0, other_tests_failed=True) == 1
    assert run_exit_code(1, EXIT_INCOMPLETE, other_tests_failed=True) == 1


def test_requirements_decide_otherwise():
    assert run_exit_code(1, EXIT_INCOMPLETE, other_tests_failed=False) == EXIT_INCOMPLETE
    assert run_exit_code(1, 0, other_tests_failed=False) == 0  # fail-on=new: known failures only
    assert run_exit_code(0, 0, other_tests_failed=False) == 0

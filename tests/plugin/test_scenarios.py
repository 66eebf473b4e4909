"""The shipped suites against every shipped scenario, end to end through pytest and the simulator.

Each test runs ``pytest --intacct-env=demo --intacct-scenario=NAME`` in a scratch directory and
asserts the exact outcome of every requirement id, read from the acceptance file.
"""

from __future__ import annotations

import json

import pytest

from pytest_intacct.client.functions import READ_FUNCTIONS
from tests.helpers.runs import outcomes, run_acceptance, trelica


def test_a_ready_trelica_company_passes_and_enforces_no_ip_filter_so_the_allowlist_does_not_apply(pytester):
    result, document, by_env = run_acceptance(pytester, "--intacct-env=demo")
    assert outcomes(by_env["demo"]) == trelica("pass", ip_allowlist="n/a")  # read through the REST API
    result.assert_outcomes(passed=19, skipped=1)
    assert result.ret == pytest.ExitCode.OK
    assert document["summary"]["outcomes"]["pass"] == 19


def test_sender_not_authorized_fails_its_requirement_and_errors_the_rest(pytester):
    result, _, by_env = run_acceptance(
        pytester, "--intacct-env=demo", "--intacct-scenario=sender-not-authorized"
    )
    env = by_env["demo"]
    assert outcomes(env) == trelica("error", sender_authorized="fail")
    assert "Invalid Web Services Authorization" in env["sender-authorized"]["observed"]
    assert all(e["root_cause"] == "sender-authorized" for rid, e in env.items() if rid != "sender-authorized")
    result.assert_outcomes(failed=1, errors=19)


def test_a_bad_sender_password_is_nobodys_requirement_so_everything_is_an_error(pytester):
    result, _, by_env = run_acceptance(
        pytester, "--intacct-env=demo", "--intacct-scenario=sender-bad-password"
    )
    env = by_env["demo"]
    assert outcomes(env) == trelica("error")
    assert "Incorrect Intacct XML Partner ID or password" in env["user-login"]["observed"]
    result.assert_outcomes(errors=20)


@pytest.mark.parametrize("scenario", ["ip-blocked", "user-inactive"])
def test_a_refused_sign_in_fails_user_login_and_errors_the_rest(pytester, scenario):
    result, _, by_env = run_acceptance(pytester, "--intacct-env=demo", f"--intacct-scenario={scenario}")
    env = by_env["demo"]
    assert outcomes(env) == trelica("error", user_login="fail")
    assert "Sign-in information is incorrect" in env["user-login"]["observed"]
    assert "inactive or locked-out user" in env["user-login"]["observed"]
    assert env["ip-allowlist"]["root_cause"] == "user-login"
    result.assert_outcomes(failed=1, errors=19)


def test_missing_permissions_fail_exactly_the_two_permission_tests(pytester):
    result, _, by_env = run_acceptance(
        pytester, "--intacct-env=demo", "--intacct-scenario=missing-permissions"
    )
    env = by_env["demo"]
    assert outcomes(env) == trelica(
        "pass", ip_allowlist="n/a", permission_employees_edit="fail", permission_ap_adjustments_view="fail"
    )
    adjustments = env["permission-ap-adjustments-view"]
    assert adjustments["evidence"]["declared"] is False
    assert adjustments["evidence"]["effective"] is False
    assert "APADJUSTMENT" in adjustments["observed"]
    assert adjustments["remediation"].startswith("Company > Admin > Roles")
    result.assert_outcomes(passed=17, failed=2, skipped=1)
    result.stdout.fnmatch_lines(["*FAIL permission-employees-edit [[]demo[]]*", "*fix (*): Company > Admin*"])


def test_a_user_based_company_passes_with_roles_not_applicable(pytester):
    _, _, by_env = run_acceptance(pytester, "--intacct-env=demo", "--intacct-scenario=user-based-permissions")
    assert outcomes(by_env["demo"]) == trelica("pass", ip_allowlist="n/a", role_assigned="n/a")
    # The permission type is read, not inferred (REST company-preference.permissionType).
    assert "'userBased'" in by_env["demo"]["role-assigned"]["observed"]


def test_without_permission_visibility_reads_still_prove_view_rights(pytester):
    _, _, by_env = run_acceptance(
        pytester, "--intacct-env=demo", "--intacct-scenario=no-permission-visibility"
    )
    env = by_env["demo"]
    # The REST API reads the IP filter mode (admin privileges suffice), but not the user: it needs the same
    # Company > Users rights the XML reads lack (one root cause for both).
    assert outcomes(env) == trelica(
        "pass",
        ip_allowlist="n/a",
        user_type_business="error",
        user_web_services_only="error",
        user_admin_full="error",
        role_assigned="error",
        permission_employees_edit="error",
        user_password_never_expires="error",
        rest_access="error",
    )
    assert "Company > Users: View" in env["user-type-business"]["observed"]
    assert "View Permissions" in env["permission-employees-edit"]["observed"]


def test_a_flaky_gateway_is_survived_by_retries(pytester):
    _, _, by_env = run_acceptance(pytester, "--intacct-env=demo", "--intacct-scenario=flaky-gateway")
    assert outcomes(by_env["demo"]) == trelica("pass", ip_allowlist="n/a")


def test_calance_test_and_production_companies_with_cross_environment_checks(pytester):
    result, _, by_env = run_acceptance(
        pytester,
        "--intacct-env=demo:test,demo:production",
        "--intacct-scenario=calance-ready",  # names its profile: calance
        "-v",
    )
    assert outcomes(by_env["demo:test"]) == {
        "web-services-subscription": "pass",
        "sender-authorized": "pass",
        "user-login": "pass",
        "user-active": "pass",
        "user-id-documented": "pass",
        "user-email-domain": "pass",
        "developer-user-test-env": "pass",
        "user-password-never-expires": "manual",  # no REST access in this scenario
        "developer-user-read-only-prod": "n/a",
        "sender-password-recorded": "manual",
        "rest-access": "n/a",
    }
    assert outcomes(by_env["demo:production"])["developer-user-read-only-prod"] == "pass"
    assert outcomes(by_env["demo:production"])["developer-user-test-env"] == "n/a"
    assert outcomes(by_env["*"]) == {"sender-id-consistent": "pass", "ws-user-per-environment": "pass"}
    result.stdout.fnmatch_lines(["*test_across_environments*sender-id-consistent*PASSED*"])


def test_the_whole_trelica_run_sends_only_read_functions_in_two_round_trips_and_four_rest_reads(pytester):
    journal = pytester.path / "journal.jsonl"
    run_acceptance(pytester, "--intacct-env=demo", f"--intacct-journal={journal}")
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    xml = [entry for entry in entries if not entry["path"].startswith("/ia/api/v1/")]
    rest = [entry for entry in entries if entry["path"].startswith("/ia/api/v1/")]
    assert {name for entry in xml for name in entry["functions"]} <= READ_FUNCTIONS
    assert not any(entry["write"] for entry in entries)
    assert len(xml) == 2  # getAPISession alone, then every read in one request
    # One token, the company's preferences, then the user: its key by a query on id, then its record.
    assert [(entry["functions"], entry["objects"]) for entry in rest] == [
        (["token"], []),
        (["get"], ["company-config/company-preference"]),
        (["query"], ["company-config/user"]),
        (["get"], ["company-config/user"]),
    ]


def test_selection_works_the_pytest_way(pytester):
    result = pytester.runpytest("--intacct-env=demo", "-k", "permission-employees", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_permission[[]demo-permission-employees-edit[]] PASSED*"])
    result = pytester.runpytest("--intacct-env=demo", "-m", "permissions and medium", "--co", "-q")
    assert result.ret == pytest.ExitCode.OK
    selected = [line for line in result.stdout.lines if "::" in line]
    assert selected == [
        "test_permissions.py::test_permission[demo-permission-gl-accounts-view]",
        "test_permissions.py::test_permission[demo-permission-ap-adjustments-view]",
    ]


def test_results_reach_the_acceptance_file_from_xdist_workers(pytester):
    result, _, by_env = run_acceptance(
        pytester, "--intacct-env=demo", "--intacct-scenario=missing-permissions", "-n", "2"
    )
    assert outcomes(by_env["demo"]) == trelica(
        "pass", ip_allowlist="n/a", permission_employees_edit="fail", permission_ap_adjustments_view="fail"
    )
    result.assert_outcomes(passed=17, failed=2, skipped=1)

"""Every shipped runbook, end to end through pytest and the simulator: READY on its ``<profile>-ready``
scenario, NOT READY on a failing one with exactly the requirement that scenario breaks. Adding a runbook is
one profile file and its scenarios; this module then asks for its row in ``FAILING``."""

from __future__ import annotations

import pytest

from pytest_intacct.profiles import builtin_profiles, load_profile
from pytest_intacct.simulator import available_scenarios, load_scenario
from tests.helpers.runs import outcomes, run_acceptance

# Environments of a scenario when it is not the primary login's alone.
ENVIRONMENTS = {"calance": "demo:test,demo:production"}
# Each profile's failing scenario, and the requirements it fails (in every environment of the run).
FAILING = {
    "trelica": ("missing-permissions", {"permission-employees-edit", "permission-ap-adjustments-view"}),
    "calance": ("calance-developer-writes-in-production", {"developer-user-read-only-prod"}),
    "expensify": ("expensify-over-privileged", {"company-read-only", "projects-read-only"}),
    "brex": ("brex-missing-receivables", {"accounts-receivable-all"}),
    "ramp": ("ramp-sender-inactive", {"sender-authorized"}),
    "bill-com": ("bill-com-limited-admin", {"user-admin-full"}),
    "payhawk": ("payhawk-missing-taxes", {"taxes-read"}),
    "fivetran": ("fivetran-write-access", {"read-access-only"}),
    "tipalti": ("tipalti-missing-class", {"company-class"}),
    "crunchafi": ("crunchafi-sender-lower-case", {"sender-authorized"}),
}


def test_every_shipped_profile_has_a_ready_and_a_failing_scenario_naming_it():
    assert set(FAILING) == set(builtin_profiles())
    for name, (failing, _) in FAILING.items():
        assert load_scenario(f"{name}-ready").profile == name
        assert load_scenario(failing).profile == name
    assert len(builtin_profiles()) >= 10


def run(pytester: pytest.Pytester, profile: str, scenario: str):
    environments = ENVIRONMENTS.get(profile, "demo")
    result, document, by_env = run_acceptance(
        pytester, f"--intacct-env={environments}", f"--intacct-scenario={scenario}"
    )
    assert document["environments"][0]["profile"] == profile  # the scenario named it
    return result, document, by_env


@pytest.mark.parametrize("profile", sorted(FAILING))
def test_a_profile_is_ready_on_its_ready_scenario(pytester, profile):
    result, document, by_env = run(pytester, profile, f"{profile}-ready")
    assert document["verdict"] == "READY"
    assert result.ret == pytest.ExitCode.OK
    for entries in by_env.values():
        assert set(outcomes(entries).values()) <= {"pass", "manual", "n/a"}


@pytest.mark.parametrize("profile", sorted(FAILING))
def test_a_profile_is_not_ready_on_its_failing_scenario_for_the_right_requirement(pytester, profile):
    scenario, failing = FAILING[profile]
    result, document, by_env = run(pytester, profile, scenario)
    assert document["verdict"] == "NOT READY"
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    failed = {
        rid for entries in by_env.values() for rid, outcome in outcomes(entries).items() if outcome == "fail"
    }
    assert failed == failing


def test_a_role_holding_company_all_fails_the_runbook_s_company_read_only(pytester):
    result, _, by_env = run(pytester, "expensify", "expensify-over-privileged")
    company = by_env["demo"]["company-read-only"]
    assert company["expected"] == "Company: Read-only, no more for 'xmlgateway_expensify'"
    assert company["observed"].startswith("getUserPermissions grants more than Read-only on 13 policies: ")
    assert "Company > Departments: Add, Delete, Edit" in company["evidence"]["extra"]
    assert len(company["evidence"]["extra"]) == 13
    assert company["remediation"].endswith(
        "Company: Permissions > Read only (List and View, nothing else) > Save"
    )
    result.stdout.fnmatch_lines(["*FAIL company-read-only [[]demo[]]: Company: Read-only*"])


def test_the_expensify_runbook_is_at_most_one_requirement_per_line_with_one_grant_per_module_line():
    profile = load_profile("expensify")
    grants = [
        (r.params.get("application"), r.params.get("rights"))
        for r in profile.requirements
        if r.check == "grant"
    ]
    assert grants == [
        ("Administration", "All"),
        ("Company", "Read-only"),
        ("Cash Management", "All"),
        ("General Ledger", "All"),
        ("Time & Expenses", "All"),
        ("Projects", "Read-only"),
        ("Accounts Payable", "All"),
    ]
    runbook_lines = 21  # numbered in the profile's header comment
    assert len(profile.requirements) <= runbook_lines
    assert "21 Expense types" in profile.path.read_text(encoding="utf-8")


def test_the_shipped_scenarios_name_only_shipped_profiles():
    named = {load_scenario(name).profile for name in available_scenarios()} - {""}
    assert named <= set(builtin_profiles())

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


# --- the runbook kinds against the simulator, on scenarios each test writes ---------------------------------

TWO_SENDERS = """
extends = "trelica-ready"

[[logins]]
name = "main"
sender_id = "TrelicaMPP"
sender_password = "Trelica-sender-pass-1"
company_id = "TRELICA-DEMO"
user_id = "trelica_ws"
user_password = "Trelica-ws-pass-1"

[[logins]]
name = "alt"
sender_id = "TrelicaAltMPP"
sender_password = "Trelica-alt-sender-pass-1"
company_id = "TRELICA-DEMO"
user_id = "trelica_ws"
user_password = "Trelica-ws-pass-1"

[senders.TrelicaAltMPP]
password = "Trelica-alt-sender-pass-1"

[companies.TRELICA-DEMO]
authorized_senders = {{ TrelicaMPP = "active", TrelicaAltMPP = "{alt}" }}
"""
SENDERS_PROFILE = """
name = "two-senders"
title = "An integration with two Sender IDs"
source = "a runbook that asks for two Sender IDs"

[[requirements]]
id = "senders-authorized"
title = "Both Sender IDs are authorized"
runbook_step = "Sender IDs"
severity = "critical"
area = "across-environments"
check = "senders-authorized"
params = { sender_ids = ["TrelicaMPP", "TrelicaAltMPP"] }
remediation = "Company > Setup > Company > Security > Web Services authorizations > Add: both > Save"
"""


@pytest.mark.parametrize(("alt", "outcome"), [("active", "pass"), ("inactive", "fail")])
def test_several_sender_ids_are_each_proven_by_an_environment_signing_in_with_it(pytester, alt, outcome):
    pytester.path.joinpath("senders.toml").write_text(TWO_SENDERS.format(alt=alt), encoding="utf-8")
    pytester.path.joinpath("two-senders.toml").write_text(SENDERS_PROFILE, encoding="utf-8")
    _, _, by_env = run_acceptance(
        pytester,
        "--intacct-env=demo:main,demo:alt",
        "--intacct-scenario=senders.toml",
        "--intacct-profile=two-senders.toml",
    )
    found = by_env["*"]["senders-authorized"]
    assert found["outcome"] == outcome
    assert found["evidence"]["senders"]["TrelicaMPP"] == "authorized: demo:main"


@pytest.mark.parametrize(
    ("scenario", "requirement", "outcome", "observed"),
    [
        pytest.param(
            'extends = "expensify-ready"\n[companies.EXPENSIFY-DEMO]\n'
            'subscriptions = ["CO", "CM", "GL", "AP"]\n',
            "time-expenses-subscription",
            "fail",
            "get_applications lists AP, CM, CO, GL, not EE (Time & Expenses), EE (Expenses)",
            id="expensify-without-time-and-expenses",
        ),
        pytest.param(
            'extends = "brex-ready"\n[[logins]]\nname = "primary"\nsender_id = "BrexMPP"\n'
            'sender_password = "Brex-sender-pass-1"\ncompany_id = "BREX-DEMO"\nuser_id = "brex_ws"\n'
            'user_password = "Brex-ws-pass-1"\nentity = "US"\n',
            "top-level-access",
            "manual",
            "this environment signs in at entity 'US'; leave INTACCT_DEMO_ENTITY empty to prove top-level",
            id="brex-signed-in-at-an-entity",
        ),
    ],
)
def test_subscriptions_and_entity_access_are_read_from_the_simulated_company(
    pytester, scenario, requirement, outcome, observed
):
    pytester.path.joinpath("variant.toml").write_text(scenario, encoding="utf-8")
    _, _, by_env = run_acceptance(pytester, "--intacct-env=demo", "--intacct-scenario=variant.toml")
    found = by_env["demo"][requirement]
    assert found["outcome"] == outcome
    assert found["observed"].startswith(observed)

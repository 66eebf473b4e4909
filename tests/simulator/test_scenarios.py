"""Scenario files: the shipped ones load and model the runbooks; bad ones fail naming file, key and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_intacct.simulator import ScenarioError, available_scenarios, load_scenario
from pytest_intacct.simulator.permissions import effective_rights
from pytest_intacct.simulator.scenario import find_line

WriteScenario = Callable[..., Path]

SHIPPED = {
    "trelica-ready",
    "calance-ready",
    "sender-bad-password",
    "sender-not-authorized",
    "ip-blocked",
    "user-inactive",
    "missing-permissions",
    "user-based-permissions",
    "no-permission-visibility",
    "flaky-gateway",
    # The refused sign-ins and the checker's own view (issue 15), each with an auditor login too.
    "trelica-audited",
    "user-inactive-audited",
    "user-locked-out",
    "user-locked-out-audited",
    "ip-blocked-audited",
    "user-missing",
    "user-missing-audited",
    "wrong-user-password",
    "wrong-user-password-audited",
    "runbook-exact",
    "runbook-exact-audited",
    # The REST API's lens (issue 18): filters enforced with this machine allowed; the REST token refused.
    "ip-filtered",
    "rest-token-refused",
    # The runbook library (issue 17): each profile's ready scenario and a failing one.
    "calance-developer-writes-in-production",
    "expensify-ready",
    "expensify-over-privileged",
    "brex-ready",
    "brex-missing-receivables",
    "ramp-ready",
    "ramp-sender-inactive",
    "bill-com-ready",
    "bill-com-limited-admin",
    "payhawk-ready",
    "payhawk-missing-taxes",
    "fivetran-ready",
    "fivetran-write-access",
    "tipalti-ready",
    "tipalti-missing-class",
    "crunchafi-ready",
    "crunchafi-sender-lower-case",
}
TRELICA_RIGHTS = {
    ("Company", "Departments"): {"View"},
    ("Company", "Locations"): {"View"},
    ("Company", "Employees"): {"View", "Edit"},
    ("Cash Management", "Credit Card Transactions"): {"View"},
    ("General Ledger", "Accounts"): {"View"},
    ("Accounts Payable", "Bills"): {"View"},
    ("Accounts Payable", "Adjustments"): {"View"},
    ("Time & Expenses", "Expense Summaries"): {"View Expense"},
    ("Company", "Users"): {"List", "View", "View Permissions"},
    ("Company", "Roles"): {"List", "View"},
}


def rights(scenario: str, company: str, user: str) -> dict[tuple[str, str], set[str]]:
    loaded = load_scenario(scenario)
    found = effective_rights(loaded.companies[company], loaded.companies[company].users[user])
    return {key: set(value) for key, value in found.items()}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_scenario_loads(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.logins
    assert scenario.primary_login is scenario.logins[0]
    assert scenario.description


def test_the_shipped_list_is_complete() -> None:
    assert set(available_scenarios()) == SHIPPED


def test_trelica_ready_holds_exactly_the_runbooks_rights() -> None:
    scenario = load_scenario("trelica-ready")
    company = scenario.companies["TRELICA-DEMO"]
    user = company.users["trelica_ws"]
    assert (user.user_type, user.admin, user.status, user.web_services_only) == (
        "business user",
        "Full",
        "active",
        True,
    )
    assert company.authorized_senders == {"TrelicaMPP": True}
    assert company.permission_type == "role"
    assert rights("trelica-ready", "TRELICA-DEMO", "trelica_ws") == TRELICA_RIGHTS


def test_missing_permissions_lacks_employees_edit_and_adjustments_view() -> None:
    found = rights("missing-permissions", "TRELICA-DEMO", "trelica_ws")
    assert found[("Company", "Employees")] == {"View"}
    assert ("Accounts Payable", "Adjustments") not in found
    assert {
        k: v for k, v in TRELICA_RIGHTS.items() if k[1] not in ("Employees", "Adjustments")
    }.items() <= found.items()


def test_user_based_company_grants_the_same_rights_directly() -> None:
    scenario = load_scenario("user-based-permissions")
    company = scenario.companies["TRELICA-DEMO"]
    assert company.permission_type == "user"
    assert not company.roles
    assert company.users["trelica_ws"].roles == ()
    assert rights("user-based-permissions", "TRELICA-DEMO", "trelica_ws") == TRELICA_RIGHTS


def test_calance_has_a_test_and_a_production_company_with_the_same_sender() -> None:
    scenario = load_scenario("calance-ready")
    assert [login.name for login in scenario.logins] == ["test", "production"]
    assert {login.developer_user_id for login in scenario.logins} == {"dev.jane"}
    assert {login.sender_id for login in scenario.logins} == {"CALANCE"}
    for login in scenario.logins:
        company = scenario.companies[login.company_id]
        assert company.authorized_senders == {"CALANCE": True}
        assert company.users["calance"].email == f"{login.company_id.lower()}@calance.us"
    test_dev = rights("calance-ready", "ACME-IMPL", "dev.jane")
    production_dev = rights("calance-ready", "ACME", "dev.jane")
    assert {"Add", "Edit"} <= test_dev[("Company", "Departments")]
    assert all(
        right in ("List", "View", "List Expenses", "View Expense")
        for r in production_dev.values()
        for right in r
    )


def test_unknown_key_names_the_file_the_key_and_the_line(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n\n[companies.TRELICA-DEMO.users.trelica_ws]\nstauts = "active"\n'
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    error = raised.value
    assert (error.file, error.key, error.line) == (
        str(path),
        "companies.TRELICA-DEMO.users.trelica_ws.stauts",
        4,
    )
    assert str(error).startswith(f"{path}:4: key companies.TRELICA-DEMO.users.trelica_ws.stauts: unknown key")


def test_bad_value_in_an_inline_table_points_at_its_line(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n'
        "[companies.TRELICA-DEMO]\n"
        'name = "x"\n'
        'authorized_senders = { TrelicaMPP = "enabled" }\n'
    )
    with pytest.raises(
        ScenarioError, match=r":4: key companies\.TRELICA-DEMO\.authorized_senders\.TrelicaMPP: "
    ):
        load_scenario(path)


def test_bad_value_in_an_array_of_tables_points_at_the_element(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n'
        "[[companies.TRELICA-DEMO.records.DEPARTMENT]]\nRECORDNO = 1\n"
        '[[companies.TRELICA-DEMO.records.DEPARTMENT]]\nRECORDNO = 1\nTITLE = "dup"\n'
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert raised.value.key == "companies.TRELICA-DEMO.records.DEPARTMENT.[1].RECORDNO"
    assert raised.value.line == 5


def test_missing_required_key_points_at_its_table(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n\n[companies.TRELICA-DEMO.users.newbie]\nstatus = "active"\n'
    )
    with pytest.raises(
        ScenarioError, match=r":3: key companies\.TRELICA-DEMO\.users\.newbie\.password: required"
    ):
        load_scenario(path)


def test_reference_to_a_missing_role_is_rejected(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n[companies.TRELICA-DEMO.users.trelica_ws]\nroles = ["Nope"]\n'
    )
    with pytest.raises(ScenarioError, match=r":3: key .*trelica_ws\.roles\.\[0\]: no role named 'Nope'"):
        load_scenario(path)


def test_admin_rights_need_a_business_user(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n[companies.TRELICA-DEMO.users.trelica_ws]\nuser_type = "employee user"\n'
    )
    with pytest.raises(ScenarioError, match=r"trelica_ws\.admin: admin privileges require"):
        load_scenario(path)


def test_an_error_inherited_from_the_base_file_names_the_base(write_scenario: WriteScenario) -> None:
    base = write_scenario('[[logins]]\nname = "primary"\nsender_id = 7\n[companies]\n', name="base")
    child = write_scenario('extends = "base"\ndescription = "child"\n', name="child")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(child)
    assert (raised.value.file, raised.value.line, raised.value.key) == (str(base), 3, "logins.[0].sender_id")


def test_syntax_error_reports_the_line(write_scenario: WriteScenario) -> None:
    path = write_scenario('description = "ok"\n[companies\n')
    with pytest.raises(ScenarioError, match=r":2: TOML syntax error") as raised:
        load_scenario(path)
    assert raised.value.line == 2


def test_unknown_scenario_lists_the_shipped_ones() -> None:
    with pytest.raises(ScenarioError, match="trelica-ready"):
        load_scenario("trelica-redy")


def test_circular_extends_is_rejected(write_scenario: WriteScenario) -> None:
    write_scenario('extends = "b"\n', name="a")
    path = write_scenario('extends = "a"\n', name="b")
    with pytest.raises(ScenarioError, match="circular extends"):
        load_scenario(path)


def test_an_empty_table_clears_what_it_inherits(write_scenario: WriteScenario) -> None:
    path = write_scenario('extends = "trelica-ready"\n[companies.TRELICA-DEMO]\nauthorized_senders = {}\n')
    assert load_scenario(path).companies["TRELICA-DEMO"].authorized_senders == {}


def test_toml_dotted_keys_become_intacct_dotted_fields() -> None:
    employee = load_scenario("trelica-ready").companies["TRELICA-DEMO"].records["EMPLOYEE"][0]
    assert employee["CONTACT.EMAIL1"] == "jane.smith@trelica-demo.example"
    assert employee["STARTDATE"] == "04/01/2021"  # TOML dates are written MM/DD/YYYY


def test_find_line_handles_quoted_keys_and_multiline_values() -> None:
    text = '[a."b c"]\nx = [\n  1,\n  2,\n]\ny = { z = 1 }\n'
    assert find_line(text, ("a", "b c", "y", "z")) == (6, 4)
    assert find_line(text, ("a", "b c", "x", 1)) == (2, 4)
    assert find_line(text, ("q",)) == (1, 0)


def test_the_example_in_the_docs_loads(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text()
    example = docs.split("A short example:\n\n```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.toml"
    path.write_text(example)
    scenario = load_scenario(path)
    assert scenario.companies["TRELICA-DEMO"].groups["Auditors"].members == ("trelica_ws",)

"""Per-function permission checks, modelled as Intacct does: roles or direct rights, capped by user type."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from pytest_intacct.simulator import Simulator

from .conftest import StartSimulator
from .gateway_client import Client, function, read_by_query

WriteScenario = Callable[..., Path]


def client(simulator: Simulator, login: str | None = None) -> Client:
    return Client(simulator.endpoint, simulator.logins[login] if login else simulator.primary_login).open()


def failure_text(result: etree._Element) -> str:
    assert result.findtext("status") == "failure", etree.tostring(result)
    assert result.findtext("errormessage/error/errorno") == "PL04000005"
    return result.findtext("errormessage/error/description2")


def permissions(result: etree._Element) -> dict[tuple[str, str], str]:
    return {
        (app.findtext("applicationName"), policy.findtext("policyName")): policy.findtext("rights")
        for app in result.iterfind("data/permissions/appSubscription")
        for policy in app.iterfind("policies/policy")
    }


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (read_by_query("APADJUSTMENT"), "API operation READ_BY_QUERY on objects of type apadjustment"),
        (
            "<query><object>APADJUSTMENT</object><select><field>RECORDNO</field></select></query>",
            "API operation QUERY on objects of type APADJUSTMENT",
        ),
        (
            "<read><object>APADJUSTMENT</object><keys>301</keys><fields>*</fields></read>",
            "API operation READ on objects of type APADJUSTMENT",
        ),
        (
            "<readByName><object>APADJUSTMENT</object><keys>301</keys></readByName>",
            "API operation READ_BY_NAME on objects",
        ),
    ],
)
def test_a_missing_right_fails_each_read_function(
    intacct_simulator: StartSimulator, body: str, text: str
) -> None:
    result = client(intacct_simulator("missing-permissions")).result(body)
    assert f"You do not have permission for {text}" in failure_text(result)


def test_only_the_refused_function_fails(intacct_simulator: StartSimulator) -> None:
    root = client(intacct_simulator("missing-permissions")).call(
        function(read_by_query("APADJUSTMENT"), "adj"), function(read_by_query("APBILL"), "bills")
    )
    adjustments, bills = root.findall("operation/result")
    assert failure_text(adjustments)
    assert bills.findtext("status") == "success"
    assert bills.find("data").get("count") == "3"


def test_edit_right_governs_updates(trelica: Simulator, intacct_simulator: StartSimulator) -> None:
    update = "<update><EMPLOYEE><RECORDNO>2</RECORDNO><TITLE>Sales Lead</TITLE></EMPLOYEE></update>"
    assert client(trelica).result(update).findtext("status") == "success"
    refused = client(intacct_simulator("missing-permissions")).result(update)
    assert "API operation UPDATE on objects of type EMPLOYEE" in failure_text(refused)
    assert trelica.journal.entries[-1].write


def test_get_user_permissions_lists_the_effective_rights(trelica: Simulator) -> None:
    result = client(trelica).result("<getUserPermissions><userId>trelica_ws</userId></getUserPermissions>")
    found = permissions(result)
    assert found[("Company", "Employees")] == "View|Edit"
    assert found[("Company", "Users")] == "List|View|View Permissions"
    assert found[("Time & Expenses", "Expense Summaries")] == "View Expense"
    assert found[("Accounts Payable", "Adjustments")] == "View"


def test_user_based_company_answers_the_same_permissions(
    trelica: Simulator, intacct_simulator: StartSimulator
) -> None:
    body = "<getUserPermissions><userId>trelica_ws</userId></getUserPermissions>"
    user_based = client(intacct_simulator("user-based-permissions")).result(body)
    assert permissions(user_based) == permissions(client(trelica).result(body))
    rows = client(intacct_simulator("user-based-permissions")).result(read_by_query("USERRIGHTS"))
    assert rows.find("data").get("count") == "13"  # trelica_ws's and jsmith's direct rights


def test_no_permission_visibility_hides_the_users_own_setup(intacct_simulator: StartSimulator) -> None:
    session = client(intacct_simulator("no-permission-visibility"))
    refused = session.result("<getUserPermissions><userId>trelica_ws</userId></getUserPermissions>")
    assert "GET_USER_PERMISSIONS" in failure_text(refused)
    assert failure_text(
        session.result("<readByName><object>USERINFO</object><keys>trelica_ws</keys></readByName>")
    )
    assert failure_text(session.result(read_by_query("ROLEUSERS")))
    for name in (
        "DEPARTMENT",
        "LOCATION",
        "EMPLOYEE",
        "CCTRANSACTION",
        "GLACCOUNT",
        "APBILL",
        "APADJUSTMENT",
        "EEXPENSES",
    ):
        assert session.result(read_by_query(name)).findtext("status") == "success", name


def test_userinfo_reads_as_the_api_writes_it(trelica: Simulator) -> None:
    result = client(trelica).result(
        "<readByName><object>USERINFO</object><keys>trelica_ws</keys>"
        "<fields>LOGINID,USERTYPE,ADMIN,STATUS,LOGINDISABLED,CONTACTINFO.EMAIL1</fields></readByName>"
    )
    user = result.find("data/USERINFO")
    assert [child.text for child in user] == [
        "trelica_ws",
        "business user",
        "Full",
        "active",
        "true",
        "it+trelica@trelica-demo.example",
    ]


def test_role_objects_show_direct_and_inherited_roles(
    intacct_simulator: StartSimulator, write_scenario: WriteScenario
) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n'
        '[companies.TRELICA-DEMO.roles.Auditors.permissions]\n"General Ledger" = { Accounts = ["List"] }\n'
        '[companies.TRELICA-DEMO.groups.Audit]\nmembers = ["trelica_ws"]\nroles = ["Auditors"]\n'
    )
    session = client(intacct_simulator(path))
    direct = session.result(read_by_query("USERROLES", "USERID = 'trelica_ws'", "ROLENAME"))
    computed = session.result(read_by_query("ROLEUSERS", "USERLOGINID = 'trelica_ws'", "ROLENAME"))
    assert [e.text for e in direct.iter("ROLENAME")] == ["Trelica Integration"]
    assert [e.text for e in computed.iter("ROLENAME")] == ["Trelica Integration", "Auditors"]
    rights = permissions(
        session.result("<getUserPermissions><userId>trelica_ws</userId></getUserPermissions>")
    )
    assert rights[("General Ledger", "Accounts")] == "List|View"  # the role's View plus the group role's List


@pytest.mark.parametrize(
    ("user_type", "readable", "refused"),
    [
        ("view only user", "DEPARTMENT", None),
        ("employee user", "EEXPENSES", "DEPARTMENT"),
        ("platform user", None, "DEPARTMENT"),
    ],
)
def test_the_user_type_caps_the_rights(
    intacct_simulator: StartSimulator,
    write_scenario: WriteScenario,
    user_type: str,
    readable: str | None,
    refused: str | None,
) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n[companies.TRELICA-DEMO.users.jsmith]\n'
        f'user_type = "{user_type}"\nadmin = "Off"\n'
        '[[logins]]\nname = "jsmith"\nsender_id = "TrelicaMPP"\nsender_password = "Trelica-sender-pass-1"\n'
        'company_id = "TRELICA-DEMO"\nuser_id = "jsmith"\nuser_password = "Jsmith-pass-1"\n'
    )
    session = client(intacct_simulator(path))
    create = session.result("<create><DEPARTMENT><DEPARTMENTID>NEW</DEPARTMENTID></DEPARTMENT></create>")
    assert "API operation CREATE" in failure_text(create)  # only business users may add
    if readable:
        assert session.result(read_by_query(readable)).findtext("status") == "success"
    if refused:
        assert failure_text(session.result(read_by_query(refused)))


def test_calance_developer_writes_in_test_but_only_reads_in_production(
    intacct_simulator: StartSimulator, write_scenario: WriteScenario
) -> None:
    logins = "".join(
        f'[[logins]]\nname = "{name}"\nsender_id = "CALANCE"\nsender_password = "Calance-sender-pass-1"\n'
        f'company_id = "{company}"\nuser_id = "dev.jane"\nuser_password = "{password}"\n'
        for name, company, password in (
            ("test", "ACME-IMPL", "Dev-jane-impl-1"),
            ("production", "ACME", "Dev-jane-prod-1"),
        )
    )
    simulator = intacct_simulator(write_scenario(f'extends = "calance-ready"\n{logins}'))
    create = (
        "<create><DEPARTMENT><DEPARTMENTID>QA</DEPARTMENTID><TITLE>Test data</TITLE></DEPARTMENT></create>"
    )
    assert client(simulator, "test").result(create).findtext("status") == "success"
    assert failure_text(client(simulator, "production").result(create))
    assert (
        client(simulator, "production").result(read_by_query("DEPARTMENT")).find("data").get("count") == "2"
    )

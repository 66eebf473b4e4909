"""A third-party client, fylein's ``sageintacctsdk`` from PyPI, used unchanged against the simulator.

Only its hard-coded login URL (``ApiBase.__api_url``) is pointed at the simulator; everything else,
including following getAPISession's ``<endpoint>`` and classifying errors, is the library's own code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from xml.parsers.expat import ExpatError

import pytest
from sageintacctsdk import SageIntacctSDK
from sageintacctsdk.apis import ApiBase
from sageintacctsdk.exceptions import (
    InvalidTokenError,
    NoPrivilegeError,
    SageIntacctSDKError,
    WrongParamsError,
)

from pytest_intacct.simulator import ScenarioLogin, Simulator

from .conftest import StartSimulator

Connect = Callable[[Simulator, ScenarioLogin], SageIntacctSDK]


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Iterator[Connect]:
    """Build the SDK against a simulator: every API object starts at the simulator's login URL."""
    original = ApiBase.__init__
    target: list[str] = []

    def init(self: ApiBase, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        self._ApiBase__api_url = target[-1]  # the library's name-mangled login URL

    monkeypatch.setattr(ApiBase, "__init__", init)

    def build(simulator: Simulator, login: ScenarioLogin) -> SageIntacctSDK:
        target.append(simulator.endpoint)
        return SageIntacctSDK(
            sender_id=login.sender_id,
            sender_password=login.sender_password,
            user_id=login.user_id,
            company_id=login.company_id,
            user_password=login.user_password,
        )

    return build


def test_session_is_created_on_the_login_url_and_handed_out_with_another_endpoint(
    trelica: Simulator, connect: Connect
) -> None:
    connect(trelica, trelica.primary_login)
    (entry,) = trelica.journal.entries
    assert (entry.functions, entry.outcome, entry.path) == (
        ("getAPISession",),
        "success",
        "/ia/xml/xmlgw.phtml",
    )


def test_every_runbook_object_reads_through_the_sdk(trelica: Simulator, connect: Connect) -> None:
    sdk = connect(trelica, trelica.primary_login)
    assert [row["DEPARTMENTID"] for row in sdk.departments.get_all()] == ["100", "200", "210", "900"]
    assert sdk.departments.count() == 3  # the SDK counts STATUS = 'active' by default
    assert sdk.departments.get(field="DEPARTMENTID", value="210")["department"]["TITLE"] == "Sales - EMEA"
    assert {row["LOCATIONID"] for row in sdk.locations.get_all()} == {"UK", "US"}
    employees = sdk.employees.get_all(field="STATUS", value="active")
    assert [row["CONTACT.EMAIL1"] for row in employees] == [
        "jane.smith@trelica-demo.example",
        "chidi.okafor@trelica-demo.example",
    ]
    assert len(sdk.charge_card_transactions.get_all()) == 3
    assert [row["ACCOUNTNO"] for row in sdk.accounts.get_all()] == ["1000", "2000", "6100", "6150"]
    assert len(sdk.bills.get_all()) == 3
    assert len(sdk.expense_reports.get_all()) == 2
    assert sdk.employees.get_by_query(
        and_filter=[("equalto", "DEPARTMENTID", "100"), ("equalto", "STATUS", "active")]
    )
    fields = {field["ID"] for field in sdk.locations.get_lookup()["Type"]["Fields"]["Field"]}
    assert {"LOCATIONID", "NAME", "STATUS"} <= fields
    assert not any(entry.write for entry in trelica.journal.entries)


def test_adjustments_are_readable_with_the_generic_api_object(trelica: Simulator, connect: Connect) -> None:
    connect(trelica, trelica.primary_login)  # points ApiBase at the simulator
    login = trelica.primary_login
    adjustments = ApiBase(dimension="APADJUSTMENT")
    adjustments.set_sender_id(login.sender_id)
    adjustments.set_sender_password(login.sender_password)
    adjustments.set_show_private(False)
    adjustments.get_session_id(login.user_id, login.company_id, login.user_password)
    assert adjustments.count(None) == 2
    # get_session_id followed <endpoint>: later calls of this object went to the session endpoint.
    assert trelica.journal.entries[-1].path == "/na1/ia/xml/xmlgw.phtml"


def test_missing_right_raises_the_sdks_no_privilege_error(
    intacct_simulator: StartSimulator, connect: Connect
) -> None:
    simulator = intacct_simulator("missing-permissions")
    connect(simulator, simulator.primary_login)
    login = simulator.primary_login
    adjustments = ApiBase(dimension="APADJUSTMENT")
    adjustments.set_sender_id(login.sender_id)
    adjustments.set_sender_password(login.sender_password)
    adjustments.set_show_private(False)
    adjustments.get_session_id(login.user_id, login.company_id, login.user_password)
    with pytest.raises(NoPrivilegeError) as raised:
        adjustments.count(None)
    assert "QUERY on objects of type APADJUSTMENT" in str(raised.value)


def test_bad_sender_password_raises_wrong_params(intacct_simulator: StartSimulator, connect: Connect) -> None:
    simulator = intacct_simulator("sender-bad-password")
    with pytest.raises(WrongParamsError, match="Incorrect Intacct XML Partner ID or password"):
        connect(simulator, simulator.primary_login)


def test_unauthorized_sender_raises_invalid_token(
    intacct_simulator: StartSimulator, connect: Connect
) -> None:
    simulator = intacct_simulator("sender-not-authorized")
    with pytest.raises(InvalidTokenError, match="Invalid Web Services Authorization"):
        connect(simulator, simulator.primary_login)


@pytest.mark.parametrize("scenario", ["user-inactive", "ip-blocked"])
def test_bad_user_credentials_raise_invalid_token(
    intacct_simulator: StartSimulator, connect: Connect, scenario: str
) -> None:
    simulator = intacct_simulator(scenario)
    with pytest.raises(InvalidTokenError, match="XMLGW_JPP0002"):
        connect(simulator, simulator.primary_login)


def test_wrong_user_password_raises_invalid_token(trelica: Simulator, connect: Connect) -> None:
    login = trelica.primary_login
    wrong = ScenarioLogin(
        login.name, login.sender_id, login.sender_password, login.company_id, login.user_id, "nope"
    )
    with pytest.raises(InvalidTokenError, match="Sign-in information is incorrect"):
        connect(trelica, wrong)


def test_unknown_company_raises_invalid_token(trelica: Simulator, connect: Connect) -> None:
    login = trelica.primary_login
    wrong = ScenarioLogin(
        login.name, login.sender_id, login.sender_password, "NO-SUCH-CO", login.user_id, login.user_password
    )
    with pytest.raises(InvalidTokenError, match="invalidRequest"):
        connect(trelica, wrong)


def test_throttling_raises_the_generic_sdk_error(trelica: Simulator, connect: Connect) -> None:
    trelica.faults.throttle_next(1)
    # The SDK looks for "API rate limit exceeded" only in HTTP 200 bodies; a 429 falls through its status
    # branches to SageIntacctSDKError.
    with pytest.raises(SageIntacctSDKError, match="API rate limit exceeded") as raised:
        connect(trelica, trelica.primary_login)
    assert type(raised.value) is SageIntacctSDKError
    assert [entry.http_status for entry in trelica.journal.entries] == [429]


def test_a_503_page_fails_the_sdks_xml_parsing(trelica: Simulator, connect: Connect) -> None:
    trelica.faults.fail_next(1, status=503)
    # The SDK parses every body as XML; the gateway's 5xx pages are HTML (docs/gateway.md#errors).
    with pytest.raises(ExpatError):
        connect(trelica, trelica.primary_login)
    assert [entry.http_status for entry in trelica.journal.entries] == [503]

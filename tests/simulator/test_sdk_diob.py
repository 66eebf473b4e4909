"""An independent fork of fylein's client, ``sageintacctsdkdiob`` from PyPI, used unchanged against the
simulator.

As for fylein's (test_sdk_conformance.py), only its hard-coded login URL (``ApiBase.__api_url``) is pointed
at the simulator; following getAPISession's ``<endpoint>`` and classifying errors are the library's own code
(``sageintacctsdkDIOB/apis/api_base.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from xml.parsers.expat import ExpatError

import pytest
from sageintacctsdkDIOB import SageIntacctSDK
from sageintacctsdkDIOB.apis import ApiBase
from sageintacctsdkDIOB.exceptions import (
    InvalidTokenError,
    NoPrivilegeError,
    SageIntacctSDKError,
    WrongParamsError,
)

from pytest_intacct.simulator import ScenarioLogin, Simulator

from .conftest import StartSimulator
from .thirdparty import SCENARIO

Connect = Callable[..., SageIntacctSDK]


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Iterator[Connect]:
    """Build the client against a simulator: every API object starts at the simulator's login URL."""
    original = ApiBase.__init__
    target: list[str] = []

    def init(self: ApiBase, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        self._ApiBase__api_url = target[-1]  # the library's name-mangled login URL

    monkeypatch.setattr(ApiBase, "__init__", init)

    def build(simulator: Simulator, login: ScenarioLogin | None = None, **wrong: str) -> SageIntacctSDK:
        login = login or simulator.primary_login
        target.append(simulator.endpoint)
        credentials = {
            "sender_id": login.sender_id,
            "sender_password": login.sender_password,
            "user_id": login.user_id,
            "company_id": login.company_id,
            "user_password": login.user_password,
        }
        return SageIntacctSDK(**(credentials | wrong))

    return build


@pytest.fixture
def clients(intacct_simulator: StartSimulator) -> Simulator:
    return intacct_simulator(SCENARIO)


def test_it_signs_in_on_the_login_url_and_follows_the_session_endpoint(
    clients: Simulator, connect: Connect
) -> None:
    sdk = connect(clients)
    assert sdk.departments.count() == 4  # this fork counts every record
    sign_in, count = clients.journal.entries
    assert (sign_in.functions, sign_in.path) == (("getAPISession",), "/ia/xml/xmlgw.phtml")
    # Only its api_base follows <endpoint>; the other API objects keep the login URL, which serves sessions.
    assert (count.functions, count.auth, count.path) == (("query",), "session", "/ia/xml/xmlgw.phtml")
    assert sdk.api_base._ApiBase__api_url == clients.session_endpoint


def test_read_by_query_get_and_get_all_read_the_runbook_objects(clients: Simulator, connect: Connect) -> None:
    sdk = connect(clients)
    assert sdk.departments.get(field="DEPARTMENTID", value="210")["department"]["TITLE"] == "Sales - EMEA"
    rows = sdk.departments.read_by_query(fields=["DEPARTMENTID", "STATUS"])["data"]["department"]
    assert [row["DEPARTMENTID"] for row in rows] == ["100", "200", "210", "900"]
    assert {row["LOCATIONID"] for row in sdk.locations.get_all()} == {"UK", "US"}
    assert [row["ACCOUNTNO"] for row in sdk.accounts.get_all()] == ["1000", "2000", "6100", "6150"]
    assert len(sdk.charge_card_transactions.get_all()) == 3
    assert len(sdk.bills.get_all()) == 3
    assert len(sdk.expense_reports.get_all()) == 2
    assert not any(entry.write for entry in clients.journal.entries)


def test_a_status_of_t_reads_the_active_employees(clients: Simulator, connect: Connect) -> None:
    active = connect(clients).employees.get(field="STATUS", value="T")["employee"]
    assert [row["EMPLOYEEID"] for row in active] == ["E001", "E002"]


def test_get_by_query_selects_a_related_field(clients: Simulator, connect: Connect) -> None:
    rows = connect(clients).employees.get_by_query(
        fields=["EMPLOYEEID", "MANAGER.EMPLOYEEID"], and_filter=[("equalto", "STATUS", "active")]
    )
    assert rows == [
        {"EMPLOYEEID": "E001", "MANAGER.EMPLOYEEID": None},
        {"EMPLOYEEID": "E002", "MANAGER.EMPLOYEEID": "E001"},
    ]


def test_get_lookup_names_the_relationships(clients: Simulator, connect: Connect) -> None:
    definition = connect(clients).employees.get_lookup()["Type"]
    assert definition["@Name"] == "EMPLOYEE"
    paths = [item["OBJECTPATH"] for item in definition["Relationships"]["Relationship"]]
    assert paths == ["LOCATION", "MANAGER"]


def test_a_missing_right_raises_no_privilege(intacct_simulator: StartSimulator, connect: Connect) -> None:
    simulator = intacct_simulator("missing-permissions")
    connect(simulator)  # points ApiBase at the simulator
    login = simulator.primary_login
    adjustments = ApiBase(dimension="APADJUSTMENT")
    adjustments.set_sender_id(login.sender_id)
    adjustments.set_sender_password(login.sender_password)
    adjustments.set_show_private(False)
    adjustments.get_session_id(login.user_id, login.company_id, login.user_password)
    with pytest.raises(NoPrivilegeError) as raised:
        adjustments.count()
    assert "QUERY on objects of type APADJUSTMENT" in str(raised.value.response)
    assert simulator.journal.entries[-1].errors == ("PL04000005",)


@pytest.mark.parametrize(
    ("scenario", "wrong", "error", "text"),
    [
        ("trelica-ready", {"sender_password": "nope"}, WrongParamsError, "Incorrect Intacct XML Partner ID"),
        ("trelica-ready", {"user_password": "nope"}, InvalidTokenError, "XMLGW_JPP0002"),
        ("sender-not-authorized", {}, InvalidTokenError, "Invalid Web Services Authorization"),
        ("trelica-ready", {"company_id": "NO-SUCH-CO"}, InvalidTokenError, "invalidRequest"),
    ],
)
def test_sign_in_refusals_raise_the_clients_own_errors(
    intacct_simulator: StartSimulator,
    connect: Connect,
    scenario: str,
    wrong: dict[str, str],
    error: type[Exception],
    text: str,
) -> None:
    with pytest.raises(error) as raised:
        connect(intacct_simulator(scenario), **wrong)
    assert text in repr(raised.value.response)  # type: ignore[attr-defined]


def test_throttling_raises_the_generic_sdk_error(intacct_simulator: StartSimulator, connect: Connect) -> None:
    simulator = intacct_simulator("trelica-ready")
    simulator.faults.throttle_next(1)
    # A 429 matches none of the client's status branches: it falls through to SageIntacctSDKError.
    with pytest.raises(SageIntacctSDKError, match="API rate limit exceeded") as raised:
        connect(simulator)
    assert type(raised.value) is SageIntacctSDKError
    assert [entry.http_status for entry in simulator.journal.entries] == [429]


def test_a_503_page_fails_the_clients_xml_parsing(
    intacct_simulator: StartSimulator, connect: Connect
) -> None:
    simulator = intacct_simulator("trelica-ready")
    simulator.faults.fail_next(1, status=503)
    # The client parses every body as XML; the gateway's 5xx pages are HTML (docs/gateway.md#errors).
    with pytest.raises(ExpatError):
        connect(simulator)
    assert [entry.http_status for entry in simulator.journal.entries] == [503]

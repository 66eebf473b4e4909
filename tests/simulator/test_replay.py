"""The simulator answers like the literal responses in fixtures/gateway/ (from the reference and the SDKs'
own fixtures), element by element. The replay scenario names its senders, companies and users as the
fixtures do, so even the texts match; only timestamps, session ids and Support IDs are volatile.
"""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from pytest_intacct.simulator import Simulator, load_scenario

from .conftest import DATA, FIXTURES, StartSimulator
from .gateway_client import (
    Client,
    assert_same_xml,
    envelope,
    function,
    login_auth,
    login_request,
    post,
    read_by_query,
    xml,
)

TIMES = frozenset({"sessiontimestamp", "sessiontimeout"})


def fixture(name: str) -> etree._Element:
    parser = etree.XMLParser(remove_comments=True, remove_blank_text=True)
    return etree.parse(FIXTURES / name, parser).getroot()


@pytest.fixture
def replay(intacct_simulator: StartSimulator) -> Simulator:
    return intacct_simulator(DATA / "replay.toml")


def test_sender_not_authorized_matches_docs_faq(replay: Simulator) -> None:
    login = replay.logins["faq"]
    response = post(
        replay.endpoint, login_request(login, [function("<getAPISession/>")], controlid="hello_world")
    )
    assert response.status_code == 200
    assert_same_xml(xml(response), fixture("sender-not-authorized.xml"))
    # Apostrophes are written as entities, as in the FAQ's literal response.
    assert b"&#039;test_sender_id&#039;" in response.content


def test_bad_sender_password_matches_the_control_failure(replay: Simulator) -> None:
    login = dataclasses.replace(replay.logins["fake"], sender_id="lorenzbus", sender_password="wrong")
    response = post(
        replay.endpoint, login_request(login, [function("<getAPISession/>")], controlid="1582314102")
    )
    assert response.status_code == 200
    assert_same_xml(xml(response), fixture("sender-incorrect.xml"))


def test_bad_user_password_matches_the_401_gateway_form(replay: Simulator) -> None:
    login = dataclasses.replace(replay.logins["fake"], user_password="badpass")
    response = post(replay.endpoint, login_request(login, [function("<getAPISession/>")]))
    assert response.status_code == 401
    assert response.headers["Content-Type"] == 'text/xml; encoding="UTF-8"'
    assert_same_xml(xml(response), fixture("sign-in-401.xml"))


def test_bad_user_password_matches_the_legacy_form_when_switched_on(
    intacct_simulator: StartSimulator,
) -> None:
    scenario = load_scenario(DATA / "replay.toml")
    legacy = dataclasses.replace(
        scenario, gateway=dataclasses.replace(scenario.gateway, sign_in_failure="legacy")
    )
    simulator = intacct_simulator(legacy)
    login = dataclasses.replace(simulator.logins["fake"], user_password="badpass")
    response = post(
        simulator.endpoint, login_request(login, [function("<getAPISession/>")], controlid="ControlIdHere")
    )
    assert response.status_code == 200
    assert_same_xml(xml(response), fixture("sign-in-legacy.xml"))


def test_get_api_session_matches_the_sdk_fixture(replay: Simulator) -> None:
    login = replay.logins["fake"]
    body = login_request(login, [function("<getAPISession/>", "testControlId")], controlid="ControlIdHere")
    root = xml(post(replay.endpoint, body))
    assert_same_xml(root, fixture("get-api-session.xml"), volatile=TIMES | {"sessionid", "endpoint"})
    assert root.findtext(".//sessionid").endswith("..")
    assert root.findtext(".//endpoint") == replay.session_endpoint != replay.endpoint


def test_invalid_session_matches_the_fixture(replay: Simulator) -> None:
    body = envelope(
        "XXXXX",
        "x-pass",
        "<sessionid>q1w2e3r4..</sessionid>",
        [function("<inspect><object>*</object></inspect>")],
        controlid="CTLID",
    )
    response = post(replay.endpoint, body)
    root = xml(response)
    assert response.status_code == 200
    assert_same_xml(root, fixture("session-invalid.xml"), volatile=frozenset({"description2"}))
    assert root.findtext(".//description2").startswith("Invalid session")


def test_readbyquery_and_readmore_pages_match_the_fixtures(replay: Simulator) -> None:
    client = Client(replay.endpoint, replay.logins["projects"]).open()
    first = client.call(
        function(read_by_query("PROJECT", fields="PROJECTID,NAME", pagesize=10), "testFunctionId")
    )
    expected_first = fixture("readbyquery-first-page.xml")
    assert_same_xml(
        first.find("operation/result"),
        expected_first.find("operation/result"),
        volatile_attributes=frozenset({"resultId"}),
    )
    result_id = first.find("operation/result/data").get("resultId")
    more = client.call(function(f"<readMore><resultId>{result_id}</resultId></readMore>", "testFunctionId"))
    expected_more = fixture("readmore-last-page.xml")
    assert_same_xml(
        more.find("operation/result"),
        expected_more.find("operation/result"),
        volatile_attributes=frozenset({"resultId"}),
    )
    assert more.find("operation/result/data").get("resultId") == result_id


def test_permission_error_matches_the_live_text(replay: Simulator) -> None:
    client = Client(replay.endpoint, replay.logins["fake"]).open()
    root = client.call(
        function(read_by_query("ARINVOICE"), "testFunctionId"),
        function(read_by_query("DEPARTMENT"), "second"),
    )
    denied, allowed = root.findall("operation/result")
    assert_same_xml(denied, fixture("permission-denied-result.xml"))
    assert "[Support ID: " in denied.findtext(".//description2")
    assert allowed.findtext("status") == "success"  # result level: the other function still runs


def test_transaction_rollback_matches_the_sdk_fixture(replay: Simulator) -> None:
    login = replay.logins["fake"]
    body = login_request(
        login,
        [function(read_by_query("VENDOR9"), "testFunctionId")],
        controlid="ControlIdHere",
        transaction=True,
    )
    assert_same_xml(xml(post(replay.endpoint, body)), fixture("transaction-aborted.xml"), volatile=TIMES)


def test_malformed_xml_matches_the_parse_error_fixture(replay: Simulator) -> None:
    # Built so that libxml2 reports the same two mismatches, at the same lines and columns, as the fixture.
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<request><control><senderid>senderid</senderid><password>senderid-pass</password>",
        "<controlid>1543089995</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>",
        "<operation><authentication>"
        + login_auth("fakeuser", "fakecompany", "fakepass")
        + "</authentication>",
        '<content><function controlid="f1"><create>',
        *["<!-- padding -->"] * 11,
        "<PROJECT>",
        "<NAME>Fellow PD1</NAME>" + " " * 7 + "<PROJECTID>Fellow PD1</PROJECT>",
        "<DESCRIPTION>x</DESCRIPTION>",
        "<STATUS>active</STATUS>",
        "<CUSTOMERID/>" + " " * 7 + "</CUSTOMER>",
        "</create></function></content></operation></request>",
    ]
    response = post(replay.endpoint, "\n".join(lines).encode())
    assert response.status_code == 200
    assert_same_xml(xml(response), fixture("xml-parse-error.xml"))

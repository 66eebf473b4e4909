"""Sessions: ids end in "..", the timeout slides with every call, expired or unknown ids are refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from pytest_intacct.simulator import Simulator

from .conftest import StartSimulator
from .gateway_client import Client, function, login_request, post, xml

WriteScenario = Callable[..., Path]
INSPECT = function("<inspect><object>*</object></inspect>")


def timeout(root: etree._Element) -> dt.datetime:
    auth = root.find("operation/authentication")
    assert auth.findtext("status") == "success", etree.tostring(root)
    return dt.datetime.fromisoformat(auth.findtext("sessiontimeout"))


def is_invalid_session(root: etree._Element) -> bool:
    return (
        root.findtext("operation/authentication/status") == "failure"
        and root.findtext("operation/authentication/userid") == ""
        and root.findtext("operation/errormessage/error/description2") == "Invalid session"
    )


def test_session_id_and_endpoint(trelica: Simulator) -> None:
    client = Client(trelica.endpoint, trelica.primary_login).open()
    assert client.session_id.endswith("..")
    assert len(client.session_id) > 20
    assert client.endpoint == trelica.session_endpoint != trelica.endpoint
    # Both URLs serve: some clients keep posting session requests to the login URL.
    assert (
        xml(post(trelica.endpoint, client.request([INSPECT]))).findtext("operation/result/status")
        == "success"
    )


def test_timeout_slides_with_every_call_then_expires(trelica: Simulator) -> None:
    client = Client(trelica.endpoint, trelica.primary_login).open()
    first = timeout(client.call(INSPECT))
    trelica.clock.advance(1800)
    second = timeout(client.call(INSPECT))
    assert second - first >= dt.timedelta(seconds=1800)  # now + 1 h again, not the original deadline
    trelica.clock.advance(3601)
    assert is_invalid_session(client.call(INSPECT))
    assert trelica.journal.entries[-1].outcome == "auth_failure"


def test_expire_sessions_fault(trelica: Simulator) -> None:
    client = Client(trelica.endpoint, trelica.primary_login).open()
    assert trelica.faults.expire_sessions() == 1
    assert is_invalid_session(client.call(INSPECT))
    assert timeout(client.open().call(INSPECT))  # a new session works


def test_unknown_session_id(trelica: Simulator) -> None:
    client = Client(
        trelica.endpoint, trelica.primary_login, session_id="made-up..", endpoint=trelica.endpoint
    )
    assert is_invalid_session(client.call(INSPECT))


def test_duration_and_text_come_from_the_scenario(
    intacct_simulator: StartSimulator, write_scenario: WriteScenario
) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n[gateway]\nsession_duration = 600\n'
        'invalid_session_text = "Session expired"\n'
    )
    simulator = intacct_simulator(path)
    client = Client(simulator.endpoint, simulator.primary_login).open()
    root = client.call(INSPECT)
    stamp = dt.datetime.fromisoformat(root.findtext("operation/authentication/sessiontimestamp"))
    assert timeout(root) - stamp == dt.timedelta(seconds=600)
    simulator.clock.advance(601)
    assert client.call(INSPECT).findtext("operation/errormessage/error/description2") == "Session expired"


def test_strict_session_endpoint(intacct_simulator: StartSimulator, write_scenario: WriteScenario) -> None:
    simulator = intacct_simulator(
        write_scenario('extends = "trelica-ready"\n[gateway]\nstrict_session_endpoint = true\n')
    )
    client = Client(simulator.endpoint, simulator.primary_login).open()
    assert timeout(client.call(INSPECT))
    assert is_invalid_session(xml(post(simulator.endpoint, client.request([INSPECT]))))


def test_get_api_session_must_be_alone(trelica: Simulator) -> None:
    body = login_request(trelica.primary_login, [function("<getAPISession/>", "s"), INSPECT])
    session, inspect = xml(post(trelica.endpoint, body)).findall("operation/result")
    assert session.findtext("status") == "failure"
    assert inspect.findtext("status") == "success"


def test_get_api_session_on_a_session_returns_it(trelica: Simulator) -> None:
    client = Client(trelica.endpoint, trelica.primary_login).open()
    again = client.result("<getAPISession/>")
    assert again.findtext("data/api/sessionid") == client.session_id


def test_entities(intacct_simulator: StartSimulator, write_scenario: WriteScenario) -> None:
    simulator = intacct_simulator(
        write_scenario('extends = "trelica-ready"\n[companies.TRELICA-DEMO]\nentities = ["UK", "US"]\n')
    )
    client = Client(simulator.endpoint, simulator.primary_login).open()
    switched = client.result("<getAPISession><locationid>UK</locationid></getAPISession>")
    assert switched.findtext("data/api/locationid") == "UK"
    assert switched.findtext("data/api/sessionid") != client.session_id
    refused = client.result("<getAPISession><locationid>MARS</locationid></getAPISession>")
    assert refused.findtext("status") == "failure"

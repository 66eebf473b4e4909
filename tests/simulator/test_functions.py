"""Functions beyond paging and permissions: read, readByName, lookup, inspect, writes and transactions."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from lxml import etree

from pytest_intacct.simulator import Simulator, load_scenario

from .gateway_client import Client, function, read_by_query


@pytest.fixture
def client(trelica: Simulator) -> Client:
    return Client(trelica.endpoint, trelica.primary_login).open()


@pytest.fixture
def admin(trelica: Simulator) -> Client:
    login = trelica.primary_login
    jsmith = type(login)(
        "jsmith", login.sender_id, login.sender_password, login.company_id, "jsmith", "Jsmith-pass-1"
    )
    return Client(trelica.endpoint, jsmith).open()


def test_read_by_recordno_uses_upper_case_elements(client: Client) -> None:
    result = client.result(
        "<read><object>GLACCOUNT</object><keys>12,13,999</keys><fields>ACCOUNTNO,TITLE</fields></read>"
    )
    data = result.find("data")
    assert dict(data.attrib) == {"listtype": "GLACCOUNT", "count": "2"}
    assert [child.tag for child in data] == ["GLACCOUNT", "GLACCOUNT"]
    assert [e.text for e in data.iter("ACCOUNTNO")] == ["2000", "6100"]


def test_read_of_a_missing_key_is_an_empty_success(client: Client) -> None:
    result = client.result("<read><object>GLACCOUNT</object><keys>999</keys><fields>*</fields></read>")
    assert (result.findtext("status"), result.find("data").get("count")) == ("success", "0")


def test_read_by_name(client: Client) -> None:
    result = client.result(
        "<readByName><object>LOCATION</object><keys>US</keys><fields>NAME</fields></readByName>"
    )
    assert result.findtext("data/LOCATION/NAME") == "United States"


@pytest.mark.parametrize(
    "body", [read_by_query("VENDOR9"), "<read><object>VENDOR9</object><keys>1</keys></read>"]
)
def test_unknown_object(client: Client, body: str) -> None:
    result = client.result(body)
    assert result.findtext("errormessage/error/errorno") == "Query Failed"
    assert result.findtext("errormessage/error/description2") == "Object definition VENDOR9 not found"


def test_lookup_lists_fields(client: Client) -> None:
    result = client.result("<lookup><object>USERINFO</object></lookup>")
    ids = [e.text for e in result.iter("ID")]
    assert {"LOGINID", "USERTYPE", "ADMIN", "STATUS", "LOGINDISABLED"} <= set(ids)


def test_inspect_lists_objects_regardless_of_permissions(client: Client) -> None:
    result = client.result("<inspect><object>*</object></inspect>")
    types = {e.get("typename"): e.text for e in result.iter("type")}
    assert types["APBILL"] == "AP Bill"
    assert "USERINFO" in types
    detail = client.result('<inspect detail="1"><object>APBILL</object></inspect>')
    assert "VENDORNAME" in [e.text for e in detail.iter("ID")]


def test_unsimulated_function_fails_alone(client: Client) -> None:
    root = client.call(
        function("<get_list object='vendor'/>", "a"), function(read_by_query("DEPARTMENT"), "b")
    )
    legacy, modern = root.findall("operation/result")
    assert legacy.findtext("status") == "failure"
    assert modern.findtext("status") == "success"


def test_other_return_formats_are_not_simulated(client: Client) -> None:
    result = client.result(
        "<readByQuery><object>DEPARTMENT</object><query/><returnFormat>json</returnFormat></readByQuery>"
    )
    assert result.findtext("status") == "failure"


def test_create_update_delete_change_the_simulators_copy_only(trelica: Simulator, admin: Client) -> None:
    created = admin.result(
        "<create><DEPARTMENT><DEPARTMENTID>300</DEPARTMENTID><TITLE>Support</TITLE></DEPARTMENT></create>"
    )
    assert dict(created.find("data").attrib) == {"listtype": "objects", "count": "1"}
    number = created.findtext("data/department/RECORDNO")
    updated = admin.result(
        "<update><DEPARTMENT><DEPARTMENTID>300</DEPARTMENTID><TITLE>Care</TITLE></DEPARTMENT></update>"
    )
    assert updated.findtext("data/department/RECORDNO") == number
    titles = [e.text for e in admin.result(read_by_query("DEPARTMENT", fields="TITLE")).iter("TITLE")]
    assert titles[-1] == "Care"
    deleted = admin.result(f"<delete><object>DEPARTMENT</object><keys>{number}</keys></delete>")
    assert deleted.find("data").get("count") == "1"
    writes = [
        entry for entry in trelica.journal.entries if entry.functions[0] in ("create", "update", "delete")
    ]
    assert len(writes) == 3
    assert all(entry.write and entry.outcome == "success" for entry in writes)
    assert "300" not in str(load_scenario("trelica-ready").companies["TRELICA-DEMO"].records["DEPARTMENT"])


def test_transaction_rolls_back_writes(admin: Client) -> None:
    root = admin.call(
        function("<create><DEPARTMENT><DEPARTMENTID>301</DEPARTMENTID></DEPARTMENT></create>", "ok"),
        function(read_by_query("VENDOR9"), "bad"),
        transaction=True,
    )
    statuses = [
        (r.findtext("status"), [e.text for e in r.iter("errorno")]) for r in root.findall("operation/result")
    ]
    assert statuses == [("aborted", ["XL03000009"]), ("aborted", ["Query Failed", "XL03000009"])]
    ids = [
        e.text for e in admin.result(read_by_query("DEPARTMENT", fields="DEPARTMENTID")).iter("DEPARTMENTID")
    ]
    assert "301" not in ids


def test_legacy_writes_are_recognised(trelica: Simulator, client: Client) -> None:
    result = client.result("<create_department><departmentid>X</departmentid></create_department>")
    assert "CREATE on objects of type DEPARTMENT" in result.findtext(".//description2")
    assert trelica.journal.entries[-1].write


def test_restart_and_prompt_stop_release_the_port(unused_port: int) -> None:
    simulator = Simulator(load_scenario("trelica-ready"), port=unused_port)
    for _ in range(3):
        started = time.monotonic()
        simulator.start()
        assert Client(simulator.endpoint, simulator.primary_login).open().session_id
        simulator.stop()
        assert time.monotonic() - started < 1
    with Simulator(load_scenario("trelica-ready"), port=unused_port) as again:  # the port is free again
        assert Client(again.endpoint, again.primary_login).open().session_id
    assert not simulator.running


def test_fixed_port(unused_port: int) -> None:
    with Simulator(load_scenario("trelica-ready"), port=unused_port) as simulator:
        assert f":{unused_port}/" in simulator.endpoint
        assert simulator.logins["primary"] is simulator.primary_login


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_endpoint_needs_a_started_simulator() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = Simulator("trelica-ready").endpoint


def test_xml_results_are_parseable_with_lxml(client: Client) -> None:
    assert etree.tostring(client.result(read_by_query("EEXPENSES")))


def test_a_client_that_connects_and_stalls_does_not_hold_up_stop(unused_port: int) -> None:
    simulator = Simulator(load_scenario("trelica-ready"), port=unused_port).start()
    with socket.create_connection(("127.0.0.1", unused_port)) as stalled:
        stalled.sendall(b"POST /ia/xml/xmlgw.phtml HTTP/1.1\r\nContent-Length: 100\r\n\r\n<req")
        started = time.monotonic()
        simulator.stop()
        assert time.monotonic() - started < 1
    with Simulator(load_scenario("trelica-ready"), port=unused_port) as again:  # the port is free again
        assert Client(again.endpoint, again.primary_login).open().session_id


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
def test_start_and_stop_leak_no_file_descriptors() -> None:
    simulator = Simulator(load_scenario("trelica-ready"))
    simulator.start()
    simulator.stop()
    before = len(list(Path("/proc/self/fd").iterdir()))
    for _ in range(10):
        simulator.start()
        simulator.stop()
    assert len(list(Path("/proc/self/fd").iterdir())) == before


def test_lookup_lists_the_relationships_query_can_follow(client: Client) -> None:
    result = client.result("<lookup><object>EMPLOYEE</object></lookup>")
    relationships = [
        [(child.tag, child.text or "") for child in item] for item in result.iter("Relationship")
    ]
    assert relationships == [
        [
            ("OBJECTPATH", "LOCATION"),
            ("OBJECTNAME", "LOCATION"),
            ("LABEL", ""),
            ("RELATIONSHIPTYPE", "MANY2ONE"),
            ("RELATEDBY", "LOCATIONID"),
        ],
        [
            ("OBJECTPATH", "MANAGER"),
            ("OBJECTNAME", "EMPLOYEE"),
            ("LABEL", ""),
            ("RELATIONSHIPTYPE", "MANY2ONE"),
            ("RELATEDBY", "SUPERVISORID"),
        ],
    ]
    assert list(client.result("<lookup><object>DEPARTMENT</object></lookup>").iter("Relationship")) == []

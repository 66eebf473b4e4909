"""The journal records every request, never a password or a session id."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from pytest_intacct.simulator import JournalEntry, Simulator

from .conftest import StartSimulator
from .gateway_client import Client, function, login_request, post, read_by_query


def test_entries_describe_each_request(trelica: Simulator) -> None:
    client = Client(trelica.endpoint, trelica.primary_login).open()
    client.call(
        function(read_by_query("DEPARTMENT")),
        function("<read><object>GLACCOUNT</object><keys>11</keys></read>"),
    )
    client.call(function("<create><DEPARTMENT><DEPARTMENTID>X</DEPARTMENTID></DEPARTMENT></create>"))
    login, reads, write = trelica.journal.entries
    assert (login.auth, login.functions, login.outcome, login.http_status) == (
        "login",
        ("getAPISession",),
        "success",
        200,
    )
    assert (reads.auth, reads.company_id, reads.user_id, reads.sender_id) == (
        "session",
        "TRELICA-DEMO",
        "trelica_ws",
        "TrelicaMPP",
    )
    assert (reads.functions, reads.objects, reads.write) == (
        ("readByQuery", "read"),
        ("DEPARTMENT", "GLACCOUNT"),
        False,
    )
    assert (write.write, write.outcome, write.errors) == (True, "function_failure", ("PL04000005",))


def test_failure_levels_are_told_apart(trelica: Simulator) -> None:
    login = trelica.primary_login
    post(trelica.endpoint, b"<request>")
    post(
        trelica.endpoint,
        login_request(dataclasses.replace(login, user_password="x"), [function("<getAPISession/>")]),
    )
    post(
        trelica.endpoint,
        login_request(dataclasses.replace(login, company_id="NOPE"), [function("<getAPISession/>")]),
    )
    outcomes = [(e.outcome, e.http_status, e.errors[:1]) for e in trelica.journal.entries]
    assert outcomes == [
        ("control_failure", 200, ("XL03000003",)),
        ("control_failure", 401, ("XMLGW_JPP0002",)),
        ("control_failure", 400, ("invalidRequest",)),
    ]


def test_clear(trelica: Simulator) -> None:
    Client(trelica.endpoint, trelica.primary_login).open()
    trelica.journal.clear()
    assert trelica.journal.entries == []


def test_json_lines_file_without_secrets(intacct_simulator: StartSimulator, tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    simulator = intacct_simulator("trelica-ready", journal_path=path)
    client = Client(simulator.endpoint, simulator.primary_login).open()
    client.call(function(read_by_query("DEPARTMENT")))
    text = path.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["functions"] for line in lines] == [["getAPISession"], ["readByQuery"]]
    assert set(lines[0]) == {field.name for field in dataclasses.fields(JournalEntry)}
    login = simulator.primary_login
    for secret in (login.sender_password, login.user_password, client.session_id):
        assert secret not in text
        assert secret not in repr(simulator.journal.entries)
    assert login.user_password not in repr(login)
    assert login.sender_password not in repr(simulator.scenario)


def test_an_unrecognised_write_is_still_journaled_as_a_write(trelica: Simulator) -> None:
    body = login_request(
        trelica.primary_login, [function("<create_vendor><vendorid>V1</vendorid></create_vendor>")]
    )
    post(trelica.endpoint, body)
    (entry,) = trelica.journal.entries
    assert (entry.outcome, entry.functions, entry.write) == ("control_failure", ("create_vendor",), True)

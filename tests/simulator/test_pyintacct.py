"""pyintacct (PyPI, pinned in clients/pyintacct/requirements.txt), driven unchanged against the simulator.

It pins ``pydantic<2``, so it runs in a virtual environment of its own. Only its login URL attribute is
pointed at the simulator, under :data:`~.thirdparty.PUBLIC_NAME` over TLS; a wrapper imported first in its
process resolves that one name to 127.0.0.1 and refuses every other (clients/loopback.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from .thirdparty import (
    PUBLIC_NAME,
    PYINTACCT_DIR,
    ClientRun,
    ca_bundle,
    isolated_python,
    public_simulators,
    run_calls,
    target,
)


@pytest.fixture(scope="module")
def pyintacct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClientRun]:
    python = isolated_python(PYINTACCT_DIR)
    with ExitStack() as stack:
        simulators = public_simulators(stack)
        bundle = ca_bundle(simulators, tmp_path_factory.mktemp("pyintacct") / "ca.pem")
        completed = run_calls(
            PYINTACCT_DIR, python, {role: target(sim) for role, sim in simulators.items()}, bundle
        )
        assert completed.returncode == 0, completed.stderr
        yield ClientRun(json.loads(completed.stdout), simulators)


def test_it_signs_in_and_follows_the_session_endpoint(pyintacct: ClientRun) -> None:
    main = pyintacct.simulators["main"]
    assert pyintacct.value("session") == {"url": main.session_endpoint}
    assert main.session_endpoint.startswith(f"https://{PUBLIC_NAME}:")
    first, *later = main.journal.entries
    assert (first.functions, first.path) == (("getAPISession",), "/ia/xml/xmlgw.phtml")
    assert later[0].path == "/na1/ia/xml/xmlgw.phtml"


def test_read_by_query_pages_through_every_department_with_read_more(pyintacct: ClientRun) -> None:
    assert pyintacct.value("readByQuery") == ["100", "200", "210", "900"]
    functions = [entry.functions for entry in pyintacct.simulators["main"].journal.entries[:4]]
    assert functions == [("getAPISession",), ("readByQuery",), ("readMore",), ("readByQuery",)]


def test_read_by_query_takes_t_and_f_for_active_and_inactive(pyintacct: ClientRun) -> None:
    assert pyintacct.value("readByQueryActive") == ["E001", "E002"]
    assert pyintacct.value("readByQueryInactive") == ["E003"]


def test_inspect_lists_the_fields(pyintacct: ClientRun) -> None:
    assert {"DEPARTMENTID", "TITLE", "STATUS"} <= set(pyintacct.value("inspect"))


@pytest.mark.parametrize(
    ("call", "kind", "text"),
    [
        # get_session_id swallows its own IntacctException; the next request, with no session, fails alike.
        ("wrongSenderPassword", "IntacctException", "Incorrect Intacct XML Partner ID or password."),
        # The 401 XMLGW_JPP0002 is swallowed the same way; the sessionless retry meets "Invalid session".
        ("wrongUserPassword", "IntacctException", "Invalid session"),
        (
            "permissionDenied",
            "IntacctException",
            "You do not have permission for API operation READ_BY_QUERY",
        ),
        ("throttled", "IntacctException", "API rate limit exceeded"),
        # execute() raises IntacctServerError for any 5xx, with the page as its message.
        ("unavailable", "IntacctServerError", "cf-error-details"),
    ],
)
def test_gateway_refusals_raise_what_pyintacct_raises(
    pyintacct: ClientRun, call: str, kind: str, text: str
) -> None:
    error = pyintacct.error(call)
    assert error["type"] == kind
    assert text in error["message"]


def test_each_refusal_came_from_the_simulator(pyintacct: ClientRun) -> None:
    main = [(entry.http_status, entry.errors) for entry in pyintacct.simulators["main"].journal.entries]
    assert (200, ("XL03000006",)) in main
    assert (401, ("XMLGW_JPP0002",)) in main
    assert {entry.fault for entry in pyintacct.simulators["throttled"].journal.entries} == {"throttle"}
    assert {entry.http_status for entry in pyintacct.simulators["unavailable"].journal.entries} == {503}
    assert ("PL04000005",) in [entry.errors for entry in pyintacct.simulators["denied"].journal.entries]


def test_name_resolution_is_confined_to_the_simulator(pyintacct: ClientRun) -> None:
    assert pyintacct.error("otherNameRefused") == {
        "type": "gaierror",
        "message": "[Errno -2] loopback wrapper: refusing to resolve api.intacct.com",
    }


def test_without_the_public_name_the_driver_sends_nothing(tmp_path: Path) -> None:
    python = isolated_python(PYINTACCT_DIR)
    with ExitStack() as stack:
        simulators = public_simulators(stack)
        plan = {role: target(sim) for role, sim in simulators.items()}
        completed = run_calls(
            PYINTACCT_DIR, python, plan, ca_bundle(simulators, tmp_path / "ca.pem"), INTACCT_LOOPBACK_NAME=""
        )
        assert completed.returncode == 1
        assert "loopback wrapper is not active" in completed.stderr
        assert all(not simulator.journal.entries for simulator in simulators.values())

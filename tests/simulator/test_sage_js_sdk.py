"""Sage's own JS SDK (``@intacct/intacct-sdk`` from the npm registry, pinned in clients/js/package.json),
driven unchanged against the simulator.

The SDK refuses any endpoint outside ``.intacct.com``, so each simulator serves TLS under
:data:`~.thirdparty.PUBLIC_NAME` with a throwaway certificate the node process trusts, and a ``--require``
preload resolves that one name to 127.0.0.1 inside the node process only. One node process runs every call
(clients/js/sdk_calls.js) and reports each outcome; each test below checks one of them.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from .thirdparty import (
    CLIENT_TIMEOUT,
    PUBLIC_NAME,
    ClientRun,
    ca_bundle,
    client_env,
    js_sdk,
    public_simulators,
    target,
)

LOGIN_PATH, SESSION_PATH = "/ia/xml/xmlgw.phtml", "/na1/ia/xml/xmlgw.phtml"


def run_node(
    folder: Path, plan: dict[str, Any], bundle: Path, preload: bool = True
) -> subprocess.CompletedProcess:
    command = ["node", *(["--require", "./loopback.js"] if preload else []), "sdk_calls.js"]
    return subprocess.run(
        command,
        cwd=folder,
        input=json.dumps(plan),
        env=client_env(NODE_EXTRA_CA_CERTS=str(bundle)),
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
    )


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClientRun]:
    folder = js_sdk()
    with ExitStack() as stack:
        simulators = public_simulators(stack)
        bundle = ca_bundle(simulators, tmp_path_factory.mktemp("js-sdk") / "ca.pem")
        plan = {role: target(simulator) for role, simulator in simulators.items()}
        completed = run_node(folder, plan, bundle)
        assert completed.returncode == 0, completed.stderr
        yield ClientRun(json.loads(completed.stdout), simulators)


def test_the_session_provider_signs_in_at_the_public_name_and_follows_the_session_endpoint(
    sdk: ClientRun,
) -> None:
    main = sdk.simulators["main"]
    port = main.endpoint.rsplit(":", 1)[1].split("/")[0]
    assert sdk.value("session") == {
        "endpointUrl": f"https://{PUBLIC_NAME}:{port}{SESSION_PATH}",
        "entityId": "",
        "companyId": "TRELICA-DEMO",
        "userId": "trelica_ws",
        "hasSessionId": True,
    }
    signed_in = [entry for entry in main.journal.entries if entry.outcome == "success"]
    assert (signed_in[0].functions, signed_in[0].path) == (("getAPISession",), LOGIN_PATH)
    assert {(entry.auth, entry.path) for entry in signed_in[1:]} == {("session", SESSION_PATH)}


def test_read_by_query_and_read_more_page_through_departments(sdk: ClientRun) -> None:
    first, rest = sdk.value("readByQuery"), sdk.value("readMore")
    assert (first["ids"], first["count"], first["totalCount"], first["numRemaining"]) == (
        ["100", "200"],
        2,
        4,
        2,
    )
    assert first["listType"] == "department"
    assert first["hasResultId"]
    assert (rest["ids"], rest["count"], rest["numRemaining"]) == (["210", "900"], 2, 0)


def test_read_by_query_takes_t_and_f_for_active_and_inactive(sdk: ClientRun) -> None:
    assert sdk.value("readByQueryActive")["ids"] == ["E001", "E002"]
    assert sdk.value("readByQueryInactive")["ids"] == ["E003"]


def test_query_selects_related_fields_with_filter_and_order(sdk: ClientRun) -> None:
    result = sdk.value("query")
    assert result["listType"] == "EMPLOYEE"
    assert result["rows"] == [
        {"EMPLOYEEID": "E002", "MANAGER.EMPLOYEEID": "E001", "LOCATION.LOCATIONID": "UK"},
        {"EMPLOYEEID": "E001", "MANAGER.EMPLOYEEID": "", "LOCATION.LOCATIONID": "UK"},
    ]


def test_read_and_read_by_name_return_the_named_departments(sdk: ClientRun) -> None:
    assert sdk.value("read")["titles"] == ["Engineering", "Sales - EMEA"]
    assert sdk.value("readByName")["ids"] == ["210"]
    assert sdk.value("readByName")["titles"] == ["Sales - EMEA"]


def test_get_user_permissions_answers_the_effective_rights(sdk: ClientRun) -> None:
    permissions = {item["application"]: dict(item["policies"]) for item in sdk.value("getUserPermissions")}
    assert permissions["Company"] == {
        "Departments": "View",
        "Employees": "View|Edit",
        "Locations": "View",
        "Roles": "List|View",
        "Users": "List|View|View Permissions",
    }
    assert permissions["Accounts Payable"] == {"Adjustments": "View", "Bills": "View"}


def test_lookup_and_inspect_describe_the_objects(sdk: ClientRun) -> None:
    lookup, inspect = sdk.value("lookup"), sdk.value("inspect")
    assert lookup["name"] == "EMPLOYEE"
    assert {"EMPLOYEEID", "SUPERVISORID", "CONTACT.EMAIL1"} <= set(lookup["fields"])
    assert lookup["relationships"] == ["LOCATION", "MANAGER"]
    assert inspect["name"] == "DEPARTMENT"
    assert {"DEPARTMENTID", "TITLE", "STATUS"} <= set(inspect["fields"])


@pytest.mark.parametrize(
    ("call", "kind", "message"),
    [
        (
            "wrongSenderPassword",
            "ResponseException",
            "Response control status failure - XL03000006 Incorrect Intacct XML Partner ID or password.",
        ),
        (
            "wrongUserPassword",
            "ResponseException",
            "Response control status failure - XMLGW_JPP0002 Sign-in information is incorrect. "
            "Please check your request.",
        ),
        (
            "throttled",
            "ResponseException",
            "Response control status failure - GW-0010 API rate limit exceeded",
        ),
        ("unavailable", "Error", "Request retry count exceeded max retry count: 0"),
        ("loopbackAddressRefused", "Error", "Endpoint URL is not a valid intacct.com domain name."),
    ],
)
def test_gateway_refusals_raise_what_the_sdk_raises(
    sdk: ClientRun, call: str, kind: str, message: str
) -> None:
    assert (sdk.error(call)["type"], sdk.error(call)["message"]) == (kind, message)


def test_a_missing_right_raises_a_result_exception(sdk: ClientRun) -> None:
    error = sdk.error("permissionDenied")
    assert error["type"] == "ResultException"
    assert error["message"].startswith("Result status: failure for Control ID: ")
    denied = "PL04000005 You do not have permission for API operation READ_BY_QUERY on objects of type"
    assert f"{denied} apadjustment" in error["message"]


def test_each_refusal_came_from_the_simulator(sdk: ClientRun) -> None:
    main = [(entry.http_status, entry.errors) for entry in sdk.simulators["main"].journal.entries]
    assert (200, ("XL03000006",)) in main
    assert (401, ("XMLGW_JPP0002",)) in main
    assert [entry.fault for entry in sdk.simulators["throttled"].journal.entries] == ["throttle"]
    assert [entry.http_status for entry in sdk.simulators["unavailable"].journal.entries] == [503]
    denied = sdk.simulators["denied"].journal.entries
    assert [entry.errors for entry in denied] == [(), ("PL04000005",)]


def test_a_5xx_is_retried_after_the_sdks_own_delay(sdk: ClientRun) -> None:
    assert sdk.value("retried")["ids"] == ["UK", "US"]
    assert [entry.http_status for entry in sdk.simulators["flaky"].journal.entries] == [503, 200]


def test_name_resolution_is_confined_to_the_simulator(sdk: ClientRun) -> None:
    assert sdk.value("loopbackName") == "127.0.0.1"
    refused = sdk.error("otherNameRefused")
    assert refused["message"] == "loopback preload: refusing to resolve api.intacct.com"


def test_without_the_preload_the_driver_sends_nothing(tmp_path: Path) -> None:
    folder = js_sdk()
    with ExitStack() as stack:
        simulators = public_simulators(stack)
        plan = {role: target(simulator) for role, simulator in simulators.items()}
        completed = run_node(folder, plan, ca_bundle(simulators, tmp_path / "ca.pem"), preload=False)
        assert completed.returncode == 3
        assert "loopback preload is not active" in completed.stderr
        assert all(not simulator.journal.entries for simulator in simulators.values())

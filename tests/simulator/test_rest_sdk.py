"""fylein's ``sageintacctrestsdk`` (PyPI, pinned in clients/restsdk/requirements.txt), driven unchanged
against the simulator's REST face: users, roles, role permission assignments, company and multi-entity
preferences.

It runs in a virtual environment of its own, installed once and shared by xdist workers. Only its
``BASE_URL`` constants (imported by value into its modules) are pointed at the simulator, under
:data:`~.thirdparty.PUBLIC_NAME` over TLS; a wrapper imported first in its process resolves that one name to
127.0.0.1 and refuses every other (clients/loopback.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from .thirdparty import (
    RESTSDK_DIR,
    ClientRun,
    ca_bundle,
    isolated_python,
    public_rest_simulators,
    rest_target,
    run_calls,
)


@pytest.fixture(scope="module")
def restsdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClientRun]:
    python = isolated_python(RESTSDK_DIR)
    with ExitStack() as stack:
        simulators = public_rest_simulators(stack)
        bundle = ca_bundle(simulators, tmp_path_factory.mktemp("restsdk") / "ca.pem")
        plan = {role: rest_target(sim) for role, sim in simulators.items()}
        completed = run_calls(RESTSDK_DIR, python, plan, bundle)
        assert completed.returncode == 0, completed.stderr
        yield ClientRun(json.loads(completed.stdout), simulators)


def test_it_takes_a_client_credentials_token_with_the_fields_it_reads(restsdk: ClientRun) -> None:
    assert restsdk.value("token") == {"expires_in": 3600, "has_refresh_token": True}
    [first, *_] = restsdk.simulators["main"].journal.entries
    assert (first.path, first.functions, first.outcome, first.user_id) == (
        "/ia/api/v1/oauth2/token",
        ("token",),
        "success",
        "trelica_ws",
    )


def test_users_through_the_query_service_and_by_key(restsdk: ClientRun) -> None:
    users = {row["id"]: row for row in restsdk.value("users")}
    assert users["trelica_ws"] == {"key": "1", "id": "trelica_ws", "status": "active", "userType": "business"}
    assert restsdk.value("userFilter") == [{"key": "1", "id": "trelica_ws", "webServices.isRestricted": True}]
    assert restsdk.value("userCount") == 2
    record = restsdk.value("userByKey")
    assert (record["id"], record["adminPrivileges"], record["password"]["neverExpires"]) == (
        "trelica_ws",
        "full",
        True,
    )
    assert record["entityAccess"] == {"allowUnrestrictedAccess": True, "allowTopLevelAccess": True}
    assert record["roles"] == [
        {"key": "1", "id": "Trelica Integration", "href": "/objects/company-config/role/1"}
    ]


def test_roles_their_users_and_permission_assignments(restsdk: ClientRun) -> None:
    assert [row["id"] for row in restsdk.value("roles")] == ["Trelica Integration", "Administrator"]
    role = restsdk.value("roleByKey")
    assert (role["roleType"], role["applyTo"]) == ("enterprise", "loginAndSlideIn")
    departments = next(
        a for a in role["rolePermissionAssignments"] if a["permission"]["name"] == "Departments"
    )
    assert (departments["permission"]["module"], departments["accessRights"]) == ("Company", ["readonly"])
    assert {(row["role.id"], row["user.id"]) for row in restsdk.value("roleUserMaps")} == {
        ("Trelica Integration", "trelica_ws"),
        ("Administrator", "jsmith"),
    }
    assignments = restsdk.value("rolePermissionAssignments")
    employees = next(row for row in assignments if row["permission.name"] == "Employees")
    assert (employees["permission.module"], employees["accessRights"]) == ("Company", ["readonly", "modify"])
    assert len(assignments) == 10  # the Trelica Integration role's policies
    assert restsdk.value("rolePermissionAssignmentCount") == 10 + 10  # and the Administrator's
    assert {row["name"] for row in restsdk.value("permissions")} >= {"Departments", "Bills", "Users"}


def test_it_pages_by_ia_meta_next_until_it_is_null(restsdk: ClientRun) -> None:
    assert restsdk.value("paging") == [3, 3, 3, 3, 3, 3, 2]  # 20 assignments, 3 a page


def test_company_and_multi_entity_preferences(restsdk: ClientRun) -> None:
    preference = restsdk.value("companyPreference")
    assert (preference["permissionType"], preference["ipAddressFiltering"]) == ("roleBased", "none")
    assert preference["passwordSettings"]["changeFrequency"] == "quarterly"
    entity = restsdk.value("multiEntityPreference")
    assert entity["restrictions"]["disableEntitySlideIn"] is True
    assert [row["id"] for row in restsdk.value("entities")] == ["UK", "US"]


def test_the_entity_header_switches_entity_and_an_unknown_one_is_refused(restsdk: ClientRun) -> None:
    assert restsdk.value("entityHeader") == 2
    error = restsdk.error("unknownEntity")
    assert error["type"] == "BadRequestError"  # every 4xx but the token's "not valid" 400
    assert "NOWHERE" in error["message"]
    assert "does not exist" in error["message"]


@pytest.mark.parametrize("call", ["wrongSecret", "userNotLinked"])
def test_a_refused_token_raises_what_it_raises_for_the_real_api(restsdk: ClientRun, call: str) -> None:
    error = restsdk.error(call)
    assert error["type"] == "InvalidTokenError"  # a 400 whose text says "The token is not valid"
    assert "The token is not valid" in error["message"]


@pytest.mark.parametrize(
    ("call", "kind", "text"),
    [
        ("invalidBearer", "BadRequestError", "tokenInvalid"),  # 401 REST-2102
        ("permissionDenied", "BadRequestError", "does not have sufficient permission"),  # 403
        ("throttled", "BadRequestError", "status code: 429"),
        ("unavailable", "InternalServerError", "cf-error-details"),
    ],
)
def test_api_refusals_raise_what_it_raises(restsdk: ClientRun, call: str, kind: str, text: str) -> None:
    error = restsdk.error(call)
    assert error["type"] == kind
    assert text in error["message"]


def test_it_never_wrote_and_every_refusal_came_from_the_simulator(restsdk: ClientRun) -> None:
    main = restsdk.simulators["main"].journal.entries
    assert not any(entry.write for entry in main)
    assert {entry.http_status for entry in main} >= {200, 400, 401}
    denied = [entry for entry in restsdk.simulators["denied"].journal.entries if entry.http_status == 403]
    assert [entry.errors for entry in denied] == [("permissionDenied",)]
    assert {entry.fault for entry in restsdk.simulators["throttled"].journal.entries} == {"throttle"}


def test_name_resolution_is_confined_to_the_simulator(restsdk: ClientRun) -> None:
    assert restsdk.error("otherNameRefused") == {
        "type": "gaierror",
        "message": "[Errno -2] loopback wrapper: refusing to resolve api.intacct.com",
    }

"""Drives fylein's sageintacctrestsdk (PyPI), unchanged, through the calls its conformance test checks;
run by its own interpreter (tests/simulator/thirdparty.py). Reads a plan (REST base URLs and credentials,
JSON) on stdin and prints one JSON object: call name -> outcome. Only the client's BASE_URL constants,
which its modules import by value, are rebound to the simulator's REST face."""

from __future__ import annotations

import json
import socket
import sys

import loopback  # before the client: confines name resolution to the simulator's public name

if not loopback.active():
    sys.exit("calls.py: the loopback wrapper is not active; refusing to send anything")

import intacctsdk.apis.api_base
import intacctsdk.constants
import intacctsdk.intacctsdk
from intacctsdk import IntacctRESTSDK
from intacctsdk.apis import ApiBase


def point_at(base_url):
    """The client has no base-URL parameter: its modules hold BASE_URL by value, so each is rebound."""
    for module in (intacctsdk.constants, intacctsdk.intacctsdk, intacctsdk.apis.api_base):
        module.BASE_URL = base_url


def client(target, **options):
    point_at(target["base_url"])
    return IntacctRESTSDK(
        username=target["username"],
        client_id=target["client_id"],
        client_secret=target["client_secret"],
        **options,
    )


def outcome(action):
    try:
        return {"ok": True, "value": action()}
    except Exception as error:
        return {"ok": False, "error": {"type": type(error).__name__, "message": str(error)[:2000]}}


def rows(generator):
    return [row for page in generator for row in page]


def main(plan):
    main_target = plan["main"]
    results = {}
    sdk = None

    def connect():
        nonlocal sdk
        sdk = client(main_target)
        return {"expires_in": sdk.access_token_expires_in, "has_refresh_token": bool(sdk.refresh_token)}

    results["token"] = outcome(connect)
    if sdk is None:
        return results
    users = sdk.users
    results["users"] = outcome(
        lambda: rows(users.get_all_generator(fields=["key", "id", "status", "userType"]))
    )
    results["userFilter"] = outcome(
        lambda: rows(
            users.get_all_generator(
                fields=["key", "id", "webServices.isRestricted"], filters=[{"$eq": {"id": "trelica_ws"}}]
            )
        )
    )
    results["userCount"] = outcome(lambda: users.count(filters=[{"$eq": {"status": "active"}}]))
    results["userByKey"] = outcome(lambda: users.get_by_key("1")["ia::result"])
    results["roles"] = outcome(lambda: rows(sdk.roles.get_all_generator(fields=["key", "id", "roleType"])))
    results["roleByKey"] = outcome(lambda: sdk.roles.get_by_key("1")["ia::result"])
    results["roleUserMaps"] = outcome(
        lambda: rows(sdk.role_user_maps.get_all_generator(fields=["key", "role.id", "user.id"]))
    )
    results["rolePermissionAssignments"] = outcome(
        lambda: rows(
            sdk.role_permission_assignments.get_all_generator(
                fields=["key", "role.id", "permission.module", "permission.name", "accessRights"],
                filters=[{"$eq": {"role.id": "Trelica Integration"}}],
            )
        )
    )
    results["rolePermissionAssignmentCount"] = outcome(lambda: sdk.role_permission_assignments.count())
    results["permissions"] = outcome(
        lambda: rows(sdk.permissions.get_all_generator(fields=["key", "id", "name"]))
    )

    # Paging: the documented way to take smaller pages is an API object of one's own (page_size 3).
    def paged():
        small = ApiBase(sdk, object_path="/objects/company-config/role-permission-assignment", page_size=3)
        small.update_access_token(sdk.access_token)  # created after the SDK: it needs the token given
        return [len(page) for page in small.get_all_generator(fields=["key"])]

    results["paging"] = outcome(paged)

    # No class for company preferences: the reference builds one on ApiBase.
    def preferences():
        setup = ApiBase(sdk, object_path="/objects/company-config/company-preference")
        setup.update_access_token(sdk.access_token)
        return setup.get_by_key("setup")["ia::result"]

    results["companyPreference"] = outcome(preferences)
    results["multiEntityPreference"] = outcome(lambda: sdk.multi_entity_preferences.get())
    results["entities"] = outcome(lambda: rows(sdk.location_entities.get_all_generator(fields=["key", "id"])))

    entity = client(main_target, entity_id="UK")
    results["entityHeader"] = outcome(lambda: len(rows(entity.users.get_all_generator(fields=["id"]))))
    unknown = client(main_target, entity_id="NOWHERE")
    results["unknownEntity"] = outcome(lambda: rows(unknown.users.get_all_generator(fields=["id"])))

    results["wrongSecret"] = outcome(lambda: client({**main_target, "client_secret": "not-the-secret"}))
    results["userNotLinked"] = outcome(lambda: client({**main_target, "username": "jsmith@TRELICA-DEMO"}))
    bad = client(main_target, access_token="not-a-token-the-api-issued")
    results["invalidBearer"] = outcome(lambda: rows(bad.users.get_all_generator(fields=["id"])))
    denied = client(plan["denied"])
    results["permissionDenied"] = outcome(lambda: rows(denied.users.get_all_generator(fields=["id"])))
    results["throttled"] = outcome(lambda: client(plan["throttled"]))
    results["unavailable"] = outcome(lambda: client(plan["unavailable"]))
    results["otherNameRefused"] = outcome(lambda: socket.getaddrinfo("api.intacct.com", 443))
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.load(sys.stdin))))

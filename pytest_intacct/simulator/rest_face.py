"""The REST face (``/ia/api/v1``) over the same scenario as the XML gateway: the OAuth2 token endpoint
(client credentials, and refresh), company-config objects, the query service, and the API's errors.

What it checks, in order, for a client-credentials grant: the grant type; the registered application and
its secret; the username (``userId@companyId[|entityId]``); the company, its Web Services subscription,
the application among its Authorized client applications (active, and for this Web Services user when the
entry names one); the IP filter; the user and its status; the entity. Reads need a live bearer token, an
entity the user may work in, and rights: admin privileges for every company-config read, and Company >
Users or Roles List/View for users and roles (docs/simulator.md lists what is assumed).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from . import journal
from .gateway import Exchange, client_address
from .model import Company, GatewaySettings, Scenario, User
from .permissions import allows, effective_rights
from .responses import Reply
from .rest_objects import RestObjects
from .rest_query import QueryError, run
from .sessions import Clock

REST_PREFIX = "/ia/api/v1"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# Header names in lower case (the server hands them over so); the spelling is unconfirmed.
ENTITY_HEADERS = ("x-ia-api-param-entity", "x-ia-api-paramentity")
Admission = Callable[[str], AbstractContextManager[str]]
# Which rights a read of each object needs beyond admin privileges (the users page's "Users: List").
_OBJECT_RIGHTS = {
    "user": "Users",
    "role-user-map": "Users",
    "role": "Roles",
    "role-permission-assignment": "Roles",
    "permission": "Roles",
}


def _json(status: int, document: Any) -> Reply:
    return Reply(status, json.dumps(document).encode("utf-8"), JSON_CONTENT_TYPE)


def api_error(status: int, code: str, message: str, error_id: str = "") -> Reply:
    """Sage's documented error envelope (company-configuration OpenAPI, ``error`` schema)."""
    error = {
        "code": code,
        "message": message,
        "errorId": error_id,
        "additionalInfo": {"messageId": f"IA.{code.upper()}", "placeholders": {}, "propertySet": {}},
        "supportId": secrets.token_hex(8),
    }
    return _json(
        status,
        {
            "ia::result": {"ia::error": error},
            "ia::meta": {"totalCount": 1, "totalSuccess": 0, "totalError": 1},
        },
    )


def token_invalid() -> Reply:
    """A bearer token the API does not know (or no longer): 401 ``tokenInvalid`` REST-2102, top-level as
    third-party reports show it."""
    return _json(
        401, {"error": {"code": "tokenInvalid", "message": "Token is not valid", "errorId": "REST-2102"}}
    )


def fault_reply(status: int) -> Reply:
    """An injected HTTP fault on the REST face, 4xx as the API words them."""
    if status == 401:
        return token_invalid()
    if status == 429:
        return api_error(429, "tooManyRequests", "Too many requests; try again later")
    if status == 403:
        return api_error(403, "permissionDenied", "The user does not have sufficient permission", "REST-1032")
    if status == 404:
        return api_error(404, "notFound", "Resource not found", "REST-1004")
    return api_error(status, "invalidRequest", "The request is not valid", "REST-1028")


@dataclass(frozen=True)
class Grant:
    """What a token stands for."""

    company_id: str
    user_id: str
    client_id: str
    entity_id: str
    expires: float  # the simulator clock's timestamp


class Tokens:
    """Access tokens (JWT-shaped, opaque to the API's callers) and refresh tokens, by value."""

    def __init__(self, clock: Clock, lifetime: int) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, company_id: str, user_id: str, client_id: str, entity_id: str) -> dict[str, Any]:
        now = self.clock.now().timestamp()
        grant = Grant(company_id, user_id, client_id, entity_id, now + self.lifetime)
        claims = {
            "cnyId": company_id,
            "userId": user_id,
            "clientId": client_id,
            "entityId": entity_id,
            "iat": int(now),
            "exp": int(grant.expires),
            "jti": secrets.token_hex(8),
        }
        access = ".".join(
            _b64(part)
            for part in (b'{"alg":"RS256","typ":"JWT"}', json.dumps(claims).encode(), secrets.token_bytes(32))
        )
        refresh = secrets.token_urlsafe(32)
        with self._lock:
            self._access[access] = grant
            self._refresh[refresh] = grant
        return {
            "token_type": "Bearer",
            "access_token": access,
            "expires_in": self.lifetime,
            "refresh_token": refresh,
        }

    def find(self, access: str) -> Grant | None:
        with self._lock:
            grant = self._access.get(access)
        return grant if grant is not None and self.clock.now().timestamp() < grant.expires else None

    def redeem(self, refresh: str) -> Grant | None:
        """A refresh token's grant, once: the refresh rotates it (docs/rest.md)."""
        with self._lock:
            return self._refresh.pop(refresh, None)

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._access)
            self._access.clear()
            self._refresh.clear()
            return count


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class _Refused(Exception):
    def __init__(
        self, reply: Reply, errors: tuple[str, ...], outcome: str = journal.FUNCTION_FAILURE
    ) -> None:
        self.reply, self.errors, self.outcome = reply, errors, outcome


class RestApi:
    """The simulated REST API over one scenario; thread-safe."""

    def __init__(self, scenario: Scenario, clock: Clock, settings: GatewaySettings) -> None:
        self.scenario = scenario
        self.settings = settings
        self.tokens = Tokens(clock, settings.token_lifetime)
        self._objects = {
            company_id: RestObjects(company) for company_id, company in scenario.companies.items()
        }

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        client_host: str,
        admission: Admission,
    ) -> Exchange:
        below = path[len(REST_PREFIX) :]
        fields = describe(method, path, body)
        if method == "POST" and below == "/oauth2/token":
            return self._token(headers, body, client_host, admission, fields)
        grant = self._bearer(headers)
        company_id = grant.company_id if grant else ""
        with admission(company_id) as refusal:
            if refusal:
                reply = fault_reply(429)
                return Exchange(reply, journal.FAULT, fault=refusal, errors=("tooManyRequests",), **fields)
            if grant is None:
                return Exchange(
                    token_invalid(), journal.AUTH_FAILURE, auth="bearer", errors=("tokenInvalid",), **fields
                )
            known = fields | {"company_id": grant.company_id, "user_id": grant.user_id, "auth": "bearer"}
            try:
                reply = self._read(method, below, headers, body, grant)
            except _Refused as refused:
                return Exchange(refused.reply, refused.outcome, errors=refused.errors, **known)
            return Exchange(reply, journal.SUCCESS, **known)

    # -- the token endpoint ----------------------------------------------------------------------

    def _token(
        self, headers: Mapping[str, str], body: bytes, client_host: str, admission: Admission, fields: dict
    ) -> Exchange:
        form = _form(headers, body)
        username = form.get("username", "")
        user_id, _, rest = username.partition("@")
        company_id, _, entity_id = rest.partition("|")
        company = _find(self.scenario.companies, company_id)
        known = fields | {
            "company_id": company.company_id if company else company_id,
            "user_id": user_id,
            "auth": "token",
        }
        with admission(known["company_id"]) as refusal:
            if refusal:
                return Exchange(
                    fault_reply(429), journal.FAULT, fault=refusal, errors=("tooManyRequests",), **known
                )
            try:
                if form.get("grant_type") == "refresh_token":
                    grant = self._refreshed(form)
                    known |= {"company_id": grant.company_id, "user_id": grant.user_id}
                    answer = self.tokens.issue(
                        grant.company_id, grant.user_id, grant.client_id, grant.entity_id
                    )
                else:
                    user = self._authorized(form, client_host, company, user_id, entity_id)
                    assert company is not None
                    known["user_id"] = user.login_id
                    answer = self.tokens.issue(
                        company.company_id, user.login_id, form["client_id"], entity_id
                    )
            except _Refused as refused:
                return Exchange(refused.reply, journal.AUTH_FAILURE, errors=refused.errors, **known)
            return Exchange(_json(200, answer), journal.SUCCESS, **known)

    def _refuse(self, error: str, reason: str) -> _Refused:
        """A refused grant: HTTP 400 with an OAuth error (RFC 6749 section 5.2) whose description says
        "The token is not valid" (the words a production-derived client looks for), and why only with
        descriptive errors on."""
        description = "The token is not valid" + (f": {reason}" if self.settings.descriptive_errors else "")
        return _Refused(_json(400, {"error": error, "error_description": description}), (error,))

    def _client(self, form: Mapping[str, str]) -> str:
        client_id = form.get("client_id", "")
        application = self.scenario.rest_applications.get(client_id)
        if application is None or not secrets.compare_digest(
            application.secret.encode(), form.get("client_secret", "").encode()
        ):
            raise self._refuse("invalid_client", "the client ID or client secret is not valid")
        return client_id

    def _refreshed(self, form: Mapping[str, str]) -> Grant:
        client_id = self._client(form)
        grant = self.tokens.redeem(form.get("refresh_token", ""))
        if grant is None or grant.client_id != client_id:
            raise self._refuse("invalid_grant", "the refresh token is not valid")
        return grant

    def _authorized(
        self, form: Mapping[str, str], client_host: str, company: Company | None, user_id: str, entity_id: str
    ) -> User:
        if form.get("grant_type") != "client_credentials":
            raise self._refuse(
                "unsupported_grant_type", "only client_credentials and refresh_token are granted"
            )
        client_id = self._client(form)
        if company is None or not user_id:
            raise self._refuse("invalid_grant", "the username is not userId@companyId of a company")
        if not company.web_services:
            raise self._refuse(
                "invalid_grant", f"company {company.company_id!r} is not subscribed to Web Services"
            )
        entry = company.authorized_clients.get(client_id)
        if entry is None or not entry.active:
            raise self._refuse(
                "unauthorized_client",
                f"{client_id!r} is not an active authorized client application of {company.company_id!r}",
            )
        address = client_address(client_host)
        if company.ip_filter_enforced and not any(
            address in ipaddress.ip_network(allowed, strict=False) for allowed in company.ip_allowed
        ):
            raise self._refuse("invalid_grant", f"sign-in from IP address {str(address)!r} is not allowed")
        user = _find(company.users, user_id)
        if user is None:
            raise self._refuse("invalid_grant", f"there is no user {user_id!r}")
        if entry.user is not None and entry.user.lower() != user.login_id.lower():
            raise self._refuse("invalid_grant", f"{client_id!r} is for the Web Services user {entry.user!r}")
        if user.status != "active":
            state = "locked out" if user.status == "lockedout" else "inactive"
            raise self._refuse("invalid_grant", f"user {user_id!r} is {state}")
        if entity_id and entity_id not in company.entities:
            raise self._refuse("invalid_grant", f"there is no entity {entity_id!r}")
        return user

    # -- reads -----------------------------------------------------------------------------------

    def _bearer(self, headers: Mapping[str, str]) -> Grant | None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        return self.tokens.find(value.strip()) if scheme.lower() == "bearer" else None

    def _read(self, method: str, below: str, headers: Mapping[str, str], body: bytes, grant: Grant) -> Reply:
        company = self.scenario.companies[grant.company_id]
        user = company.users[grant.user_id]
        self._entity(headers, company, user)
        parts = below.strip("/").split("/")
        if method == "POST" and below == "/services/core/query":
            return self._query(body, company, user)
        if parts[:2] == ["objects", "company-config"] and len(parts) in (3, 4):
            if method != "GET":
                raise _Refused(
                    api_error(405, "methodNotAllowed", f"{method} is not simulated"), ("methodNotAllowed",)
                )
            return self._object(parts[2], parts[3] if len(parts) == 4 else None, company, user)
        raise _Refused(api_error(404, "notFound", f"no resource at {below!r}", "REST-1004"), ("notFound",))

    def _entity(self, headers: Mapping[str, str], company: Company, user: User) -> None:
        entity = next((headers[name] for name in ENTITY_HEADERS if headers.get(name)), "")
        if not entity:
            return
        if entity not in company.entities:
            message = f"Entity '{entity}' does not exist"
            raise _Refused(api_error(400, "invalidRequest", message, "REST-1028"), ("invalidRequest",))
        if user.entities and entity not in user.entities:
            message = f"User '{user.login_id}' may not work in entity '{entity}'"
            raise _Refused(api_error(403, "permissionDenied", message, "REST-1032"), ("permissionDenied",))

    def _allowed(self, obj: str, company: Company, user: User) -> None:
        policy = _OBJECT_RIGHTS.get(obj)
        admin = user.user_type == "business user" and user.admin != "Off"
        rights = effective_rights(company, user)
        if admin and (policy is None or allows(rights, "Company", policy, ("List", "View"))):
            return
        need = "admin privileges" + (f" and Company > {policy}: List or View" if policy else "")
        who = f"User '{user.login_id}'"
        message = f"{who} does not have sufficient permission to read company-config/{obj} ({need})"
        raise _Refused(api_error(403, "permissionDenied", message, "REST-1032"), ("permissionDenied",))

    def _object(self, obj: str, key: str | None, company: Company, user: User) -> Reply:
        objects = self._objects[company.company_id]
        listed = objects.objects()
        singleton = obj in ("company-preference", "multi-entity-preference")
        if obj not in listed and not singleton:
            raise _Refused(
                api_error(404, "notFound", f"no object company-config/{obj}", "REST-1004"), ("notFound",)
            )
        self._allowed(obj, company, user)
        if singleton:
            record = objects.singleton(obj) if key == "setup" else None
            if record is None:
                message = f"company-config/{obj} has one record, 'setup'"
                raise _Refused(api_error(404, "notFound", message, "REST-1004"), ("notFound",))
            return _json(200, {"ia::result": record, "ia::meta": _one()})
        records = listed[obj]()
        if key is None:
            refs = [{name: record[name] for name in ("key", "id", "href")} for record in records[:100]]
            meta = {
                "totalCount": len(records),
                "start": 1,
                "pageSize": 100,
                "next": 101 if len(records) > 100 else None,
                "previous": None,
            }
            return _json(200, {"ia::result": refs, "ia::meta": meta})
        found = next((record for record in records if record["key"] == key), None)
        if found is None:
            message = f"no company-config/{obj} with key {key!r}"
            raise _Refused(api_error(404, "notFound", message, "REST-1004"), ("notFound",))
        return _json(200, {"ia::result": found, "ia::meta": _one()})

    def _query(self, body: bytes, company: Company, user: User) -> Reply:
        try:
            query = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _Refused(
                api_error(400, "invalidRequest", "the body is not JSON", "REST-1028"), ("invalidRequest",)
            ) from None
        name = query.get("object") if isinstance(query, dict) else None
        obj = name.removeprefix("company-config/") if isinstance(name, str) else ""
        listed = self._objects[company.company_id].objects()
        if not isinstance(name, str) or not name.startswith("company-config/") or obj not in listed:
            message = f"object {name!r} is not one the query service reads here"
            raise _Refused(api_error(400, "invalidRequest", message, "REST-1028"), ("invalidRequest",))
        self._allowed(obj, company, user)
        try:
            rows, meta = run(listed[obj](), query)
        except QueryError as error:
            raise _Refused(
                api_error(400, "invalidRequest", str(error), "REST-1028"), ("invalidRequest",)
            ) from None
        return _json(200, {"ia::result": rows, "ia::meta": meta})


def describe(method: str, path: str, body: bytes) -> dict[str, Any]:
    """Journal fields of a REST request, as far as its line and body say: what it asked of which object,
    and whether it tried to write (anything but a GET, a query or a token request)."""
    below = path[len(REST_PREFIX) :]
    parts = below.strip("/").split("/")
    if method == "POST" and below == "/oauth2/token":
        return {"functions": ("token",), "objects": (), "write": False}
    if method == "POST" and below == "/services/core/query":
        try:
            name = json.loads(body.decode("utf-8")).get("object")
        except (UnicodeDecodeError, ValueError, AttributeError):
            name = None
        return {"functions": ("query",), "objects": (name,) if isinstance(name, str) else (), "write": False}
    obj = "/".join(parts[1:3]) if parts[:1] == ["objects"] else ""
    verb = {"GET": "get" if len(parts) > 3 else "list"}.get(method, method.lower())
    return {"functions": (verb,), "objects": (obj,) if obj else (), "write": method != "GET"}


def _form(headers: Mapping[str, str], body: bytes) -> dict[str, str]:
    """The token request's fields: form-encoded, or JSON as one third-party client sends them; HTTP Basic
    client authentication (client_secret_basic) too."""
    text = body.decode("utf-8", "replace")
    fields: dict[str, str] = {}
    if "json" in headers.get("content-type", "").lower():
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        if isinstance(data, dict):
            fields = {key: value for key, value in data.items() if isinstance(value, str)}
    else:
        fields = {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            client_id = secret = ""
        fields.setdefault("client_id", client_id)
        fields.setdefault("client_secret", secret)
    return fields


def _find(items: Mapping[str, Any], key: str) -> Any:
    # As the XML face: company and user ids match case-insensitively (docs/simulator.md, assumption 4).
    if key in items:
        return items[key]
    return next((value for name, value in items.items() if name.lower() == key.lower()), None)


def _one() -> dict[str, int]:
    return {"totalCount": 1, "totalSuccess": 1, "totalError": 0}

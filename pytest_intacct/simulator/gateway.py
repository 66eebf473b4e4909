"""The gateway: one request body in, one reply out, checking in the real order (docs/gateway.md#errors):
envelope, sender credentials, company, sender authorization, Web Services subscription, IP filter, user
credentials and status (or the session), then each function with its own permission check.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import secrets
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TypeVar

from . import errors, functions, journal, responses
from .catalog import is_write
from .context import RequestContext
from .datastore import DataStore
from .model import Company, Scenario, User
from .permissions import effective_rights
from .responses import AuthEcho, ControlEcho, Reply
from .sessions import Clock, ResultStore, Session, SessionStore, timestamp
from .wire import Request, RequestError, parse

Admission = Callable[[str], AbstractContextManager[str]]


@dataclass(frozen=True)
class Endpoints:
    """Where the simulator listens: the login URL, and the (different) URL sessions are tied to."""

    login_url: str
    session_url: str
    session_path: str


@dataclass(frozen=True)
class Exchange:
    """A reply plus what the journal records about the request."""

    reply: Reply
    outcome: str
    company_id: str = ""
    user_id: str = ""
    sender_id: str = ""
    auth: str = ""
    functions: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    write: bool = False
    errors: tuple[str, ...] = ()
    fault: str = ""


@dataclass(frozen=True)
class _Identity:
    company: Company
    user: User
    entity_id: str
    session: Session | None


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


_Value = TypeVar("_Value")


def _find(items: Mapping[str, _Value], key: str) -> _Value | None:
    # Assumption: company and user ids match case-insensitively; sender ids (HELP-WSA) and passwords exactly.
    if key in items:
        return items[key]
    return next((value for name, value in items.items() if name.lower() == key.lower()), None)


def client_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The caller's address; loopback clients count as 127.0.0.1."""
    address = ipaddress.ip_address(host.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return ipaddress.ip_address("127.0.0.1") if address.is_loopback else address


class Gateway:
    """The simulated XML gateway over one scenario; thread-safe."""

    def __init__(self, scenario: Scenario, clock: Clock, endpoints: Endpoints) -> None:
        """``endpoints`` may be replaced when the server (re)binds a port."""
        self.scenario = scenario
        self.settings = scenario.gateway
        self.clock = clock
        self.endpoints = endpoints
        self.sessions = SessionStore(clock, scenario.gateway.session_duration)
        self.results = ResultStore()
        self.store = DataStore(scenario)
        self._transactions = threading.Lock()

    def expire_sessions(self) -> int:
        self.results.clear()
        return self.sessions.expire_all()

    def handle(
        self, body: bytes, path: str, client_host: str, admission: Admission, session_url: str = ""
    ) -> Exchange:
        """Answer one request; ``session_url`` is the ``<endpoint>`` a new session is tied to (default:
        ``endpoints.session_url``)."""
        try:
            request = parse(body)
        except RequestError as error:
            with admission("") as refusal:
                if refusal:
                    return self._throttled(refusal, {"sender_id": error.echo.senderid})
                return Exchange(
                    responses.control_failure(error.echo, error.errors),
                    journal.CONTROL_FAILURE,
                    sender_id=error.echo.senderid,
                    functions=error.functions,
                    write=any(map(is_write, error.functions)),
                    errors=tuple(e.errorno for e in error.errors),
                )
        summary = self._summary(request)
        with admission(summary["company_id"]) as refusal:
            if refusal:
                return self._throttled(refusal, summary)
            return self._process(request, path, client_host, summary, session_url)

    def describe(self, body: bytes) -> dict[str, object]:
        """Journal fields for a request that a transport fault stops before the gateway sees it."""
        try:
            return self._summary(parse(body))
        except RequestError as error:
            return {"sender_id": error.echo.senderid, "functions": error.functions}

    def _summary(self, request: Request) -> dict:
        """Who asks for what, as far as the request says; the company id keys rate and concurrency limits."""
        names = tuple(fn.name for fn in request.functions)
        summary = {
            "sender_id": request.sender_id,
            "functions": names,
            "objects": tuple(dict.fromkeys(filter(None, map(functions.object_of, request.functions)))),
            "write": any(map(is_write, names)),
            "auth": "login" if request.login else "session",
            "company_id": "",
            "user_id": "",
        }
        if request.login is not None:
            company = _find(self.scenario.companies, request.login.companyid)
            summary["company_id"] = (
                company.company_id if isinstance(company, Company) else request.login.companyid
            )
            summary["user_id"] = request.login.userid
        elif (session := self.sessions.peek(request.session_id or "")) is not None:
            summary["company_id"], summary["user_id"] = session.company_id, session.user_id
        return summary

    def _throttled(self, refusal: str, summary: dict) -> Exchange:
        # GW-0010 covers "loops with frequent or concurrent requests"
        # (developer.intacct.com/web-services/error-handling), so both limits answer it.
        reply = responses.gateway_failure(errors.rate_limited(), 429)
        return Exchange(reply, journal.FAULT, fault=refusal, errors=("GW-0010",), **summary)

    def _process(
        self, request: Request, path: str, client_host: str, summary: dict, session_url: str
    ) -> Exchange:
        echo = request.echo
        sender = self.scenario.senders.get(request.sender_id)
        if sender is None or not sender.active or not _same(sender.password, request.sender_password):
            error = errors.sender_incorrect()
            reply = responses.control_failure(echo, [error])
            return Exchange(reply, journal.CONTROL_FAILURE, errors=(error.errorno,), **summary)
        identity = self._login(request, client_host) if request.login else self._session(request, path)
        if isinstance(identity, Exchange):
            known = {key: value for key, value in summary.items() if key not in ("company_id", "user_id")}
            return dataclasses.replace(identity, **known)
        return self._run(request, identity, summary, session_url or self.endpoints.session_url)

    # --- authentication --------------------------------------------------------------------------

    def _failure(
        self, reply: Reply, outcome: str, error: errors.WireError, company: str, user: str
    ) -> Exchange:
        return Exchange(reply, outcome, company_id=company, user_id=user, errors=(error.errorno,))

    def _auth_failure(self, echo: ControlEcho, user: str, company: str, error: errors.WireError) -> Exchange:
        reply = responses.auth_failure(echo, user, company, [error])
        return self._failure(reply, journal.AUTH_FAILURE, error, company, user)

    def _sign_in_failure(self, echo: ControlEcho, user: str, company: str) -> Exchange:
        if self.settings.sign_in_failure == "legacy":
            return self._auth_failure(echo, user, company, errors.sign_in_legacy())
        error = errors.sign_in_gateway()
        return self._failure(
            responses.gateway_failure(error, 401), journal.CONTROL_FAILURE, error, company, user
        )

    def _refuse(
        self, echo: ControlEcho, user: str, company: str, text: str, correction: str = ""
    ) -> Exchange:
        """Undocumented refusals (docs/simulator.md, assumptions): the generic sign-in failure, unless
        descriptive errors are on."""
        if self.settings.descriptive_errors:
            return self._auth_failure(echo, user, company, errors.descriptive_sign_in(text, correction))
        return self._sign_in_failure(echo, user, company)

    def _login(self, request: Request, client_host: str) -> _Identity | Exchange:
        echo, login, sender_id = request.echo, request.login, request.sender_id
        assert login is not None
        company = _find(self.scenario.companies, login.companyid)
        if not isinstance(company, Company):
            error = errors.invalid_request()
            reply = responses.gateway_failure(error, 400)
            return self._failure(reply, journal.CONTROL_FAILURE, error, login.companyid, login.userid)
        if not company.authorized_senders.get(sender_id, False):
            error = errors.sender_not_authorized(sender_id, login.companyid)
            return self._auth_failure(echo, login.userid, login.companyid, error)

        def refuse(text: str, correction: str = "") -> Exchange:
            return self._refuse(echo, login.userid, login.companyid, text, correction)

        if not company.web_services:
            return refuse(
                f"Company ID '{login.companyid}' is not subscribed to Web Services.",
                "Subscribe to Web Services under Company > Admin > Subscriptions.",
            )
        if company.ip_filter_enforced and not self._ip_allowed(company, client_host):
            return refuse(
                f"Sign-in from IP address '{client_address(client_host)}' is not allowed for company ID "
                f"'{login.companyid}'.",
                "Add the address under Company > Setup > Company > Security > Enforce IP address filters.",
            )
        user = _find(company.users, login.userid)
        if not isinstance(user, User) or not _same(user.password, login.password):
            return self._sign_in_failure(echo, login.userid, login.companyid)
        if user.status != "active":
            state = "locked out" if user.status == "lockedout" else "inactive"
            return refuse(f"User ID '{login.userid}' is {state}.", "Contact the company administrator.")
        if login.locationid and login.locationid not in company.entities:
            return refuse(f"Entity '{login.locationid}' does not exist in company ID '{login.companyid}'.")
        return _Identity(company, user, login.locationid, None)

    def _ip_allowed(self, company: Company, client_host: str) -> bool:
        address = client_address(client_host)
        return any(address in ipaddress.ip_network(allowed, strict=False) for allowed in company.ip_allowed)

    def _session(self, request: Request, path: str) -> _Identity | Exchange:
        session = self.sessions.touch(request.session_id or "")
        if session is None or (self.settings.strict_session_endpoint and path != session.endpoint_path):
            # An invalid session: authentication level with empty userid/companyid. Assumption: text and HTTP
            # 200.
            return self._auth_failure(
                request.echo, "", "", errors.invalid_session(self.settings.invalid_session_text)
            )
        company = self.scenario.companies[session.company_id]
        if not company.authorized_senders.get(request.sender_id, False):
            error = errors.sender_not_authorized(request.sender_id, company.company_id)
            return self._auth_failure(request.echo, session.user_id, company.company_id, error)
        return _Identity(company, company.users[session.user_id], session.entity_id, session)

    # --- functions -------------------------------------------------------------------------------

    def _run(self, request: Request, identity: _Identity, summary: dict, session_url: str) -> Exchange:
        company, user = identity.company, identity.user

        def open_session(entity: str | None) -> tuple[str, str, str]:
            current = identity.session
            if current is not None and entity in (None, current.entity_id):
                return current.session_id, session_url, current.entity_id
            entity_id = identity.entity_id if entity is None else entity
            session = self.sessions.create(
                company.company_id, user.login_id, request.sender_id, entity_id, self.endpoints.session_path
            )
            return session.session_id, session_url, entity_id

        ctx = RequestContext(
            company=company,
            user=user,
            rights=effective_rights(company, user),
            store=self.store,
            results=self.results,
            open_session=open_session,
            alone=len(request.functions) == 1,
        )
        with self._transactions if request.transaction else nullcontext():
            snapshot = self.store.snapshot(company) if request.transaction else None
            outcomes = [functions.run(ctx, fn) for fn in request.functions]
            rolled_back = request.transaction and any(outcome.failed for outcome in outcomes)
            if rolled_back and snapshot is not None:
                self.store.restore(company, snapshot)
        now = self.clock.now()
        timeout = identity.session.timeout if identity.session else now + self.sessions.duration
        auth = AuthEcho(
            user.login_id, company.company_id, identity.entity_id, timestamp(now), timestamp(timeout)
        )
        reply = responses.operation_reply(request.echo, auth, [o.element(rolled_back) for o in outcomes])
        failed = any(outcome.failed for outcome in outcomes)
        return Exchange(
            reply,
            journal.FUNCTION_FAILURE if failed else journal.SUCCESS,
            errors=tuple(error.errorno for outcome in outcomes for error in outcome.errors),
            **{
                **summary,
                "company_id": company.company_id,
                "user_id": user.login_id,
                "objects": tuple(dict.fromkeys(o.object_name for o in outcomes if o.object_name)),
            },
        )

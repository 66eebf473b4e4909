"""A read-only client for Sage Intacct's REST API (``/ia/api/v1``): one OAuth2 client-credentials token,
reused while it lives, then reads of company-config objects and the query service (docs/rest.md).

It shares the XML client's transport (deadlines, retries, ``Retry-After`` capped, no redirects, an answer
size cap), its endpoint rules and its containment: every public method lets only an
:class:`~pytest_intacct.client.errors.IntacctError` out, redacted, with no chain. The client secret is a
:class:`~pytest_intacct.safety.redaction.Secret`; every token the API hands out is registered for
redaction before it is kept, and the answer carrying it is never logged.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from pytest_intacct.client.boundary import contained
from pytest_intacct.client.endpoints import validate_endpoint
from pytest_intacct.client.errors import ClientUsageError, ErrorKind, GatewayUnavailable, RestRefused
from pytest_intacct.client.rest_wire import (
    QUERY_PATH,
    REST_PATH,
    TOKEN_PATH,
    check_read_only,
    interpret,
)
from pytest_intacct.client.transport import HttpAnswer, Retrying, RetryPolicy, Transport
from pytest_intacct.safety.limits import (
    MAX_QUERY_PAGE,
    MAX_TOKEN_LENGTH,
    MIN_TOKEN_LENGTH,
    TOKEN_CHARACTERS,
)
from pytest_intacct.safety.redaction import Secret, register_secret

DEFAULT_REST_ENDPOINT = "https://api.intacct.com" + REST_PATH
MAX_PAGES = 1000  # query-service pages one read may take
# Token lifetime when the answer gives none: unconfirmed; a third-party client assumes an hour (docs/rest.md).
DEFAULT_TOKEN_LIFETIME = 3600.0
MAX_TOKEN_LIFETIME = 86400.0
_TOKEN = re.compile(f"[{TOKEN_CHARACTERS}]{{{MIN_TOKEN_LENGTH},{MAX_TOKEN_LENGTH}}}")
# An object's path segment (``company-config/user``) and a record key (``65``, ``setup``).
_OBJECT = re.compile(r"[a-z][a-z0-9-]*/[a-z][a-z0-9-]*")
_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def rest_endpoint(xml_endpoint: str) -> str:
    """The REST API on the XML gateway's host: ``https://api.intacct.com/ia/xml/xmlgw.phtml`` gives
    ``https://api.intacct.com/ia/api/v1``. Credentials go only where the user pointed the checker."""
    parts = urlsplit(xml_endpoint)
    return f"{parts.scheme}://{parts.netloc}{REST_PATH}"


@dataclass(frozen=True)
class RestCredentials:
    """An authorized client application's credentials and the login its token stands for.

    ``username`` is ``userId@companyId`` (``|entityId`` for an entity-level token; the format is
    unconfirmed, docs/rest.md); ``entity_id`` switches entity per request by header.
    """

    client_id: str
    client_secret: Secret
    username: str
    endpoint: str = DEFAULT_REST_ENDPOINT
    entity_id: str | None = None


@dataclass(frozen=True)
class RestToken:
    """What a granted token says about itself (the token is kept inside the client, never handed out)."""

    username: str
    client_id: str
    expires_in: float
    granted: int  # how many tokens this client was granted so far


@dataclass
class _Held:
    value: Secret
    expires_at: float


class RestClient:
    """Reads company-config objects with one client-credentials token, reused within its lifetime.

    Read-only by construction: :func:`~pytest_intacct.client.rest_wire.check_read_only` reads every
    request about to be sent, and refuses anything but a GET, or a POST to the token endpoint or the
    query service, before a byte leaves. There is no permit that lifts it.
    """

    def __init__(
        self,
        credentials: RestCredentials,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, shared safely
        transport: Transport | None = None,
        max_pages: int = MAX_PAGES,
        on_retry: Callable[[Retrying], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_pages < 1:
            raise ClientUsageError(f"max_pages must be 1 or more, got {max_pages}")
        self.credentials = credentials
        self._transport = transport or Transport(timeout=timeout, retry=retry, on_retry=on_retry)
        self.max_pages = max_pages
        self._clock = clock
        self._held: _Held | None = None
        self.round_trips = 0
        self.tokens_granted = 0

    def __repr__(self) -> str:
        c = self.credentials
        return f"RestClient(client_id={c.client_id!r}, username={c.username!r})"

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the token ----------------------------------------------------------------------------

    @contained
    def sign_in(self) -> RestToken:
        """A token for the username, granted now or reused while it lives; what it says about itself."""
        held = self._token()
        return RestToken(
            self.credentials.username,
            self.credentials.client_id,
            max(0.0, held.expires_at - self._clock()),
            self.tokens_granted,
        )

    def _token(self) -> _Held:
        held = self._held
        if held is None or self._clock() >= held.expires_at:
            held = self._held = self._grant()
        return held

    def _grant(self) -> _Held:
        """``POST {endpoint}/oauth2/token``, form-encoded, client secret in the body (client_secret_post)."""
        c = self.credentials
        try:
            validate_endpoint(c.endpoint)
        except ValueError as exc:
            raise ClientUsageError(str(exc)) from None
        self._held = None
        form = {
            "grant_type": "client_credentials",
            "client_id": c.client_id,
            "client_secret": c.client_secret.reveal(),
            "username": c.username,
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        answer = self._send("POST", TOKEN_PATH, urlencode(form).encode("ascii"), headers, secret_answer=True)
        del form
        data = interpret(answer, token=True)
        for name in ("refresh_token", "id_token"):  # never used, but never shown either
            other = data.get(name)
            if isinstance(other, str) and _TOKEN.fullmatch(other):
                register_secret(other)
        access = data.get("access_token")
        if not isinstance(access, str) or not _TOKEN.fullmatch(access):
            # Checked before the value is held as a secret: an implausible one is never used or registered.
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                "the token endpoint answered without a plausible access_token "
                f"({MIN_TOKEN_LENGTH} to {MAX_TOKEN_LENGTH} of {TOKEN_CHARACTERS}); not used",
            )
        register_secret(access)
        kind = data.get("token_type", "Bearer")
        if not isinstance(kind, str) or kind.lower() != "bearer":
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE, f"the token endpoint gave a {kind!r} token, not Bearer"
            )
        self.tokens_granted += 1
        lifetime = _lifetime(data.get("expires_in"))
        # Renewed a little before it lapses, so no read meets a token that expires on the way.
        return _Held(Secret(access), self._clock() + lifetime - min(30.0, lifetime / 10))

    # -- reads --------------------------------------------------------------------------------

    @contained
    def record(self, obj: str, key: str) -> dict[str, Any]:
        """``GET {endpoint}/objects/<obj>/<key>``: the record in ``ia::result``."""
        result = self._read("GET", f"/objects/{_object(obj)}/{_key(key)}")["ia::result"]
        if not isinstance(result, dict):
            raise GatewayUnavailable(ErrorKind.UNREADABLE, f"{obj}/{key}: ia::result is not a record")
        return result

    @contained
    def references(self, obj: str) -> list[dict[str, Any]]:
        """``GET {endpoint}/objects/<obj>``: the ``{key, id, href}`` references the list answers."""
        result = self._read("GET", f"/objects/{_object(obj)}")["ia::result"]
        if not isinstance(result, list) or not all(isinstance(row, dict) for row in result):
            raise GatewayUnavailable(ErrorKind.UNREADABLE, f"{obj}: ia::result is not a list of references")
        return result

    @contained
    def query(
        self,
        obj: str,
        fields: Sequence[str],
        filters: Sequence[Mapping[str, Any]] = (),
        *,
        parameters: Mapping[str, Any] | None = None,
        order_by: Sequence[Mapping[str, str]] = (),
        size: int = MAX_QUERY_PAGE,
    ) -> list[dict[str, Any]]:
        """Every row of a query-service read, page by page while ``ia::meta.next`` names the next start."""
        if not 1 <= size <= MAX_QUERY_PAGE:
            raise ClientUsageError(f"size must be from 1 to {MAX_QUERY_PAGE}, got {size}")
        rows: list[dict[str, Any]] = []
        start, pages, announced = 1, 0, None
        while True:
            body = {
                "object": _object(obj),
                "fields": list(fields),
                "filters": [dict(item) for item in filters],
                "filterExpression": "and" if filters else None,
                "filterParameters": dict(parameters or {}),
                "orderBy": [dict(item) for item in order_by],
                "start": start,
                "size": size,
            }
            envelope = self._read("POST", QUERY_PATH, body)
            page, meta = envelope["ia::result"], envelope.get("ia::meta")
            pages += 1
            if not isinstance(page, list) or not all(isinstance(row, dict) for row in page):
                raise GatewayUnavailable(
                    ErrorKind.UNREADABLE, f"query of {obj}: ia::result is not a list of rows"
                )
            if len(page) > size:
                raise GatewayUnavailable(
                    ErrorKind.CONTRADICTORY, f"query of {obj}: a page of {len(page)} rows, asked for {size}"
                )
            rows.extend(page)
            meta = meta if isinstance(meta, dict) else {}
            if announced is None and isinstance(meta.get("totalCount"), int):
                announced = meta["totalCount"]
            following = meta.get("next")
            if following is None:
                break
            if pages >= self.max_pages:
                raise GatewayUnavailable(
                    ErrorKind.UNREADABLE,
                    f"query of {obj} still announced more rows after {pages} pages; stopped at the bound "
                    f"of {self.max_pages} pages",
                )
            # ia::meta.next is the start of the next page (common-resources OpenAPI): it must follow on.
            if not page or type(following) is not int or following != start + len(page):
                raise GatewayUnavailable(
                    ErrorKind.UNREADABLE,
                    f"query of {obj} made no progress: {len(page)} row(s) from {start}, next {following!r}; "
                    "stopped",
                )
            start = following
        if announced is not None and announced != len(rows):
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                f"query of {obj} announced totalCount={announced} but its pages carried {len(rows)} row(s)",
            )
        return rows

    def _read(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One read with the token; a token the API no longer takes (401) is renewed once."""
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8") if payload is not None else b""
        for renewed in (False, True):
            held = self._token()
            headers: dict[str, str | None] = {
                "Accept": "application/json",
                "Content-Type": "application/json" if method == "POST" else None,
                "Authorization": f"Bearer {held.value.reveal()}",
            }
            if self.credentials.entity_id:
                # Entity switching is per request (a third-party client's header; its spelling is
                # unconfirmed, docs/rest.md).
                headers["X-IA-API-Param-Entity"] = self.credentials.entity_id
            answer = self._send(method, path, body, headers)
            try:
                return interpret(answer)
            except RestRefused as refused:
                if refused.kind is not ErrorKind.SESSION_INVALID:
                    raise
                if renewed:
                    raise RestRefused(
                        ErrorKind.TOKEN_REFUSED,
                        refused.level,
                        f"{refused}; a new token was refused the same way",
                        http_status=refused.http_status,
                        code=refused.code,
                        error_id=refused.error_id,
                    ) from None
                self._held = None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        path: str,
        body: bytes,
        headers: Mapping[str, str | None],
        *,
        secret_answer: bool = False,
    ) -> HttpAnswer:
        """Check what is about to go out is a read, then send it (the bytes live only in these frames)."""
        url = self.credentials.endpoint.rstrip("/") + path
        check_read_only(method, url, self.credentials.endpoint, headers, body)
        self.round_trips += 1
        return self._transport.send(method, url, body, headers=headers, secret_answer=secret_answer)


def _lifetime(value: object) -> float:
    """Seconds the token lives: ``expires_in`` as a number or digits, bounded; the default otherwise."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return DEFAULT_TOKEN_LIFETIME
    return float(min(max(value, 0), MAX_TOKEN_LIFETIME))


def _object(obj: str) -> str:
    if not _OBJECT.fullmatch(obj):
        raise ClientUsageError(f"{obj!r} is not an object such as company-config/user")
    return obj


def _key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE, f"{str(key)[:80]!r} is not a plausible record key; not read"
        )
    return key

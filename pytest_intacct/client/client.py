"""A read-only client for the Intacct XML gateway: sign in once, then batch reads on the session."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from pytest_intacct.client import functions as fn
from pytest_intacct.client.errors import (
    ErrorKind,
    FunctionFailed,
    GatewayRejected,
    GatewayUnavailable,
    WriteRefused,
)
from pytest_intacct.client.records import Record, to_permissions, to_records
from pytest_intacct.client.request import Login, build_request
from pytest_intacct.client.response import Response, Result, parse_response
from pytest_intacct.client.transport import HttpAnswer, RetryPolicy, Transport
from pytest_intacct.redaction import Secret, register_secret

DEFAULT_ENDPOINT = "https://api.intacct.com/ia/xml/xmlgw.phtml"


@dataclass(frozen=True)
class Credentials:
    """What it takes to sign in to one company as one Web Services user."""

    sender_id: str
    sender_password: Secret
    company_id: str
    user_id: str
    user_password: Secret
    endpoint: str = DEFAULT_ENDPOINT
    entity_id: str | None = None


@dataclass(frozen=True)
class WritePermit:
    """An explicit, reasoned permission to send write functions. Never valid for production."""

    reason: str


@dataclass(frozen=True)
class ApiSession:
    """A session from ``getAPISession``: the id is secret, the endpoint is where to send calls next."""

    session_id: Secret
    endpoint: str
    location_id: str
    user_id: str
    company_id: str
    session_timeout: str


class IntacctClient:
    """Signs in with ``getAPISession`` and runs read functions, many per request.

    Read-only by construction: a function outside :data:`~pytest_intacct.client.functions.READ_FUNCTIONS`
    raises :class:`WriteRefused` before a byte is sent, unless the client holds a
    :class:`WritePermit`, which a production client refuses to take.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        production: bool = True,
        write_permit: WritePermit | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, shared safely
        transport: Transport | None = None,
    ) -> None:
        if write_permit is not None and production:
            raise WriteRefused("write functions are never allowed against a production company")
        self.credentials = credentials
        self.production = production
        self._write_permit = write_permit
        self._transport = transport or Transport(timeout=timeout, retry=retry)
        self.session: ApiSession | None = None
        self.round_trips = 0

    def __repr__(self) -> str:
        c = self.credentials
        return f"IntacctClient(company={c.company_id!r}, user={c.user_id!r}, sender={c.sender_id!r})"

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> IntacctClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- session -------------------------------------------------------------------------

    def sign_in(self) -> ApiSession:
        """``getAPISession`` alone in its request (intacct-xml-api.md §6); later calls follow its endpoint."""
        c = self.credentials
        function = fn.get_api_session()
        body = build_request(
            sender_id=c.sender_id,
            sender_password=c.sender_password,
            functions=[function],
            login=Login(c.user_id, c.company_id, c.user_password, c.entity_id),
        )
        response = self._send(c.endpoint, body, writes=False)
        result = response.result(function.controlid)
        if not result.ok or result.data is None:
            raise FunctionFailed(result.function or "getAPISession", function.controlid, result.errors)
        api = result.data.find("api")
        session_id = (api.findtext("sessionid") or "").strip() if api is not None else ""
        if not session_id:
            raise GatewayUnavailable(ErrorKind.UNREADABLE, "getAPISession answered without a session id")
        register_secret(session_id)
        self.session = ApiSession(
            session_id=Secret(session_id),
            endpoint=(api.findtext("endpoint") or "").strip() or c.endpoint,
            location_id=(api.findtext("locationid") or "").strip(),
            user_id=response.authentication.user_id,
            company_id=response.authentication.company_id,
            session_timeout=response.authentication.session_timeout,
        )
        return self.session

    # -- functions -----------------------------------------------------------------------

    def execute(self, functions: Sequence[fn.Function]) -> Response:
        """Send many functions in one request on the session; results come back by controlid.

        A session the gateway no longer knows is renewed once, transparently.
        """
        writes = [f.name for f in functions if not f.is_read]
        if writes and self._write_permit is None:
            raise WriteRefused(
                f"refused to send {', '.join(sorted(set(writes)))}: this client is read-only "
                "(writes need an explicit WritePermit for a non-production environment)"
            )
        if any(f.name == "getAPISession" for f in functions):
            raise ValueError("getAPISession must be alone in its request; use sign_in()")
        if self.session is None:
            self.sign_in()
        try:
            return self._execute_on_session(functions, writes=bool(writes))
        except GatewayRejected as exc:
            if exc.kind is not ErrorKind.SESSION_INVALID:
                raise
            self.sign_in()
            return self._execute_on_session(functions, writes=bool(writes))

    def _execute_on_session(self, functions: Sequence[fn.Function], *, writes: bool) -> Response:
        assert self.session is not None
        body = build_request(
            sender_id=self.credentials.sender_id,
            sender_password=self.credentials.sender_password,
            functions=functions,
            session_id=self.session.session_id,
        )
        return self._send(self.session.endpoint, body, writes=writes)

    def call(self, function: fn.Function) -> Result:
        """Run one function and return its successful result, or raise :class:`FunctionFailed`."""
        result = self.execute([function]).result(function.controlid)
        if not result.ok:
            raise FunctionFailed(result.function or function.name, function.controlid, result.errors)
        return result

    def _send(self, url: str, body: bytes, *, writes: bool) -> Response:
        self.round_trips += 1
        answer: HttpAnswer = self._transport.post(url, body, writes=writes)
        if answer.status >= 500 and "xml" not in answer.content_type.lower():
            raise GatewayUnavailable(
                ErrorKind.UNREACHABLE,
                f"HTTP {answer.status} from the gateway after {answer.attempts} attempt(s)",
                http_status=answer.status,
            )
        if 400 <= answer.status < 500 and "xml" not in answer.content_type.lower():
            kind = ErrorKind.THROTTLED if answer.status == 429 else ErrorKind.UNREADABLE
            raise GatewayUnavailable(
                kind, f"HTTP {answer.status} from the gateway without an XML body", http_status=answer.status
            )
        return parse_response(answer.body, http_status=answer.status, content_type=answer.content_type)

    # -- reads ---------------------------------------------------------------------------

    def read_by_query(
        self,
        obj: str,
        query: str = "",
        fields: Sequence[str] = ("*",),
        *,
        pagesize: int = fn.MAX_READ_BY_QUERY_PAGE,
        max_records: int | None = None,
    ) -> list[Record]:
        """All matching records, following ``readMore`` by resultId until ``numremaining`` is 0."""
        records: list[Record] = []
        for page in self._read_by_query_pages(obj, query, fields, pagesize):
            records.extend(page)
            if max_records is not None and len(records) >= max_records:
                return records[:max_records]
        return records

    def _read_by_query_pages(
        self, obj: str, query: str, fields: Sequence[str], pagesize: int
    ) -> Iterator[list[Record]]:
        result = self.call(fn.read_by_query(obj, query, fields, pagesize))
        yield to_records(result.data)
        while result.page.numremaining > 0:
            if not result.page.result_id:
                raise GatewayUnavailable(
                    ErrorKind.UNREADABLE, f"readByQuery on {obj} has more pages but no resultId"
                )
            result = self.call(fn.read_more(result.page.result_id))
            yield to_records(result.data)

    def query(
        self,
        obj: str,
        select: Sequence[str],
        *,
        filter_: etree._Element | None = None,
        order_by: Sequence[tuple[str, bool]] = (),
        pagesize: int = 100,
        max_records: int | None = None,
    ) -> list[Record]:
        """All records of the ``query`` function, paging by offset (intacct-xml-api.md §5.4)."""
        records: list[Record] = []
        offset = 0
        while True:
            result = self.call(
                fn.query(obj, select, filter_=filter_, order_by=order_by, pagesize=pagesize, offset=offset)
            )
            page = to_records(result.data)
            records.extend(page)
            if max_records is not None and len(records) >= max_records:
                return records[:max_records]
            if result.page.numremaining <= 0 or not page:
                return records
            offset += len(page)

    def read(self, obj: str, keys: Sequence[str], fields: Sequence[str] = ("*",)) -> list[Record]:
        return to_records(self.call(fn.read(obj, keys, fields)).data)

    def read_by_name(self, obj: str, names: Sequence[str], fields: Sequence[str] = ("*",)) -> list[Record]:
        return to_records(self.call(fn.read_by_name(obj, names, fields)).data)

    def get_user_permissions(self, user_id: str) -> dict[str, dict[str, frozenset[str]]]:
        return to_permissions(self.call(fn.get_user_permissions(user_id)).data)

    def lookup(self, obj: str) -> etree._Element | None:
        return self.call(fn.lookup(obj)).data

    def inspect(self, obj: str = "*", detail: bool = False) -> etree._Element | None:
        return self.call(fn.inspect(obj, detail)).data

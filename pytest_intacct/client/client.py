"""A read-only client for the Intacct XML gateway: sign in once, then batch reads on the session.

Every public method is a containment boundary (docs/security.md): whatever goes wrong inside
comes out as an :class:`IntacctError` with a redacted message, no exception chain and a traceback
that starts at the boundary, so no frame holding a request body (and its passwords) stays reachable.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from pytest_intacct.client import functions as fn
from pytest_intacct.client.boundary import contained
from pytest_intacct.client.endpoints import session_endpoint_allowed, validate_endpoint
from pytest_intacct.client.errors import (
    ClientUsageError,
    ErrorKind,
    FunctionFailed,
    GatewayRejected,
    GatewayUnavailable,
    IntacctError,
    WriteRefused,
)
from pytest_intacct.client.records import Record, to_permissions, to_records
from pytest_intacct.client.request import Login, build_request, sent_functions
from pytest_intacct.client.response import Page, Response, Result, parse_response
from pytest_intacct.client.transport import HttpAnswer, Retrying, RetryPolicy, Transport
from pytest_intacct.safety.limits import MAX_SESSION_ID_LENGTH, MIN_SESSION_ID_LENGTH, SESSION_ID_CHARACTERS
from pytest_intacct.safety.redaction import Secret, register_secret

DEFAULT_ENDPOINT = "https://api.intacct.com/ia/xml/xmlgw.phtml"
_SESSION_ID = re.compile(f"[{SESSION_ID_CHARACTERS}]{{{MIN_SESSION_ID_LENGTH},{MAX_SESSION_ID_LENGTH}}}")
MAX_PAGES = 1000  # pages one paged read may take before the client stops and says so

# The gateway's documented failure answers outside 2xx keep their meaning; any other non-2xx
# answer is "could not check" (intacct-sdk-php test/Intacct/Xml/RequestHandlerTest.php,
# developer.intacct.com/web-services/error-handling/; docs/security.md).
DOCUMENTED_FAILURES = {
    401: frozenset({"XMLGW_JPP0002", "UJPP0002"}),
    400: frozenset({"GW-0011", "invalidRequest"}),
    429: frozenset({"GW-0010"}),
}


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


_contained = contained  # every public method below is a containment boundary


class IntacctClient:
    """Signs in with ``getAPISession`` and runs read functions, many per request.

    Read-only by construction: every request is read back from the bytes about to be sent, and
    each ``<function>`` must hold exactly one element from
    :data:`~pytest_intacct.client.functions.READ_FUNCTIONS`, or :class:`WriteRefused` is raised before
    a byte leaves. Only a :class:`WritePermit` lifts that, and a permit is accepted only with an
    explicit ``production=False``: the default (``True``) never unlocks writes.
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
        max_pages: int = MAX_PAGES,
        on_retry: Callable[[Retrying], None] | None = None,
    ) -> None:
        if write_permit is not None and production is not False:
            raise WriteRefused(
                "write functions are never allowed against a production company "
                "(a write permit needs production=False, stated explicitly)"
            )
        if max_pages < 1:
            raise ClientUsageError(f"max_pages must be 1 or more, got {max_pages}")
        self.credentials = credentials
        self.production = production
        self._write_permit = write_permit
        self._transport = transport or Transport(timeout=timeout, retry=retry, on_retry=on_retry)
        self.max_pages = max_pages
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

    @_contained
    def sign_in(self) -> ApiSession:
        """``getAPISession`` alone in its request (intacct-sdk-php ``src/Intacct/Functions/Company/
        ApiSessionCreate.php``); later calls follow its endpoint if it is one credentials may go to."""
        c = self.credentials
        try:
            validate_endpoint(c.endpoint)
        except ValueError as exc:
            raise ClientUsageError(str(exc)) from None
        function = fn.get_api_session()
        login = Login(c.user_id, c.company_id, c.user_password, c.entity_id)
        response = self._send(c.endpoint, [function], login=login)
        result = response.result(function.controlid, function.name)
        if not result.ok or result.data is None:
            raise FunctionFailed(result.function or "getAPISession", function.controlid, result.errors)
        api = result.data.find("api")
        session_id = (api.findtext("sessionid") or "").strip() if api is not None else ""
        if not session_id or api is None:
            raise GatewayUnavailable(ErrorKind.UNREADABLE, "getAPISession answered without a session id")
        if not _SESSION_ID.fullmatch(session_id):
            # Checked before the id is held as a secret: an implausible one is never used or registered.
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                f"getAPISession answered with a session id of {len(session_id)} characters that is not a "
                f"plausible token ({MIN_SESSION_ID_LENGTH} to {MAX_SESSION_ID_LENGTH} of "
                f"{SESSION_ID_CHARACTERS}); not used",
            )
        register_secret(session_id)
        endpoint = (api.findtext("endpoint") or "").strip() or c.endpoint
        if not session_endpoint_allowed(c.endpoint, endpoint):
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                f"getAPISession named the session endpoint {endpoint!r}, which is not where the "
                f"credentials were sent ({c.endpoint!r}): it must keep the scheme and port and the host "
                "(or stay under .intacct.com); refused to send the session there",
            )
        self.session = ApiSession(
            session_id=Secret(session_id),
            endpoint=endpoint,
            location_id=(api.findtext("locationid") or "").strip(),
            user_id=response.authentication.user_id,
            company_id=response.authentication.company_id,
            session_timeout=response.authentication.session_timeout,
        )
        return self.session

    # -- functions -----------------------------------------------------------------------

    @_contained
    def execute(self, functions: Sequence[fn.Function]) -> Response:
        """Send many functions in one request on the session; results come back by controlid.

        A session the gateway no longer knows is renewed once, transparently.
        """
        writes = sorted({f.name for f in functions if not f.is_read})
        if writes and self._write_permit is None:
            raise WriteRefused(
                f"refused to send {', '.join(writes)}: this client is read-only "
                "(writes need an explicit WritePermit for a non-production environment)"
            )
        if any(f.name == "getAPISession" for f in functions):
            raise ClientUsageError("getAPISession must be alone in its request; use sign_in()")
        if self.session is None:
            self.sign_in()
        try:
            return self._execute_on_session(functions)
        except GatewayRejected as exc:
            if exc.kind is not ErrorKind.SESSION_INVALID:
                raise
        self.sign_in()
        return self._execute_on_session(functions)

    def _execute_on_session(self, functions: Sequence[fn.Function]) -> Response:
        assert self.session is not None
        return self._send(self.session.endpoint, functions, session_id=self.session.session_id)

    @_contained
    def call(self, function: fn.Function) -> Result:
        """Run one function and return its successful result, or raise.

        A failure is :class:`FunctionFailed`; a read that "succeeds" without the ``<data>`` every read
        function returns is :class:`GatewayUnavailable` (``unreadable``): missing evidence, not a verdict.
        """
        result = self.execute([function]).result(function.controlid, function.name)
        if not result.ok:
            raise FunctionFailed(result.function or function.name, function.controlid, result.errors)
        if function.is_read and result.data is None:
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE, f"{function.name} answered success without the <data> it must return"
            )
        return result

    def _send(
        self,
        url: str,
        functions: Sequence[fn.Function],
        *,
        login: Login | None = None,
        session_id: Secret | None = None,
    ) -> Response:
        """Serialise, check what is really about to go out, post, and read the answer.

        The request bytes live only in this frame and the transport's, both gone from any traceback
        that leaves the client (see :func:`_contained`).
        """
        body = build_request(
            sender_id=self.credentials.sender_id,
            sender_password=self.credentials.sender_password,
            functions=functions,
            login=login,
            session_id=session_id,
        )
        writes = self._refuse_unless_read_only(body, signing_in=login is not None)
        self.round_trips += 1
        return self._transport.exchange(url, body, _interpret, writes=writes)

    def _refuse_unless_read_only(self, body: bytes, *, signing_in: bool) -> bool:
        """True when the request carries a write (allowed only with a permit); raises otherwise."""
        try:
            names = sent_functions(body)
        except (ValueError, etree.XMLSyntaxError) as exc:
            raise WriteRefused(f"refused to send a request that is not plainly read-only: {exc}") from None
        allowed = fn.READ_FUNCTIONS if signing_in else fn.READ_FUNCTIONS - {"getAPISession"}
        writes = sorted({name for name in names if name not in allowed})
        if writes and self._write_permit is None:
            raise WriteRefused(
                f"refused to send <{'>, <'.join(writes)}>: the request's bytes carry functions outside the "
                "read-only allowlist (writes need an explicit WritePermit for a non-production environment)"
            )
        return bool(writes)

    # -- reads ---------------------------------------------------------------------------

    @_contained
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
        function = fn.read_by_query(obj, query, fields, pagesize)
        return self._collect(function, self.call(function), max_records)

    @_contained
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
        """All records of the ``query`` function, paging by offset.

        (developer.intacct.com/web-services/queries/)
        """
        function = fn.query(obj, select, filter_=filter_, order_by=order_by, pagesize=pagesize)
        return self._collect(function, self.call(function), max_records)

    @_contained
    def read_to_end(self, function: fn.Function, result: Result) -> list[Record]:
        """Every record of a ``readByQuery``/``readMore``/``query`` answer, its first page being ``result``.

        For a result obtained inside a batch (:meth:`execute`): the remaining pages are fetched with
        ``readMore`` (by resultId) or ``query`` (by offset), at most :attr:`max_pages` pages in all.
        """
        return self._collect(function, result, None)

    @_contained
    def read_pages(self, function: fn.Function, result: Result) -> list[Result]:
        """Like :meth:`read_to_end`, but every page's whole result, for callers that parse ``<data>``."""
        return list(self._pages(function, result))

    def _collect(self, function: fn.Function, result: Result, max_records: int | None) -> list[Record]:
        records: list[Record] = []
        for page in self._pages(function, result):
            records.extend(to_records(page.data))
            if max_records is not None and len(records) >= max_records:
                return records[:max_records]
        return records

    def _pages(self, function: fn.Function, result: Result) -> Iterator[Result]:
        """The first page's result, then each following one; bounded, and stopped when paging stalls."""
        if function.name not in {"readByQuery", "readMore", "query"}:
            raise ClientUsageError(f"{function.name} is not a paged read")
        if not result.ok or result.data is None:
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE, f"{function.name} has no successful page to follow"
            )
        page, pages, offset = result.page, 1, 0
        count = len(to_records(result.data))
        total, announced = count, page.totalcount
        yield result
        while page.numremaining > 0:
            if pages >= self.max_pages:
                raise GatewayUnavailable(
                    ErrorKind.UNREADABLE,
                    f"{function.name} still announced {page.numremaining} more record(s) after "
                    f"{pages} pages; stopped at the bound of {self.max_pages} pages",
                )
            offset += count
            following = self._next_page(function, page, offset)
            result = self.call(following)
            previous, page, pages = page, result.page, pages + 1
            count = len(to_records(result.data))
            if not count or page.numremaining >= previous.numremaining:
                raise GatewayUnavailable(
                    ErrorKind.UNREADABLE,
                    f"{following.name} made no progress: {count} record(s), {page.numremaining} still "
                    f"announced after {previous.numremaining} (resultId {page.result_id!r}); stopped",
                )
            total += count
            yield result
        if announced is not None and total != announced:
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                f"{function.name} announced totalcount={announced} but its pages carried {total} record(s)",
            )

    @staticmethod
    def _next_page(function: fn.Function, page: Page, offset: int) -> fn.Function:
        if function.name == "query":
            element = copy.deepcopy(function.element)
            offset_el = element.find("offset")
            if offset_el is None:
                offset_el = etree.SubElement(element, "offset")
            offset_el.text = str(offset)
            return fn.Function("query", element)
        if not page.result_id:
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE, f"{function.name} announced more pages but gave no resultId"
            )
        return fn.read_more(page.result_id)

    @_contained
    def read(self, obj: str, keys: Sequence[str], fields: Sequence[str] = ("*",)) -> list[Record]:
        return to_records(self.call(fn.read(obj, keys, fields)).data)

    @_contained
    def read_by_name(self, obj: str, names: Sequence[str], fields: Sequence[str] = ("*",)) -> list[Record]:
        return to_records(self.call(fn.read_by_name(obj, names, fields)).data)

    @_contained
    def get_user_permissions(self, user_id: str) -> dict[str, dict[str, frozenset[str]]]:
        return to_permissions(self.call(fn.get_user_permissions(user_id)).data)

    @_contained
    def lookup(self, obj: str) -> etree._Element | None:
        return self.call(fn.lookup(obj)).data

    @_contained
    def inspect(self, obj: str = "*", detail: bool = False) -> etree._Element | None:
        return self.call(fn.inspect(obj, detail)).data


def _interpret(answer: HttpAnswer) -> Response:
    """The gateway's answer as a :class:`Response`, or the typed error it amounts to."""
    tries = f" after {answer.attempts} attempt(s)" + (
        f", {answer.waited:.3g}s waited" if answer.waited else ""
    )
    status = answer.status
    xml = "xml" in answer.content_type.lower()
    try:
        if not xml and status >= 400:
            kind = (
                ErrorKind.THROTTLED
                if status == 429
                else ErrorKind.UNREACHABLE
                if status >= 500
                else ErrorKind.UNREADABLE
            )
            without = "without an XML body" if status < 500 else "from the gateway"
            raise GatewayUnavailable(kind, f"HTTP {status} {without}{tries}", http_status=status)
        response = parse_response(answer.body, http_status=status, content_type=answer.content_type)
        if not 200 <= status < 300:
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                f"HTTP {status} with an answer that claims success; not evidence{tries}",
                http_status=status,
            )
        return response
    except GatewayRejected as rejected:
        if 200 <= status < 300 or {e.errorno for e in rejected.errors} & DOCUMENTED_FAILURES.get(
            status, set()
        ):
            error: IntacctError = rejected
        else:
            error = GatewayUnavailable(
                ErrorKind.THROTTLED if rejected.kind is ErrorKind.THROTTLED else ErrorKind.UNREADABLE,
                f"HTTP {status} with a refusal that is not one of the gateway's documented answers "
                f"({rejected}){tries}",
                http_status=status,
            )
    except GatewayUnavailable as unavailable:
        error = unavailable
    error.attempts, error.waited = answer.attempts, answer.waited
    if answer.attempts > 1 and tries not in str(error):
        error.args = (f"{error.args[0]}{tries}",)
    raise error

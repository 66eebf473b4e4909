"""Hardened parsing of gateway answers into typed outcomes (docs/gateway.md#results, #errors).

An answer is one of: a control-level refusal, an authentication-level refusal (both raised as
:class:`GatewayRejected`), or a :class:`Response` whose results succeed or fail one by one.
Anything that is not the gateway's XML -- an HTML error page, a truncated or hostile document,
an oversized body -- raises :class:`GatewayUnavailable`: "could not read", never a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from pytest_intacct.client.errors import (
    ErrorKind,
    GatewayError,
    GatewayRejected,
    GatewayUnavailable,
    Level,
    ResultMissing,
)
from pytest_intacct.safety.limits import MAX_ANSWER_TAGS, MAX_NAME_LENGTH, MAX_PAGE_RECORDS
from pytest_intacct.safety.text import outside_text
from pytest_intacct.safety.xml import hardened_parser

_PARSER = hardened_parser()
MAX_ERRORS = 20  # <error> elements kept of one answer (real ones carry one to three)


@dataclass(frozen=True)
class Authentication:
    """The ``<authentication>`` block of an answer; it never carries the session id."""

    status: str
    user_id: str
    company_id: str
    location_id: str
    session_timestamp: str
    session_timeout: str


@dataclass(frozen=True)
class Page:
    """Paging attributes of a ``<data>`` element (readByQuery/readMore/query)."""

    listtype: str
    count: int
    totalcount: int | None
    numremaining: int
    result_id: str
    offset: int | None


# Functions whose <data> is a list of records, one child each, so ``count`` can be checked.
RECORD_LISTS = frozenset({"readByQuery", "readMore", "query", "read", "readByName"})


@dataclass(frozen=True)
class Result:
    """One function's result, matched to its request by controlid."""

    status: str
    function: str
    controlid: str
    data: etree._Element | None
    errors: tuple[GatewayError, ...]

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def page(self) -> Page:
        """Paging attributes; a value that is not a whole number 0 or more is :class:`GatewayUnavailable`."""
        if self.data is None:
            return Page("", 0, 0, 0, "", None)
        attrs = self.data.attrib

        def number(name: str) -> int | None:
            value = (attrs.get(name) or "").strip()
            if not value:
                return None
            if not value.isascii() or not value.isdigit() or len(value) > 18:
                raise GatewayUnavailable(
                    ErrorKind.UNREADABLE,
                    f"{self.function or 'a function'} answered with {name}={value[:40]!r}, not a count",
                )
            return int(value)

        count = number("count")
        held = sum(1 for child in self.data if isinstance(child.tag, str))
        if max(held, count or 0) > MAX_PAGE_RECORDS and self.function in RECORD_LISTS:
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                f"{self.function} answered a page of {max(held, count or 0)} records, more than any "
                f"page holds ({MAX_PAGE_RECORDS}); not evidence",
            )
        if count is not None and count != held and self.function in RECORD_LISTS:
            # A page that announces records it does not carry (or the reverse) is no evidence of either.
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                f"{self.function or 'a function'} announced count={count} but carried {held} record(s)",
            )
        return Page(
            listtype=attrs.get("listtype", ""),
            count=count if count is not None else held,
            totalcount=number("totalcount"),
            numremaining=number("numremaining") or 0,
            result_id=attrs.get("resultId", ""),
            offset=number("offset"),
        )


@dataclass(frozen=True)
class Response:
    """A request that went through control and authentication; results may still fail."""

    control_id: str
    authentication: Authentication
    results: tuple[Result, ...]

    def result(self, controlid: str, function: str | None = None) -> Result:
        """The one result answering ``controlid``, which must be for ``function`` when one is named.

        None, several, or one for another function is :class:`ResultMissing`: the evidence is not
        what was asked.
        """
        found = [result for result in self.results if result.controlid == controlid]
        if len(found) != 1:
            raise ResultMissing(
                f"the answer holds {len(found)} results with controlid {controlid!r}, expected exactly one"
            )
        result = found[0]
        if function is not None and result.function != function:
            raise ResultMissing(
                f"the result with controlid {controlid!r} is for {result.function or 'no function'!r}, "
                f"not {function!r}"
            )
        return result


def parse_response(body: bytes, *, http_status: int, content_type: str) -> Response:
    """Turn an HTTP answer into a :class:`Response`, or raise what went wrong."""
    root = _parse_xml(body, http_status=http_status, content_type=content_type)
    if root.tag != "response":
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE,
            f"HTTP {http_status}: XML answer with root <{root.tag}>, not an Intacct <response>",
            http_status=http_status,
        )
    control = root.find("control")
    if control is None or _text(control, "status") is None:
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE, f"HTTP {http_status}: answer has no control status", http_status=http_status
        )
    if _text(control, "status") != "success":
        raise GatewayRejected(Level.CONTROL, _errors(root.find("errormessage")), http_status=http_status)

    operation = root.find("operation")
    auth = operation.find("authentication") if operation is not None else None
    if operation is None or auth is None:
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE,
            f"HTTP {http_status}: answer has no operation block",
            http_status=http_status,
        )
    if _text(auth, "status") != "success":
        raise GatewayRejected(
            Level.AUTHENTICATION, _errors(operation.find("errormessage")), http_status=http_status
        )

    return Response(
        control_id=_text(control, "controlid") or "",
        authentication=Authentication(
            status="success",
            user_id=_text(auth, "userid") or "",
            company_id=_text(auth, "companyid") or "",
            location_id=_text(auth, "locationid") or "",
            session_timestamp=_text(auth, "sessiontimestamp") or "",
            session_timeout=_text(auth, "sessiontimeout") or "",
        ),
        results=tuple(_result(el) for el in operation.findall("result")),
    )


def _parse_xml(body: bytes, *, http_status: int, content_type: str) -> etree._Element:
    media_type = content_type.split(";")[0].strip().lower()
    head = body.lstrip()[:200].lower()
    if media_type == "text/html" or head.startswith((b"<!doctype html", b"<html")):
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE,
            f"HTTP {http_status}: the gateway answered with an HTML page, not XML ({_html_title(body)})",
            http_status=http_status,
        )
    if not body.strip():
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE, f"HTTP {http_status}: empty answer body", http_status=http_status
        )
    tags = body.count(b"<")
    if tags > MAX_ANSWER_TAGS:
        # Counted before parsing: a parse of millions of empty elements would build them all first.
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE,
            f"HTTP {http_status}: an answer of {tags} tags is more than any read returns "
            f"(bound: {MAX_ANSWER_TAGS}); not parsed",
            http_status=http_status,
        )
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE,
            f"HTTP {http_status}: malformed or truncated XML answer ({outside_text(str(exc), 300)})",
            http_status=http_status,
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # type: ignore[union-attr] # lxml-stubs lack it
        # The gateway never sends a DOCTYPE; one in an answer can only be an entity trick.
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE,
            f"HTTP {http_status}: refused an XML answer carrying a DOCTYPE (possible entity expansion)",
            http_status=http_status,
        )
    return root


def _html_title(body: bytes) -> str:
    try:
        page = etree.fromstring(body, etree.HTMLParser(no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        page = None
    title = page.findtext(".//title") if page is not None else None
    return f"title: '{outside_text(title.strip(), 200)}'" if title and title.strip() else "no title"


def _text(parent: etree._Element, tag: str) -> str | None:
    found = parent.find(tag)
    if found is None:
        return None
    return (found.text or "").strip()


def _errors(errormessage: etree._Element | None) -> tuple[GatewayError, ...]:
    if errormessage is None:
        return ()
    # Gateway words pass the door for outside text: bounded before they are redacted, on one line.
    return tuple(
        GatewayError(
            errorno=outside_text(_text(error, "errorno") or "", MAX_NAME_LENGTH),
            description=outside_text(_text(error, "description") or ""),
            description2=outside_text(_text(error, "description2") or ""),
            correction=outside_text(_text(error, "correction") or ""),
        )
        for error in errormessage.findall("error")[:MAX_ERRORS]
    )


def _result(el: etree._Element) -> Result:
    return Result(
        status=_text(el, "status") or "",
        function=_text(el, "function") or "",
        controlid=_text(el, "controlid") or "",
        data=el.find("data"),
        errors=_errors(el.find("errormessage")),
    )

"""Response documents shaped like the gateway's: blocks, element order, escaping (docs/gateway.md#results,
docs/gateway.md#errors)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from .errors import WireError

# SDK mocks copy this header from real responses (see docs/gateway.md#results); sent on every reply, 4xx
# included (docs/gateway.md#errors).
XML_CONTENT_TYPE = 'text/xml; encoding="UTF-8"'
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_TEXT = re.compile(rb">([^<]+)<")


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, body and content type."""

    status: int
    body: bytes
    content_type: str = XML_CONTENT_TYPE


@dataclass(frozen=True)
class ControlEcho:
    """What the response ``<control>`` echoes from the request (docs/gateway.md#results); ``None`` means
    absent."""

    senderid: str = ""
    controlid: str = ""
    uniqueid: str | None = None
    dtdversion: str | None = None
    pretty: bool = True


@dataclass(frozen=True)
class AuthEcho:
    """The ``<authentication>`` block of a successful login or session (never a session id,
    docs/gateway.md#results)."""

    userid: str
    companyid: str
    locationid: str
    sessiontimestamp: str
    sessiontimeout: str


def sub(parent: etree._Element, tag: str, text: str | None = "") -> etree._Element:
    """Append ``<tag>text</tag>``; empty text renders as ``<tag></tag>`` like the gateway."""
    child = etree.SubElement(parent, tag)
    child.text = text
    return child


def errormessage(parent: etree._Element, errors: Iterable[WireError]) -> etree._Element:
    block = sub(parent, "errormessage", None)
    for error in errors:
        item = sub(block, "error", None)
        sub(item, "errorno", error.errorno)
        sub(item, "description", error.description)
        if not error.minimal:
            sub(item, "description2", error.description2)
            sub(item, "correction", error.correction)
    return block


def _control(root: etree._Element, echo: ControlEcho, status: str) -> None:
    control = sub(root, "control", None)
    sub(control, "status", status)
    sub(control, "senderid", echo.senderid)
    sub(control, "controlid", echo.controlid)
    if echo.uniqueid is not None:
        sub(control, "uniqueid", echo.uniqueid)
    if echo.dtdversion is not None:
        sub(control, "dtdversion", echo.dtdversion)


def serialize(root: etree._Element, pretty: bool) -> bytes:
    """UTF-8 with a double-quoted declaration; quotes in text escaped as PHP does (``&#039;``,
    docs/gateway.md#errors)."""
    body = etree.tostring(root, encoding="UTF-8", pretty_print=pretty)
    body = _TEXT.sub(
        lambda m: b">" + m.group(1).replace(b"'", b"&#039;").replace(b'"', b"&quot;") + b"<", body
    )
    return _DECLARATION + body


def control_failure(echo: ControlEcho, errors: Iterable[WireError], status: int = 200) -> Reply:
    """Control failure: errors directly under ``<response>``, no ``<operation>`` (docs/gateway.md#errors)."""
    root = etree.Element("response")
    _control(root, echo, "failure")
    errormessage(root, errors)
    return Reply(status, serialize(root, echo.pretty))


def gateway_failure(error: WireError, status: int) -> Reply:
    """Gateway errors (XMLGW_*, GW-*, invalidRequest): a control block holding only the status
    (docs/gateway.md#errors)."""
    root = etree.Element("response")
    control = sub(root, "control", None)
    sub(control, "status", "failure")
    errormessage(root, [error])
    return Reply(status, serialize(root, pretty=True))


def auth_failure(echo: ControlEcho, userid: str, companyid: str, errors: Iterable[WireError]) -> Reply:
    """Authentication failure: errors after ``<authentication>``, no ``<result>``
    (developer.intacct.com/support/faq)."""
    root = etree.Element("response")
    _control(root, echo, "success")
    operation = sub(root, "operation", None)
    auth = sub(operation, "authentication", None)
    sub(auth, "status", "failure")
    sub(auth, "userid", userid)
    sub(auth, "companyid", companyid)
    errormessage(operation, errors)
    return Reply(200, serialize(root, echo.pretty))


def operation_reply(echo: ControlEcho, auth: AuthEcho, results: Iterable[etree._Element]) -> Reply:
    """A successful authentication followed by one ``<result>`` per function."""
    root = etree.Element("response")
    _control(root, echo, "success")
    operation = sub(root, "operation", None)
    block = sub(operation, "authentication", None)
    sub(block, "status", "success")
    for tag in ("userid", "companyid", "locationid", "sessiontimestamp", "sessiontimeout"):
        sub(block, tag, getattr(auth, tag))
    operation.extend(results)
    return Reply(200, serialize(root, echo.pretty))


def result(
    status: str,
    function: str,
    controlid: str,
    data: etree._Element | None = None,
    errors: Iterable[WireError] = (),
) -> etree._Element:
    """``<result>``: status, function, controlid, then data or errormessage (docs/gateway.md#results)."""
    element = etree.Element("result")
    sub(element, "status", status)
    sub(element, "function", function)
    sub(element, "controlid", controlid)
    if data is not None:
        element.append(data)
    errors = list(errors)
    if errors:
        errormessage(element, errors)
    return element


def data(**attributes: str | int) -> etree._Element:
    """``<data>`` with attributes in the given order (``listtype count totalcount ...``)."""
    element = etree.Element("data")
    for name, value in attributes.items():
        element.set(name, str(value))
    return element


def record(tag: str, fields: Iterable[tuple[str, str]]) -> etree._Element:
    """One object element (``<department>`` or ``<DEPARTMENT>``) with UPPER-CASE field children."""
    element = etree.Element(tag)
    for name, value in fields:
        sub(element, name, value)
    return element

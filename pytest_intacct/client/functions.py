"""The read functions the client may send, as small builders of their XML (docs/gateway.md#requests).

Every builder returns a :class:`Function`; :data:`READ_FUNCTIONS` is the allowlist the client
enforces before anything leaves the machine.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

# The only function elements the client sends without a write permit.
READ_FUNCTIONS = frozenset(
    {
        "getAPISession",
        "readByQuery",
        "readMore",
        "query",
        "read",
        "readByName",
        "getUserPermissions",
        "lookup",
        "inspect",
        # The company's subscribed applications (developer.intacct.com/api/company-console/subscriptions).
        "get_applications",
    }
)

MAX_READ_BY_QUERY_PAGE = 1000  # docs/gateway.md#paging
MAX_QUERY_PAGE = 2000  # developer.intacct.com/web-services/queries/


@dataclass(frozen=True)
class Function:
    """One ``<function controlid=…>`` body: its name, the element to send, and its controlid."""

    name: str
    element: etree._Element = field(compare=False)
    controlid: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def is_read(self) -> bool:
        return self.name in READ_FUNCTIONS


def _element(name: str, children: Iterable[tuple[str, str | None]] = (), **attrs: str) -> etree._Element:
    el = etree.Element(name, attrs)
    for tag, text in children:
        child = etree.SubElement(el, tag)
        if text is not None:
            child.text = text
    return el


def escape_literal(value: str) -> str:
    """Quote a readByQuery string literal: ``'`` becomes ``\\'``.

    (developer.intacct.com/web-services/queries/)
    """
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def get_api_session(location_id: str | None = None) -> Function:
    el = _element("getAPISession")
    if location_id is not None:
        etree.SubElement(el, "locationid").text = location_id
    return Function("getAPISession", el)


def read_by_query(
    obj: str, query: str = "", fields: Sequence[str] = ("*",), pagesize: int = MAX_READ_BY_QUERY_PAGE
) -> Function:
    if not 1 <= pagesize <= MAX_READ_BY_QUERY_PAGE:
        raise ValueError(f"readByQuery pagesize must be 1..{MAX_READ_BY_QUERY_PAGE}, got {pagesize}")
    # Element order as the SDKs write it; the gateway validates order (docs/gateway.md#requests).
    children = [
        ("object", obj),
        ("query", query or None),
        ("fields", ",".join(fields)),
        ("pagesize", str(pagesize)),
        ("returnFormat", "xml"),
    ]
    return Function("readByQuery", _element("readByQuery", children))


def read_more(result_id: str) -> Function:
    return Function("readMore", _element("readMore", [("resultId", result_id)]))


def query(
    obj: str,
    select: Sequence[str],
    *,
    filter_: etree._Element | None = None,
    order_by: Sequence[tuple[str, bool]] = (),
    pagesize: int = 100,
    offset: int = 0,
) -> Function:
    """The newer ``query`` function; ``order_by`` holds ``(field, descending)`` pairs."""
    if not 1 <= pagesize <= MAX_QUERY_PAGE:
        raise ValueError(f"query pagesize must be 1..{MAX_QUERY_PAGE}, got {pagesize}")
    el = etree.Element("query")
    select_el = etree.SubElement(el, "select")
    for name in select:
        etree.SubElement(select_el, "field").text = name
    etree.SubElement(el, "object").text = obj
    if filter_ is not None:
        etree.SubElement(el, "filter").append(filter_)
    if order_by:
        orders = etree.SubElement(el, "orderby")
        for name, descending in order_by:
            order = etree.SubElement(orders, "order")
            etree.SubElement(order, "field").text = name
            etree.SubElement(order, "descending" if descending else "ascending")
    etree.SubElement(el, "pagesize").text = str(pagesize)
    etree.SubElement(el, "offset").text = str(offset)
    return Function("query", el)


def equal_to(field_name: str, value: str) -> etree._Element:
    """A ``query`` filter ``<equalto>``; values are XML text, so no quoting is needed."""
    return _element("equalto", [("field", field_name), ("value", value)])


def read(obj: str, keys: Sequence[str], fields: Sequence[str] = ("*",)) -> Function:
    children = [("object", obj), ("keys", ",".join(keys)), ("fields", ",".join(fields))]
    return Function("read", _element("read", children))


def read_by_name(obj: str, names: Sequence[str], fields: Sequence[str] = ("*",)) -> Function:
    children = [("object", obj), ("keys", ",".join(names)), ("fields", ",".join(fields))]
    return Function("readByName", _element("readByName", children))


def get_user_permissions(user_id: str) -> Function:
    return Function("getUserPermissions", _element("getUserPermissions", [("userId", user_id)]))


def lookup(obj: str) -> Function:
    return Function("lookup", _element("lookup", [("object", obj)]))


def inspect(obj: str = "*", detail: bool = False) -> Function:
    attrs = {"detail": "1"} if detail else {}
    return Function("inspect", _element("inspect", [("object", obj)], **attrs))


def get_applications() -> Function:
    """The company's subscriptions, as application codes (``<application>CO</application>``...)."""
    return Function("get_applications", _element("get_applications"))

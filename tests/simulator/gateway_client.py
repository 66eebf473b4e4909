"""A deliberately small XML-gateway client for the simulator's own tests: builds envelopes, posts, parses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import requests
from lxml import etree

from pytest_intacct.simulator import ScenarioLogin

SUPPORT_ID = re.compile(r"\s*\[Support ID: [^\]]*\]")


def function(body: str, controlid: str = "f1") -> str:
    return f'<function controlid="{controlid}">{body}</function>'


def read_by_query(obj: str, query: str = "", fields: str = "*", pagesize: int | None = None) -> str:
    size = "" if pagesize is None else f"<pagesize>{pagesize}</pagesize>"
    body = f"<object>{obj}</object><fields>{fields}</fields><query>{escape(query)}</query>{size}"
    return f"<readByQuery>{body}</readByQuery>"


def envelope(
    sender_id: str,
    sender_password: str,
    auth: str,
    functions: list[str],
    controlid: str = "c1",
    transaction: bool | None = None,
    whitespace: bool = False,
) -> bytes:
    attribute = "" if transaction is None else f' transaction="{str(transaction).lower()}"'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<request><control>'
        f"<senderid>{escape(sender_id)}</senderid><password>{escape(sender_password)}</password>"
        f"<controlid>{controlid}</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion>"
        f"<includewhitespace>{str(whitespace).lower()}</includewhitespace></control>"
        f"<operation{attribute}><authentication>{auth}</authentication>"
        f"<content>{''.join(functions)}</content></operation></request>"
    ).encode()


def login_auth(user_id: str, company_id: str, password: str, entity: str = "") -> str:
    return (
        f"<login><userid>{escape(user_id)}</userid><companyid>{escape(company_id)}</companyid>"
        f"<password>{escape(password)}</password><locationid>{escape(entity)}</locationid></login>"
    )


def login_request(login: ScenarioLogin, functions: list[str], **kwargs: object) -> bytes:
    auth = login_auth(login.user_id, login.company_id, login.user_password, login.entity_id or "")
    return envelope(login.sender_id, login.sender_password, auth, functions, **kwargs)  # type: ignore[arg-type]


def post(url: str, body: bytes) -> requests.Response:
    return requests.post(url, data=body, headers={"Content-Type": "application/xml"}, timeout=10)


def xml(response: requests.Response) -> etree._Element:
    return etree.fromstring(response.content)


@dataclass
class Client:
    """Logs in with getAPISession, then calls functions on the session endpoint it was handed."""

    url: str
    login: ScenarioLogin
    session_id: str = ""
    endpoint: str = ""
    calls: list[etree._Element] = field(default_factory=list)

    def open(self) -> Client:
        root = xml(post(self.url, login_request(self.login, [function("<getAPISession/>")])))
        api = root.find("operation/result/data/api")
        assert api is not None, etree.tostring(root)
        self.session_id = api.findtext("sessionid")
        self.endpoint = api.findtext("endpoint")
        return self

    def request(self, functions: list[str], **kwargs: object) -> bytes:
        auth = f"<sessionid>{self.session_id}</sessionid>"
        return envelope(self.login.sender_id, self.login.sender_password, auth, functions, **kwargs)  # type: ignore[arg-type]

    def call(self, *functions: str, **kwargs: object) -> etree._Element:
        response = post(self.endpoint, self.request(list(functions), **kwargs))
        assert response.status_code == 200, response.text
        return xml(response)

    def result(self, body: str) -> etree._Element:
        """Run one function and return its ``<result>``."""
        return self.call(function(body)).find("operation/result")


def strip_support_id(text: str) -> str:
    return SUPPORT_ID.sub("", text)


def assert_same_xml(
    actual: etree._Element,
    expected: etree._Element,
    volatile: frozenset[str] = frozenset(),
    volatile_attributes: frozenset[str] = frozenset(),
    where: str = "",
) -> None:
    """Element by element: same tags, order, attributes and texts, except the ``volatile`` tags' texts.

    Support IDs are random, so ``[Support ID: ...]`` suffixes are ignored on both sides.
    """
    __tracebackhide__ = True
    path = f"{where}/{expected.tag}"
    assert actual.tag == expected.tag, f"{path}: tag {actual.tag!r} != {expected.tag!r}"
    assert list(actual.attrib) == list(expected.attrib), (
        f"{path}: attributes {actual.attrib} != {expected.attrib}"
    )
    for name, value in expected.attrib.items():
        if name not in volatile_attributes:
            assert actual.get(name) == value, f"{path}/@{name}: {actual.get(name)!r} != {value!r}"
    if expected.tag not in volatile:
        got, want = (
            strip_support_id((actual.text or "").strip()),
            strip_support_id((expected.text or "").strip()),
        )
        assert got == want, f"{path}: text {got!r} != {want!r}"
    actual_children = [child for child in actual if isinstance(child.tag, str)]
    expected_children = [child for child in expected if isinstance(child.tag, str)]
    assert [c.tag for c in actual_children] == [c.tag for c in expected_children], (
        f"{path}: children {[c.tag for c in actual_children]} != {[c.tag for c in expected_children]}"
    )
    for got_child, want_child in zip(actual_children, expected_children, strict=True):
        assert_same_xml(got_child, want_child, volatile, volatile_attributes, path)

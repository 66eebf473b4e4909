"""The request envelope: control block, authentication, and many functions in one operation.

Element order follows the SDKs' ControlBlock/LoginAuthentication writers, because the gateway
validates against its DTD (docs/gateway.md#requests).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from pytest_intacct.client.functions import Function
from pytest_intacct.safety.redaction import Secret

# Comments and processing instructions are kept, so nothing in <content> goes unseen.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False, remove_pis=False
)


@dataclass(frozen=True)
class Login:
    """User sign-in for the ``<authentication><login>`` form."""

    user_id: str
    company_id: str
    password: Secret
    entity_id: str | None = None


def build_request(
    *,
    sender_id: str,
    sender_password: Secret,
    functions: Sequence[Function],
    login: Login | None = None,
    session_id: Secret | None = None,
    controlid: str | None = None,
) -> bytes:
    """Serialise one request; exactly one of ``login`` or ``session_id`` authenticates it."""
    if (login is None) == (session_id is None):
        raise ValueError("a request needs exactly one of login or session_id")
    if not functions:
        raise ValueError("a request needs at least one function")

    request = etree.Element("request")
    control = etree.SubElement(request, "control")
    for tag, text in (
        ("senderid", sender_id),
        ("password", sender_password.reveal()),
        ("controlid", controlid or str(int(time.time()))),
        ("uniqueid", "false"),
        ("dtdversion", "3.0"),
        ("includewhitespace", "false"),
    ):
        etree.SubElement(control, tag).text = text

    operation = etree.SubElement(request, "operation", transaction="false")
    authentication = etree.SubElement(operation, "authentication")
    if login is not None:
        login_el = etree.SubElement(authentication, "login")
        # companyid must precede password or the login fails (docs/gateway.md#requests).
        etree.SubElement(login_el, "userid").text = login.user_id
        etree.SubElement(login_el, "companyid").text = login.company_id
        etree.SubElement(login_el, "password").text = login.password.reveal()
        if login.entity_id:
            etree.SubElement(login_el, "locationid").text = login.entity_id
    else:
        assert session_id is not None
        etree.SubElement(authentication, "sessionid").text = session_id.reveal()

    content = etree.SubElement(operation, "content")
    for function in functions:
        wrapper = etree.SubElement(content, "function", controlid=function.controlid)
        # A copy, so one Function can be sent in several requests.
        wrapper.append(copy.deepcopy(function.element))
    return etree.tostring(request, xml_declaration=True, encoding="UTF-8")


def sent_functions(body: bytes) -> list[str]:
    """The function elements a serialized request really carries, read back from its bytes.

    Raises :class:`ValueError` for anything that is not plainly one element per ``<function>``:
    several or no elements in one ``<function>``, anything but ``<function>`` in ``<content>``,
    namespaced tags, or more than one ``<content>``. The read-only rule is judged on this list.
    """
    root = etree.fromstring(body, _PARSER)
    contents = list(root.iter("{*}content"))
    if root.tag != "request" or len(contents) != 1 or contents[0].tag != "content":
        raise ValueError("the request does not have exactly one plain <request>…<content>")
    names = []
    for wrapper in contents[0]:
        if wrapper.tag != "function":
            raise ValueError(f"<content> holds {_tag(wrapper)}, not <function>")
        elements = list(wrapper)
        if len(elements) != 1 or not isinstance(elements[0].tag, str):
            raise ValueError(f"a <function> holds {len(elements)} elements, not exactly one")
        tag = elements[0].tag
        if etree.QName(tag).namespace is not None:
            raise ValueError(f"a <function> holds the namespaced element {_tag(elements[0])}")
        names.append(tag)
    return names


def _tag(element: etree._Element) -> str:
    return f"<{element.tag}>" if isinstance(element.tag, str) else "a comment or processing instruction"

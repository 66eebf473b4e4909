"""The envelope: hostile or invalid request XML is a control failure XL03000003; replies are always typed."""

from __future__ import annotations

import time

import pytest
import requests

from pytest_intacct.simulator import Simulator

from .gateway_client import envelope, function, login_request, post, xml


def control_errors(response: requests.Response) -> list[str]:
    root = xml(response)
    assert root.findtext("control/status") == "failure"
    assert root.find("operation") is None
    return [error.findtext("description2") for error in root.iterfind("errormessage/error")]


def test_entity_bomb_is_refused_without_expansion(trelica: Simulator) -> None:
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = f'<?xml version="1.0"?><!DOCTYPE request [<!ENTITY l0 "lol">{levels}]><request>&l9;</request>'
    started = time.monotonic()
    response = post(trelica.endpoint, body.encode())
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert len(response.content) < 2000
    (message,) = control_errors(response)
    assert message.startswith("XML Parse schema error")
    assert "lol" not in message
    assert xml(response).findtext("errormessage/error/errorno") == "XL03000003"


def test_external_entities_are_never_fetched(trelica: Simulator) -> None:
    login = trelica.primary_login
    body = login_request(login, [function("<inspect><object>&xxe;</object></inspect>")]).decode()
    body = body.replace(
        "<request>", '<!DOCTYPE request [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><request>', 1
    )
    response = post(trelica.endpoint, body.encode())
    assert b"root:" not in response.content
    assert control_errors(response)


def test_control_children_out_of_order_fail_the_dtd(trelica: Simulator) -> None:
    login = trelica.primary_login
    body = login_request(login, [function("<getAPISession/>")]).decode()
    body = body.replace(
        f"<senderid>{login.sender_id}</senderid><password>{login.sender_password}</password>",
        f"<password>{login.sender_password}</password><senderid>{login.sender_id}</senderid>",
    )
    (message,) = control_errors(post(trelica.endpoint, body.encode()))
    assert "XML Parse error: Error 504: Element control content does not follow the DTD" in message
    assert "[Support ID: " in message


def test_password_before_companyid_fails_like_the_real_gateway(trelica: Simulator) -> None:
    # "<companyid/> must preceed <password/> or login will fail" (PsIntacct, reference §1.1).
    login = trelica.primary_login
    auth = (
        f"<login><userid>{login.user_id}</userid><password>{login.user_password}</password>"
        f"<companyid>{login.company_id}</companyid></login>"
    )
    body = envelope(
        login.sender_id, login.sender_password, auth, [function("<getAPISession/>")], controlid="order"
    )
    response = post(trelica.endpoint, body)
    (message,) = control_errors(response)
    assert "Element login content does not follow the DTD" in message
    assert xml(response).findtext("control/controlid") == "order"  # the control block is still echoed


def test_unknown_function_is_a_dtd_error(trelica: Simulator) -> None:
    login = trelica.primary_login
    messages = control_errors(post(trelica.endpoint, login_request(login, [function("<frobnicate/>")])))
    assert any("No declaration for element frobnicate" in message for message in messages)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "Document is empty"),
        (b"<request><control>", "Premature end of data"),
        (b"not xml at all", "Start tag expected"),
    ],
)
def test_malformed_bodies(trelica: Simulator, body: bytes, expected: str) -> None:
    (first, *_rest) = control_errors(post(trelica.endpoint, body))
    assert expected in first


def test_oversized_body_is_refused(trelica: Simulator) -> None:
    body = b"<request>" + b" " * 2_100_000 + b"</request>"
    (message,) = control_errors(post(trelica.endpoint, body))
    assert "too large" in message


def test_only_dtd_version_3_is_simulated(trelica: Simulator) -> None:
    login = trelica.primary_login
    body = login_request(login, [function("<getAPISession/>")]).replace(
        b"<dtdversion>3.0", b"<dtdversion>2.1"
    )
    (message,) = control_errors(post(trelica.endpoint, body))
    assert 'Value "2.1" for dtdversion' in message


def test_each_function_result_echoes_its_controlid(trelica: Simulator) -> None:
    login = trelica.primary_login
    body = login_request(
        login,
        [
            function("<inspect><object>*</object></inspect>", "one"),
            function("<lookup><object>DEPARTMENT</object></lookup>", "two"),
        ],
    )
    results = xml(post(trelica.endpoint, body)).findall("operation/result")
    assert [(r.findtext("function"), r.findtext("controlid")) for r in results] == [
        ("inspect", "one"),
        ("lookup", "two"),
    ]


def test_whitespace_follows_includewhitespace(trelica: Simulator) -> None:
    login = trelica.primary_login
    compact = post(trelica.endpoint, login_request(login, [function("<getAPISession/>")], whitespace=False))
    pretty = post(trelica.endpoint, login_request(login, [function("<getAPISession/>")], whitespace=True))
    assert b"\n  <control>" in pretty.content
    assert b"><control>" in compact.content
    assert compact.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/ia/xml/xmlgw.phtml", 405), ("POST", "/other", 404)]
)
def test_other_requests_still_carry_a_content_type(
    trelica: Simulator, method: str, path: str, status: int
) -> None:
    base = trelica.endpoint.removesuffix("/ia/xml/xmlgw.phtml")
    response = requests.request(method, base + path, data=b"<request/>", timeout=5)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")


def test_chunked_request_bodies_are_read(trelica: Simulator) -> None:
    body = login_request(trelica.primary_login, [function("<getAPISession/>")])
    response = requests.post(trelica.endpoint, data=iter([body[:100], body[100:]]), timeout=5)
    assert xml(response).findtext("operation/authentication/status") == "success"

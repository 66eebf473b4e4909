"""A client with canary credentials against the hostile gateway, and how to look for a secret that escaped it.

Canary secrets hold ``<"&\\`` and a non-ASCII character, so every escaping on the way is exercised.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from pytest_intacct.client import Credentials, IntacctClient, RetryPolicy, Transport
from pytest_intacct.client.rest import RestClient, RestCredentials
from pytest_intacct.safety.redaction import Secret
from tests.helpers import answers
from tests.helpers.hostile_gateway import Answer, HostileGateway

SENDER_CANARY = 'SenderCanary5e1<"&\\ë-5e1Tail'
USER_CANARY = 'UserCanary8b2<"&\\Ü-8b2Tail'
SESSION_CANARY = "HostileSession-7c3d9.."
# The REST client's secret, and the access and refresh tokens a hostile token endpoint hands out.
CLIENT_SECRET_CANARY = 'RestSecret3f9<"&\\ø-3f9Tail'
TOKEN_CANARY = "RestToken6d4.Canary-6d4Tail"
REFRESH_CANARY = "RestRefresh2a7-2a7Tail"
CANARIES = (SENDER_CANARY, USER_CANARY, SESSION_CANARY, CLIENT_SECRET_CANARY, TOKEN_CANARY, REFRESH_CANARY)
# Every spelling of a canary (escaped, encoded, a bytes repr, cut short by a repr) keeps one of these.
MARKERS = (
    "SenderCanary5e1",
    "5e1Tail",
    "UserCanary8b2",
    "8b2Tail",
    "HostileSession-7c3d9",
    "RestSecret3f9",
    "3f9Tail",
    "RestToken6d4",
    "6d4Tail",
    "RestRefresh2a7",
    "2a7Tail",
)
XML = {"Content-Type": "text/xml; charset=UTF-8"}
JSON = {"Content-Type": "application/json"}


def hostile_client(gateway: HostileGateway, **kwargs) -> IntacctClient:
    credentials = Credentials(
        sender_id="TrelicaMPP",
        sender_password=Secret(SENDER_CANARY),
        company_id="acme",
        user_id="trelica_ws",
        user_password=Secret(USER_CANARY),
        endpoint=gateway.url,
    )
    kwargs.setdefault("retry", RetryPolicy(retries=0, backoff_factor=0))
    kwargs.setdefault("timeout", 5.0)
    return IntacctClient(credentials, **kwargs)


def rest_client(gateway: HostileGateway, **kwargs: Any) -> RestClient:
    """A REST client with the canary client secret against the hostile gateway's REST API."""
    credentials = RestCredentials(
        client_id="checker.app.sage.com",
        client_secret=Secret(CLIENT_SECRET_CANARY),
        username="trelica_ws@acme",
        endpoint=gateway.rest_url,
    )
    kwargs.setdefault("retry", RetryPolicy(retries=0, backoff_factor=0))
    kwargs.setdefault("timeout", 5.0)
    return RestClient(credentials, **kwargs)


def token(access: str = TOKEN_CANARY, **fields: Any) -> Answer:
    """A token endpoint's grant (client credentials; a refresh token too, as fylein's client expects)."""
    grant = {
        "token_type": "Bearer",
        "access_token": access,
        "expires_in": 3600,
        "refresh_token": REFRESH_CANARY,
    }
    return Answer(body=json.dumps(grant | fields), headers=JSON)


def rest(result: Any, status: int = 200, **meta: Any) -> Answer:
    """A REST answer in Sage's envelope: ``ia::result`` and ``ia::meta``."""
    return Answer(status, json.dumps({"ia::result": result, "ia::meta": meta}), JSON)


def controlids(body: bytes) -> list[str]:
    return [f.get("controlid") for f in etree.fromstring(body).iter("function")]


def session(endpoint: str):
    return lambda body: Answer(body=answers.session(SESSION_CANARY, endpoint, controlids(body)[0]))


def reply(build):
    """An answer built from the request's controlids: ``build(ids) -> str``."""
    return lambda body: Answer(body=build(controlids(body)))


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for marker in MARKERS:
            assert marker not in text, f"a secret leaked: {text[max(0, text.find(marker) - 80) :][:200]!r}"


def chain_texts(error: BaseException) -> list[str]:
    """Message, args, the cause/context chain, and every frame local still reachable from it."""
    texts = []
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 10:
        seen += 1
        texts += [str(current), repr(current), repr(current.args)]
        traceback = current.__traceback__
        while traceback is not None:
            frame = traceback.tb_frame
            texts += [f"{name}={value!r}" for name, value in frame.f_locals.items()]
            traceback = traceback.tb_next
        current = current.__cause__ or current.__context__
    return texts


def recording_client(rsps_url: str, policy: RetryPolicy, waits: list[float]) -> IntacctClient:
    credentials = Credentials("s", Secret(SENDER_CANARY), "c", "u", Secret(USER_CANARY), endpoint=rsps_url)
    transport = Transport(timeout=5, retry=policy, sleep=waits.append)
    return IntacctClient(credentials, transport=transport)


URL = "https://api.intacct.com/ia/xml/xmlgw.phtml"


def users(recordno: str, attributes: str) -> str:
    return (
        f'<data listtype="USERINFO" {attributes}><USERINFO><RECORDNO>{recordno}</RECORDNO></USERINFO></data>'
    )

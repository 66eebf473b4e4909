"""docs/security.md section 5: throttling is survived: HTTP 429 is retried with backoff, and reported as
`throttled` only once the retries are spent.
"""

from __future__ import annotations

import pytest
import responses

from pytest_intacct.client import ErrorKind, GatewayUnavailable, RetryPolicy, Transport
from tests.helpers import answers
from tests.helpers.hostile_client import (
    JSON,
    SESSION_CANARY,
    URL,
    XML,
    controlids,
    recording_client,
    rest_client,
    token,
)
from tests.helpers.hostile_gateway import Answer, hostile_gateway


@responses.activate
def test_throttling_is_survived_with_backoff():
    """Two 429 answers are waited out with backoff and the sign-in succeeds."""
    responses.add(responses.POST, URL, body=answers.THROTTLED_429, status=429, content_type="text/xml")
    responses.add(responses.POST, URL, body="Too many", status=429, content_type="text/plain")

    def ok(request):
        return 200, XML, answers.session(SESSION_CANARY, URL, controlids(request.body)[0])

    responses.add_callback(responses.POST, URL, callback=ok)
    waits: list[float] = []
    client = recording_client(URL, RetryPolicy(retries=4, backoff_factor=0.5), waits)
    assert client.sign_in().endpoint == URL
    assert waits == [0.5, 1.0]


@responses.activate
def test_throttling_beyond_the_retries_is_a_throttled_error():
    """A 429 that outlasts the retries is a throttled error saying what was tried."""
    responses.add(responses.POST, URL, body="Too many", status=429, content_type="text/plain")
    waits: list[float] = []
    with pytest.raises(GatewayUnavailable) as info:
        recording_client(URL, RetryPolicy(retries=2, backoff_factor=0.5), waits).sign_in()
    assert info.value.kind is ErrorKind.THROTTLED
    assert info.value.attempts == 3
    assert info.value.waited == 1.5
    assert "after 3 attempt(s), 1.5s waited" in str(info.value)


def test_the_rest_api_throttling_is_survived_and_reported_as_throttled_once_the_retries_are_spent():
    """The REST client shares the transport: 429 is waited out with backoff, and beyond the retries it is a
    throttled error (never a refused token, never evidence)."""
    throttled = Answer(429, '{"ia::result":{"ia::error":{"code":"tooManyRequests"}}}', JSON)
    waits: list[float] = []
    with hostile_gateway() as gateway:
        gateway.script(throttled, token(), throttled, throttled, throttled)
        transport = Transport(timeout=5, retry=RetryPolicy(retries=2, backoff_factor=0.5), sleep=waits.append)
        client = rest_client(gateway, transport=transport)
        with pytest.raises(GatewayUnavailable) as info:
            client.record("company-config/company-preference", "setup")
    assert client.tokens_granted == 1  # the token came through after one wait
    assert info.value.kind is ErrorKind.THROTTLED
    assert "tooManyRequests" in str(info.value)
    assert waits == [0.5, 0.5, 1.0]

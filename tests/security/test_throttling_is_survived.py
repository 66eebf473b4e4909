"""docs/security.md section 5: throttling is survived: HTTP 429 is retried with backoff, and reported as
`throttled` only once the retries are spent.
"""

from __future__ import annotations

import pytest
import responses

from pytest_intacct.client import ErrorKind, GatewayUnavailable, RetryPolicy
from tests.helpers import answers
from tests.helpers.hostile_client import SESSION_CANARY, URL, XML, controlids, recording_client


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

"""HTTP to the gateway: bounded attempts, bounded retries, no redirects, a size cap, redacted logs.

Every wait is bounded (docs/security.md, "Every wait is bounded"):

* one attempt, from connect to the last byte of the answer, lasts at most ``timeout`` seconds: a
  watchdog shuts the socket down at that deadline, because urllib3's read timeout only bounds the
  gap between two reads (a 1-byte-per-second drip would never trip it);
* one call, with all its retries and the waits between them, lasts at most ``RetryPolicy.budget``;
* ``Retry-After`` is honoured up to ``RetryPolicy.retry_after_max``.

urllib3's ``Retry`` has no call budget and no cap on ``Retry-After``, so the loop is our own.
What is retried: connection failures, resets, timeouts and 5xx answers -- never 524 (the CDN cut the
connection while Intacct may still be processing, developer.intacct.com/web-services/error-handling/
and intacct-sdk-php ``src/Intacct/RequestConfig.php``) -- and HTTP 429 (``GW-0010``, the company's
concurrent-request limit: back off and retry). Other 4xx answers are final, and so are failures no
retry can mend: a certificate that fails verification, a host name that does not exist. A request
carrying a write function is re-sent only after a connection failure, never once it may have reached
the gateway. Redirects are never followed: a 3xx would carry the passwords to a host the user did not name.

Before each wait the transport tells its ``on_retry`` observer (:class:`Retrying`) what failed, which
attempt of how many, and when the next starts, so a caller can show that a wait is not a hang. Failures
are told in words (:mod:`~pytest_intacct.client.failures`), never with a library's class names.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import math
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from pytest_intacct import __version__
from pytest_intacct.client.endpoints import LOCALHOST
from pytest_intacct.client.errors import ClientUsageError, ErrorKind, GatewayUnavailable
from pytest_intacct.client.failures import in_words, reached
from pytest_intacct.safety.limits import MAX_ANSWER_BYTES, MAX_ANSWERS_IN_HAND, MAX_RETRIES
from pytest_intacct.safety.redaction import redacting_logger

T = TypeVar("T")
log = redacting_logger("pytest_intacct.client")

NO_RETRY_STATUSES = frozenset({524})


def validate_timeout(timeout: float) -> float:
    """``timeout`` if it is a finite number of seconds above 0, else :class:`ClientUsageError`
    (a :class:`ValueError`)."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ClientUsageError(f"timeout must be a number of seconds, got {timeout!r}")
    if not math.isfinite(timeout) or timeout <= 0:
        raise ClientUsageError(f"timeout must be a finite number of seconds greater than 0, got {timeout!r}")
    return float(timeout)


def _non_negative(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ClientUsageError(f"{name} must be a finite number of seconds, 0 or more, got {value!r}")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one call.

    ``retries`` re-sends after the first attempt (0..10), with exponential backoff
    (``backoff_factor * 2**(n-1)`` seconds, at most ``backoff_max``); ``Retry-After`` is honoured up to
    ``retry_after_max`` seconds; ``budget`` bounds the whole call, attempts and waits included.
    """

    retries: int = 4
    backoff_factor: float = 1.0
    backoff_max: float = 30.0
    retry_after_max: float = 60.0
    budget: float = 300.0

    def __post_init__(self) -> None:
        if isinstance(self.retries, bool) or not isinstance(self.retries, int):
            raise ClientUsageError(
                f"retries must be a whole number from 0 to {MAX_RETRIES}, got {self.retries!r}"
            )
        if not 0 <= self.retries <= MAX_RETRIES:
            raise ClientUsageError(f"retries must be from 0 to {MAX_RETRIES}, got {self.retries}")
        _non_negative("backoff_factor", self.backoff_factor)
        _non_negative("backoff_max", self.backoff_max)
        _non_negative("retry_after_max", self.retry_after_max)
        validate_timeout(self.budget)

    def backoff(self, attempt: int, *, throttled: bool = False) -> float:
        """The wait after failed attempt number ``attempt`` (1-based), when the gateway names none.

        As urllib3's ``Retry.get_backoff_time``: none before the first retry, then
        ``backoff_factor * 2**(attempt-1)``; a throttled answer waits from the first retry on.
        """
        if attempt <= 1 and not throttled:
            return 0.0
        return min(self.backoff_max, self.backoff_factor * 2 ** (attempt - 1))


@dataclass(frozen=True)
class Retrying:
    """What the transport tells its ``on_retry`` observer before it waits to try a call again."""

    host: str
    failure: str  # what went wrong, in words
    attempt: int  # the attempt that failed, from 1
    attempts: int  # how many attempts the policy allows
    wait: float  # seconds until the next attempt
    at: dt.datetime  # when the next attempt starts, local time

    def __str__(self) -> str:
        when = "now" if self.wait < 0.5 else f"in {self.wait:.3g}s (at {self.at:%H:%M:%S})"
        return f"{self.failure}; attempt {self.attempt} of {self.attempts} failed, trying again {when}"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content_type: str
    body: bytes
    attempts: int
    waited: float = 0.0


# -- the per-attempt deadline -----------------------------------------------------------------


class _Deadline:
    """Shuts down the sockets of one attempt when its time is up, wherever the read is blocked."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._ends = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    @property
    def left(self) -> float:
        """Seconds until the attempt's time is up."""
        return self._ends - time.monotonic()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


_CURRENT_DEADLINE: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar(
    "pytest_intacct_deadline", default=None
)


def _watched(sock: socket.socket | None) -> None:
    deadline = _CURRENT_DEADLINE.get()
    if deadline is not None:
        deadline.watch(sock)


def _dial(connection: HTTPConnection, dial: Callable[[], Any]) -> Any:
    """Open the connection's socket; ``localhost`` is dialled as 127.0.0.1 without asking a resolver.

    urllib3 resolves ``_dns_host`` when it opens the socket and nowhere else: only that moment sees the
    address, so the Host header and a certificate check still name ``localhost``.
    """
    named = connection._dns_host
    if named.lower() != LOCALHOST:
        return dial()
    connection._dns_host = "127.0.0.1"
    try:
        return dial()
    finally:
        connection._dns_host = named


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _dial(self, super()._new_conn)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watched(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _dial(self, super()._new_conn)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watched(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter on connections whose sockets the current attempt's deadline can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPConnectionPool,
            "https": _WatchedHTTPSConnectionPool,
        }


# -- one attempt ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    """An attempt that got a complete HTTP answer (``retry_after`` in seconds, 0 when not given)."""

    status: int
    content_type: str
    body: bytes
    retry_after: float


@dataclass(frozen=True)
class _Failure:
    """An attempt that got no usable HTTP answer."""

    kind: ErrorKind
    message: str
    reached: bool  # the request may have reached the gateway
    permanent: bool = False  # no retry can mend it


_Attempt = _Answer | _Failure


@dataclass(frozen=True)
class _Request:
    """What every attempt of one call sends."""

    method: str
    url: str
    body: bytes
    headers: dict[str, str | None]


class Transport:
    """Sends requests to the gateway (XML POSTs, and the REST client's GETs and POSTs) and returns the raw
    answer, or raises :class:`GatewayUnavailable`."""

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),
        max_bytes: int = MAX_ANSWER_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[Retrying], None] | None = None,
    ) -> None:
        self.timeout = validate_timeout(timeout)
        self.retry = retry
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._on_retry = on_retry
        self._session = requests.Session()
        adapter = _WatchedAdapter(max_retries=Retry(total=0, redirect=0, raise_on_redirect=False))
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.headers.update(
            {
                "Content-Type": "application/xml",
                "Accept-Encoding": "gzip, deflate",
                "User-Agent": f"pytest-intacct/{__version__}",
            }
        )
        # Never pick up credentials or proxies from ~/.netrc and friends implicitly.
        self._session.trust_env = False

    def close(self) -> None:
        self._session.close()

    def post(self, url: str, body: bytes, *, writes: bool = False) -> HttpAnswer:
        """One call: attempts and waits within the policy's bounds; the last answer, or an error."""
        return self.send("POST", url, body, writes=writes)

    def send(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        *,
        headers: Mapping[str, str | None] | None = None,
        writes: bool = False,
        secret_answer: bool = False,
    ) -> HttpAnswer:
        """One call of ``method`` (the REST client's GETs and POSTs go through here too, with their own
        ``headers``; a header given as None drops the session's). ``secret_answer``: the answer carries a
        secret not yet known to redaction (an access token), so its body is never logged."""
        return self.exchange(
            url,
            body,
            lambda answer: answer,
            method=method,
            headers=headers,
            writes=writes,
            secret_answer=secret_answer,
        )

    def exchange(
        self,
        url: str,
        body: bytes,
        interpret: Callable[[HttpAnswer], T],
        *,
        method: str = "POST",
        headers: Mapping[str, str | None] | None = None,
        writes: bool = False,
        secret_answer: bool = False,
    ) -> T:
        """One call, its last answer ``interpret``-ed: read and interpreted while the answer is one of the
        at most :data:`MAX_ANSWERS_IN_HAND` this process holds at once, however many calls are in flight."""
        host = urlsplit(url).netloc or url
        log.debug("%s request to %s:\n%s", method, host, body.decode("utf-8", "replace"))
        started = time.monotonic()
        call_deadline = started + self.retry.budget
        attempts, waited = 0, 0.0
        request = _Request(method, url, body, dict(headers or {}))
        while True:
            attempts += 1
            attempt_seconds = min(self.timeout, max(call_deadline - time.monotonic(), 0.001))
            outcome = self._attempt(request, host, attempt_seconds)
            wait = self._wait_before_retry(outcome, attempts, writes=writes)
            if wait is not None and time.monotonic() + wait + 0.001 >= call_deadline:
                wait = None  # the call's budget is spent
            if wait is None:
                spent = time.monotonic() - started
                try:
                    return interpret(
                        self._settle(outcome, host, attempts, waited, spent, secret_answer=secret_answer)
                    )
                finally:
                    _let_go(outcome)
            _let_go(outcome)
            log.debug("retrying %s in %.3gs (attempt %s failed)", host, wait, attempts)
            self._tell(outcome, host, attempts, wait)
            self._sleep(wait)
            waited += wait

    def _wait_before_retry(self, outcome: _Attempt, attempts: int, *, writes: bool) -> float | None:
        """Seconds to wait before the next attempt, or None when this outcome is final."""
        if attempts > self.retry.retries:
            return None
        if isinstance(outcome, _Failure):
            if outcome.permanent or (writes and outcome.reached):
                return None
            return self.retry.backoff(attempts)
        if writes:
            return None
        throttled = outcome.status == 429
        if throttled or (500 <= outcome.status < 600 and outcome.status not in NO_RETRY_STATUSES):
            retry_after = min(outcome.retry_after, self.retry.retry_after_max)
            return retry_after or self.retry.backoff(attempts, throttled=throttled)
        return None

    def _tell(self, outcome: _Attempt, host: str, attempt: int, wait: float) -> None:
        """Tell the observer, if any, that attempt ``attempt`` failed and the next one is ``wait`` away."""
        if self._on_retry is None:
            return
        if isinstance(outcome, _Failure):
            failure = outcome.message
        else:
            throttled = " (throttled: too many requests at once)" if outcome.status == 429 else ""
            failure = f"HTTP {outcome.status} from {host}{throttled}"
        at = dt.datetime.now().astimezone() + dt.timedelta(seconds=wait)
        self._on_retry(Retrying(host, failure, attempt, self.retry.retries + 1, wait, at))

    def _settle(
        self,
        outcome: _Attempt,
        host: str,
        attempts: int,
        waited: float,
        spent: float,
        *,
        secret_answer: bool = False,
    ) -> HttpAnswer:
        tries = f"after {attempts} attempt(s) and {waited:.3g}s of waiting ({spent:.3g}s in all)"
        if isinstance(outcome, _Failure):
            error = GatewayUnavailable(outcome.kind, f"{outcome.message}; gave up {tries}")
            error.attempts, error.waited = attempts, waited
            raise error
        answer = HttpAnswer(outcome.status, outcome.content_type, outcome.body, attempts, waited)
        shown = (
            f"({len(answer.body)} bytes, not logged: the answer carries a token)"
            if secret_answer
            else answer.body[:20000].decode("utf-8", "replace")
        )
        log.debug("answer from %s: HTTP %s %s\n%s", host, answer.status, tries, shown)
        return answer

    def _attempt(self, request: _Request, host: str, seconds: float) -> _Attempt:
        deadline = _Deadline(seconds)
        token = _CURRENT_DEADLINE.set(deadline)
        try:
            with deadline:
                answer = self._exchange(request, deadline)
        except _TooLarge as exc:
            return _Failure(ErrorKind.UNREADABLE, str(exc), reached=True)
        except requests.exceptions.ConnectTimeout as exc:
            reason, _ = in_words(exc)
            return _Failure(ErrorKind.UNREACHABLE, f"could not connect to {host}: {reason}", reached=False)
        except requests.exceptions.ChunkedEncodingError as exc:
            reason, _ = in_words(exc)
            cut_off = _Failure(ErrorKind.UNREADABLE, f"the answer from {host} was cut off: {reason}", True)
            return self._timed_out(host, deadline) or cut_off
        except requests.Timeout:
            return _Failure(ErrorKind.UNREACHABLE, self._no_answer(host, deadline), reached=True)
        except requests.ConnectionError as exc:
            reason, permanent = in_words(exc)
            message = f"could not reach {host}: {reason}"
            unreachable = _Failure(ErrorKind.UNREACHABLE, message, reached(exc), permanent)
            return self._timed_out(host, deadline) or unreachable
        except requests.RequestException as exc:
            reason, _ = in_words(exc)
            return _Failure(ErrorKind.UNREACHABLE, f"could not reach {host}: {reason}", reached=True)
        finally:
            _CURRENT_DEADLINE.reset(token)
        timed_out = self._timed_out(host, deadline)
        if timed_out is not None:
            _let_go(answer)
            return timed_out
        return answer

    def _timed_out(self, host: str, deadline: _Deadline) -> _Failure | None:
        if not deadline.expired:
            return None
        return _Failure(ErrorKind.UNREACHABLE, self._no_answer(host, deadline), reached=True)

    def _no_answer(self, host: str, deadline: _Deadline) -> str:
        """Which bound ended an attempt: the per-request timeout, or what was left of the call's budget."""
        if deadline.seconds < self.timeout:
            return (
                f"no complete answer from {host} within {deadline.seconds:.3g}s, when the call's budget "
                f"of {self.retry.budget:.3g}s ran out (each attempt may take {self.timeout:.3g}s, the "
                "per-request timeout)"
            )
        return f"no complete answer from {host} within {self.timeout:.3g}s (the per-request timeout)"

    def _exchange(self, request: _Request, deadline: _Deadline) -> _Answer:
        with self._session.request(
            request.method,
            request.url,
            data=request.body or None,
            headers=request.headers,
            timeout=deadline.seconds,
            stream=True,
            allow_redirects=False,
        ) as response:
            if 300 <= response.status_code < 400:
                raise _redirect(response)
            # The headers are in; the body is read only as one of the answers in hand.
            if not _IN_HAND.acquire(timeout=max(deadline.left, 0.001)):
                raise requests.Timeout("no room for another answer in hand before the deadline")
            try:
                payload = self._read_capped(response, deadline)
            except BaseException:
                _IN_HAND.release()
                raise
            return _Answer(
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
                body=payload,
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )

    def _read_capped(self, response: requests.Response, deadline: _Deadline) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge(f"answer larger than {self.max_bytes} bytes; refused")
            chunks.append(chunk)
            if deadline.expired:
                break
        return b"".join(chunks)


class _TooLarge(Exception):
    pass


# Answers read and being interpreted at once in this process, whatever the concurrency (each may cost
# MAX_ANSWER_BYTES as bytes and about 20 MB parsed): a fleet of hostile gateways cannot multiply that.
_IN_HAND = threading.BoundedSemaphore(MAX_ANSWERS_IN_HAND)


def _let_go(outcome: _Attempt) -> None:
    """An attempt's answer is no longer in hand (a failure never held one)."""
    if isinstance(outcome, _Answer):
        _IN_HAND.release()


def _retry_after(value: str | None) -> float:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); 0 when absent or unreadable."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
    if when.tzinfo is None:
        return 0.0
    return max(0.0, when.timestamp() - time.time())


def _redirect(response: requests.Response) -> GatewayUnavailable:
    target = urlsplit(response.headers.get("Location", ""))
    where = target.hostname or "an unnamed location"
    if target.port:
        where = f"{where}:{target.port}"
    return GatewayUnavailable(
        ErrorKind.UNREACHABLE,
        f"HTTP {response.status_code}: the gateway redirected to {where}; redirects are never followed, "
        "so the credentials only go to the endpoint you configured (check the endpoint URL)",
        http_status=response.status_code,
    )

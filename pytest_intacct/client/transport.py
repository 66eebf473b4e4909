"""HTTP to the gateway: timeouts, bounded retries of transport failures, a size cap, redacted logs.

Retries use urllib3's ``Retry``: connection errors, resets and read timeouts, and 5xx answers --
never 524 (the CDN cut the connection while Intacct may still be processing) and never a 4xx,
as the official SDKs do (intacct-xml-api.md §4.2). A request that carries a write function is
never re-sent after it may have reached the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pytest_intacct import __version__
from pytest_intacct.client.errors import ErrorKind, GatewayUnavailable
from pytest_intacct.redaction import redact, redacting_logger

log = redacting_logger("pytest_intacct.client")

RETRY_STATUSES = frozenset(range(500, 600)) - {524}
MAX_RESPONSE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: ``retries`` re-sends after the first attempt, exponential backoff in seconds."""

    retries: int = 4
    backoff_factor: float = 1.0
    backoff_max: float = 30.0

    def urllib3_retry(self, *, resend_after_read: bool) -> Retry:
        return Retry(
            total=self.retries,
            connect=self.retries,
            read=self.retries if resend_after_read else 0,
            status=self.retries if resend_after_read else 0,
            other=0,
            redirect=0,
            allowed_methods=frozenset({"POST"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            raise_on_status=False,
            respect_retry_after_header=True,
        )


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content_type: str
    body: bytes
    attempts: int


class Transport:
    """POSTs XML to the gateway and returns the raw answer, or raises :class:`GatewayUnavailable`."""

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._reads = self._session(retry.urllib3_retry(resend_after_read=True))
        self._writes = self._session(retry.urllib3_retry(resend_after_read=False))

    @staticmethod
    def _session(retry: Retry) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.update(
            {
                "Content-Type": "application/xml",
                "Accept-Encoding": "gzip, deflate",
                "User-Agent": f"pytest-intacct/{__version__}",
            }
        )
        # Never pick up credentials or proxies from ~/.netrc and friends implicitly.
        session.trust_env = False
        return session

    def close(self) -> None:
        self._reads.close()
        self._writes.close()

    def post(self, url: str, body: bytes, *, writes: bool = False) -> HttpAnswer:
        session = self._writes if writes else self._reads
        host = urlsplit(url).netloc or url
        log.debug("request to %s:\n%s", host, body.decode("utf-8", "replace"))
        try:
            with session.post(url, data=body, timeout=self.timeout, stream=True) as response:
                payload = self._read_capped(response)
                attempts = 1 + len(getattr(response.raw.retries, "history", ()) or ())
                answer = HttpAnswer(
                    status=response.status_code,
                    content_type=response.headers.get("Content-Type", ""),
                    body=payload,
                    attempts=attempts,
                )
        except requests.exceptions.ChunkedEncodingError as exc:
            # The status line came, the body did not: a reset or a short read mid-answer.
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE, f"the answer from {host} was cut off: {_cause(exc)}"
            ) from None
        except requests.Timeout as exc:
            raise GatewayUnavailable(
                ErrorKind.UNREACHABLE, f"timed out after {self.timeout:g}s talking to {host}: {_cause(exc)}"
            ) from None
        except requests.RequestException as exc:
            raise GatewayUnavailable(
                ErrorKind.UNREACHABLE, f"could not reach {host}: {_cause(exc)}"
            ) from None
        log.debug(
            "answer from %s: HTTP %s after %s attempt(s)\n%s",
            host,
            answer.status,
            answer.attempts,
            answer.body[:20000].decode("utf-8", "replace"),
        )
        return answer

    def _read_capped(self, response: requests.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise GatewayUnavailable(
                    ErrorKind.UNREADABLE,
                    f"answer larger than {self.max_bytes} bytes; refused",
                    http_status=response.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _cause(exc: BaseException) -> str:
    """The innermost reason, without the noise of urllib3's wrapper chain."""
    inner = exc
    while True:
        reason = getattr(inner, "reason", None)
        first = inner.args[0] if inner.args else None
        if isinstance(reason, BaseException):
            inner = reason
        elif isinstance(first, BaseException):
            inner = first
        else:
            break
    return redact(f"{type(inner).__name__}: {inner}")[:300]

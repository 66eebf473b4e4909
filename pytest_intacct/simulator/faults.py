"""Transport faults on demand: 5xx HTML pages, resets, truncated bodies, throttling, latency, session expiry.

Deterministic by construction: one-shot faults are queued ("the next 2 requests get 503"), the rate limit
counts admitted requests in a sliding second, the concurrency limit counts requests in flight.
See docs/gateway.md#errors for what clients must survive.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .model import FaultSettings

HTML_CONTENT_TYPE = "text/html; charset=UTF-8"
_REASONS = {
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway time-out",
    520: "Web server is returning an unknown error",
    522: "Connection timed out",
    524: "A timeout occurred",
}


@dataclass(frozen=True)
class Fault:
    """One injected fault: ``http`` (an HTML error page; on the REST face a 4xx is the API's JSON error),
    ``reset``, ``truncate``, ``throttle`` (429) or ``drip`` (the answer one byte every ``interval``)."""

    kind: str
    status: int = 503
    interval: float = 0.05


def html_page(status: int) -> bytes:
    """A Cloudflare-style error page; clients find ``cf-error-details`` in real ones."""
    reason = _REASONS.get(status, "Error")
    return (
        '<!DOCTYPE html>\n<html lang="en-US"><head><title>api.intacct.com | '
        f'{status}: {reason}</title></head>\n<body><div id="cf-wrapper"><div id="cf-error-details">'
        f'<h1><span class="cf-error-type">Error</span> <span class="cf-error-code">{status}</span></h1>'
        f'<h2 class="cf-subheadline">{reason}</h2><p>Cloudflare Ray ID: 0000000000000000 '
        "&bull; Performance &amp; security by Cloudflare</p></div></div></body></html>\n"
    ).encode()


class Faults:
    """Fault injection for one running simulator; seeded from the scenario's ``[faults]`` table.

    Attributes ``latency`` (seconds), ``rate_limit`` (requests per second per company) and
    ``concurrency_limit`` (requests in flight per company) can be set at any time; 0 turns them off.
    """

    def __init__(self, settings: FaultSettings, expire_sessions: Callable[[], int]) -> None:
        self.latency, self.rate_limit, self.concurrency_limit = 0.0, 0, 0
        self._settings = settings
        self._expire = expire_sessions
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()
        self._every, self._every_status, self._seen = 0, 503, 0
        self._inflight: dict[str, int] = {}
        self._admitted: dict[str, deque[float]] = {}
        self.reset()

    # --- the runtime API -------------------------------------------------------------------------

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        """The next ``count`` requests get an HTML error page with ``status`` (500, 502, 503, 524...)."""
        self._enqueue(Fault("http", status), count)

    def reset_next(self, count: int = 1) -> None:
        """The next ``count`` requests have their connection reset after the request is read."""
        self._enqueue(Fault("reset", 0), count)

    def truncate_next(self, count: int = 1) -> None:
        """The next ``count`` responses are cut off halfway through the body."""
        self._enqueue(Fault("truncate", 200), count)

    def throttle_next(self, count: int = 1) -> None:
        """The next ``count`` requests get HTTP 429 ``GW-0010`` "API rate limit exceeded"."""
        self._enqueue(Fault("throttle", 429), count)

    def drip_next(self, count: int = 1, interval: float = 0.05) -> None:
        """The next ``count`` answers are sent one byte every ``interval`` seconds, headers included."""
        self._enqueue(Fault("drip", 200, interval), count)

    def fail_every(self, every: int, status: int = 503) -> None:
        """Every ``every``-th request gets an HTML error page (0 turns it off)."""
        with self._lock:
            self._every, self._every_status, self._seen = every, status, 0

    def expire_sessions(self) -> int:
        """Every live session becomes invalid now; returns how many there were."""
        return self._expire()

    def clear(self) -> None:
        """Turn every fault off, including the scenario's."""
        with self._lock:
            self._queue.clear()
            self._every, self._seen = 0, 0
        self.latency, self.rate_limit, self.concurrency_limit = 0.0, 0, 0

    def reset(self) -> None:
        """Back to the scenario's ``[faults]`` table."""
        self.clear()
        settings = self._settings
        self.latency, self.rate_limit, self.concurrency_limit = (
            settings.latency,
            settings.rate_limit,
            settings.concurrency_limit,
        )
        for queued in settings.queued:
            self._enqueue(
                Fault(queued.kind, 429 if queued.kind == "throttle" else queued.status), queued.count
            )
        self.fail_every(settings.fail_every, settings.fail_status)

    # --- used by the server ----------------------------------------------------------------------

    def _enqueue(self, fault: Fault, count: int) -> None:
        with self._lock:
            self._queue.extend([fault] * count)

    def take(self) -> Fault | None:
        """The one-shot fault this request suffers, if any (queued first, then periodic)."""
        with self._lock:
            self._seen += 1
            if self._queue:
                return self._queue.popleft()
            if self._every and self._seen % self._every == 0:
                return Fault("http", self._every_status)
        return None

    @contextmanager
    def admission(self, company_id: str) -> Iterator[str]:
        """Hold a slot for one request; yields ``""`` or the refusal (``rate_limit``/``concurrency``).

        Latency is spent inside the slot, so a slow request keeps counting against the concurrency limit.
        """
        refusal = ""
        now = time.monotonic()
        with self._lock:
            recent = self._admitted.setdefault(company_id, deque())
            while recent and now - recent[0] >= 1.0:
                recent.popleft()
            inflight = self._inflight.get(company_id, 0)
            if self.rate_limit and len(recent) >= self.rate_limit:
                refusal = "rate_limit"
            elif self.concurrency_limit and inflight >= self.concurrency_limit:
                refusal = "concurrency"
            else:
                recent.append(now)
                self._inflight[company_id] = inflight + 1
        try:
            if not refusal and self.latency:
                time.sleep(self.latency)
            yield refusal
        finally:
            if not refusal:
                with self._lock:
                    self._inflight[company_id] -= 1

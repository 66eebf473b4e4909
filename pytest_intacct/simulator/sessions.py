"""Server-side state that outlives one request: API sessions (sliding timeout) and readByQuery result sets.

See docs/gateway.md#sessions, docs/gateway.md#paging.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
import threading
from dataclasses import dataclass, field


class Clock:
    """The simulator's UTC clock; tests move it forward instead of sleeping."""

    def __init__(self) -> None:
        self._offset = dt.timedelta()
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return dt.datetime.now(dt.UTC).replace(microsecond=0) + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward (sessions time out without waiting)."""
        with self._lock:
            self._offset += dt.timedelta(seconds=seconds)


def timestamp(moment: dt.datetime) -> str:
    """ISO 8601 with offset, e.g. ``2023-04-25T00:50:25+00:00`` (docs/gateway.md#results)."""
    return moment.isoformat(timespec="seconds")


@dataclass
class Session:
    """One API session; its id is never shown in reprs or the journal."""

    session_id: str = field(repr=False)
    company_id: str
    user_id: str
    sender_id: str
    entity_id: str
    endpoint_path: str
    timeout: dt.datetime


class SessionStore:
    """Sessions with a sliding timeout: every call resets it to now + duration (developer.intacct.com
    api-sessions page)."""

    def __init__(self, clock: Clock, duration: int) -> None:
        self.clock = clock
        self.duration = dt.timedelta(seconds=duration)
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(
        self, company_id: str, user_id: str, sender_id: str, entity_id: str, endpoint_path: str
    ) -> Session:
        # Opaque ids ending in ".." like the real ones (docs/gateway.md#sessions).
        session = Session(
            session_id=secrets.token_urlsafe(22) + "..",
            company_id=company_id,
            user_id=user_id,
            sender_id=sender_id,
            entity_id=entity_id,
            endpoint_path=endpoint_path,
            timeout=self.clock.now() + self.duration,
        )
        with self._lock:
            self._sessions[session.session_id] = session
        return session

    def touch(self, session_id: str) -> Session | None:
        """The live session for ``session_id`` with its timeout slid forward, or ``None``."""
        now = self.clock.now()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now >= session.timeout:
                del self._sessions[session_id]
                return None
            session.timeout = now + self.duration
            return session

    def peek(self, session_id: str) -> Session | None:
        """The session without sliding its timeout (for routing decisions)."""
        with self._lock:
            return self._sessions.get(session_id)

    def expire_all(self) -> int:
        """Invalidate every session; returns how many there were."""
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
            return count


@dataclass
class ResultSet:
    """The unread rest of a readByQuery answer, continued by readMore."""

    result_id: str
    owner: tuple[str, str]  # (company id, user id)
    object_name: str
    fields: tuple[str, ...]
    rows: list[dict[str, str]]
    total: int
    pagesize: int


class ResultStore:
    """Open readByQuery result sets, keyed by resultId."""

    _ALPHABET = string.ascii_letters + string.digits + "-@"

    def __init__(self) -> None:
        self._sets: dict[str, ResultSet] = {}
        self._lock = threading.Lock()

    def open(
        self,
        owner: tuple[str, str],
        object_name: str,
        fields: tuple[str, ...],
        rows: list[dict[str, str]],
        total: int,
        pagesize: int,
    ) -> ResultSet:
        # Shaped like 7765623336W-ne68CoA4gAAEEhD7EAAAAP4 (docs/gateway.md#paging).
        digits = "".join(secrets.choice(string.digits) for _ in range(10))
        result_id = digits + "".join(secrets.choice(self._ALPHABET) for _ in range(24)) + "4"
        result_set = ResultSet(result_id, owner, object_name, fields, rows, total, pagesize)
        with self._lock:
            self._sets[result_id] = result_set
        return result_set

    def find(self, result_id: str, owner: tuple[str, str]) -> ResultSet | None:
        with self._lock:
            result_set = self._sets.get(result_id)
        return result_set if result_set is not None and result_set.owner == owner else None

    def latest(self, owner: tuple[str, str], object_name: str) -> ResultSet | None:
        """``<readMore><object>X</object>`` continues the newest open result set of that object."""
        with self._lock:
            matches = [s for s in self._sets.values() if s.owner == owner and s.object_name == object_name]
        return matches[-1] if matches else None

    def next_page(self, result_set: ResultSet) -> tuple[list[dict[str, str]], int]:
        """Take the next page and how many rows remain; an exhausted result set is closed."""
        with self._lock:
            page = result_set.rows[: result_set.pagesize]
            result_set.rows = result_set.rows[result_set.pagesize :]
            if not result_set.rows:
                self._sets.pop(result_set.result_id, None)
            return page, len(result_set.rows)

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()

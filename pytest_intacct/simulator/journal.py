"""The journal: one entry per request, readable from tests and optionally appended to a JSON-lines file.

Entries hold identities and outcomes, never passwords or session ids.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from ..safety.files import open_append

# Outcomes, from the deepest failure level (docs/gateway.md#errors) to transport faults.
SUCCESS = "success"
CONTROL_FAILURE = "control_failure"
AUTH_FAILURE = "auth_failure"
FUNCTION_FAILURE = "function_failure"
FAULT = "fault"


@dataclass(frozen=True)
class JournalEntry:
    """What one request asked and how the simulator answered it."""

    time: dt.datetime
    path: str
    http_status: int  # 0 when the connection was reset
    outcome: str  # success | control_failure | auth_failure | function_failure | fault
    company_id: str = ""
    user_id: str = ""
    sender_id: str = ""
    auth: str = ""  # "login", "session" or "" when the request never got that far
    functions: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    write: bool = False
    errors: tuple[str, ...] = ()  # errorno values, outermost level first
    fault: str = ""  # http, reset, truncate, throttle, rate_limit, concurrency

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["time"] = self.time.isoformat()
        data["functions"], data["objects"], data["errors"] = (
            list(self.functions),
            list(self.objects),
            list(self.errors),
        )
        return data


class Journal:
    """Thread-safe list of :class:`JournalEntry`, mirrored to ``path`` as JSON lines when given."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._entries: list[JournalEntry] = []
        self._lock = threading.Lock()

    @property
    def entries(self) -> list[JournalEntry]:
        """A copy of the entries so far, oldest first."""
        with self._lock:
            return list(self._entries)

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            if self.path is not None:
                with open_append(self.path) as stream:  # never through a symbolic link
                    stream.write(json.dumps(entry.to_dict(), sort_keys=True) + "\n")

    def add(self, path: str, http_status: int, fields: dict[str, object]) -> JournalEntry:
        """Record a request from the fields known about it (unknown names are ignored)."""
        known = {name: fields[name] for name in JournalEntry.__dataclass_fields__ if name in fields}
        known.update(time=dt.datetime.now(dt.UTC), path=path, http_status=http_status)
        entry = JournalEntry(**known)  # type: ignore[arg-type]
        self.record(entry)
        return entry

    def clear(self) -> None:
        """Forget the entries kept in memory (the JSON-lines file is left as it is)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

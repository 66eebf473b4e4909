"""What one read gave: a plain-data value, or the problem that stopped it, and which login read it.

Checks tell "not met" from "could not check" by these: a reading's problem carries the client's
classification of what went wrong (docs/gateway.md#errors), never the client itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_intacct.client import ErrorKind, Level
from pytest_intacct.evidence.reads import Json
from pytest_intacct.safety.text import outside_text

# The kinds a reading's problem carries: the client's classification of what went wrong
# (docs/gateway.md#errors). Checks read problems through this name; they never talk to the client.
ProblemKind = ErrorKind
INTERNAL = "internal"  # the level of a problem raised by this program rather than told by the gateway


@dataclass(frozen=True)
class Problem:
    """Why a reading has no value: the gateway's classified answer, or no usable answer at all.

    ``kind`` is an ``ErrorKind`` value and ``level`` a ``Level`` value (or ``internal``), as plain strings.
    """

    kind: str
    level: str
    message: str

    @classmethod
    def from_exception(cls, error: BaseException) -> Problem:
        """A client error keeps its classification; anything else names its type. Always redacted."""
        kind = getattr(error, "kind", None)
        level = getattr(error, "level", None)
        if isinstance(kind, ErrorKind) and isinstance(level, Level):
            return cls(kind.value, level.value, outside_text(str(error)))
        return cls(ErrorKind.OTHER.value, INTERNAL, outside_text(f"{type(error).__name__}: {error}"))

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "level": self.level, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        return cls(*(typed(data, key, str) for key in ("kind", "level", "message")))


@dataclass(frozen=True)
class Reading:
    """A plain-data value read from the gateway, or the problem that prevented reading it, and which
    login read it (``read_by``: a login id; None where a pack recorded before version 2 does not say)."""

    value: Json = None
    problem: Problem | None = None
    read_by: str | None = None

    def __post_init__(self) -> None:
        require_plain(self.value, "value")

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Json]:
        problem = self.problem.to_dict() if self.problem else None
        return {"value": self.value, "problem": problem, "read_by": self.read_by}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reading:
        problem = data["problem"]
        read_by = data.get("read_by")
        if read_by is not None and not isinstance(read_by, str):
            raise TypeError("read_by must be a string or null")
        problem_ = Problem.from_dict(mapping(problem)) if problem is not None else None
        return cls(data["value"], problem_, read_by)


def typed(data: Mapping[str, Any], key: str, kind: type) -> Any:
    """``data[key]``, which must be a ``kind`` (an int that is not a bool); TypeError otherwise."""
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{key} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def mapping(value: object) -> Mapping[str, Any]:
    """``value``, which must be a JSON object; TypeError otherwise."""
    if not isinstance(value, dict):
        raise TypeError(f"a reading must be an object, not {type(value).__name__}")
    return value


def require_plain(value: object, where: str) -> None:
    """Refuse anything JSON cannot carry as is (sets, tuples, enums, objects)."""
    if value is None or type(value) in (bool, int, float, str):
        return
    if type(value) is list:
        for index, item in enumerate(value):
            require_plain(item, f"{where}[{index}]")
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(f"reading {where}: key {key!r} is not a string")
            require_plain(item, f"{where}.{key}")
        return
    raise TypeError(f"reading {where}: {type(value).__name__} is not plain JSON data")

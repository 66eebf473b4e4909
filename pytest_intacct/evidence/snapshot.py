"""One environment's evidence, collected once: the sign-in, then every read the profile's kinds declared.

Two round trips cover a whole profile: ``getAPISession`` alone (as the gateway requires, see
docs/gateway.md#sessions), then one request holding every read, deduplicated by key. Each reading keeps
either its plain-data value or the problem that stopped it, so checks tell "not met" from "could not
check". A snapshot is plain data: ``to_dict()`` / ``from_dict()`` carry it between processes and files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pytest_intacct.client import ErrorKind, IntacctClient, Level
from pytest_intacct.client import functions as fn
from pytest_intacct.client.errors import classify
from pytest_intacct.client.response import Response, Result
from pytest_intacct.evidence.reads import Json, Read
from pytest_intacct.identity import Identity
from pytest_intacct.safety.redaction import redact

SNAPSHOT_FORMAT = 1
# The kinds a reading's problem carries: the client's classification of what went wrong
# (docs/gateway.md#errors). Checks read problems through this name; they never talk to the client.
ProblemKind = ErrorKind
# readMore pages followed per read before the answer counts as "could not check" (docs/gateway.md#paging).
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
            return cls(kind.value, level.value, redact(str(error)))
        return cls(ErrorKind.OTHER.value, INTERNAL, redact(f"{type(error).__name__}: {error}"))

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "level": self.level, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        return cls(*(_typed(data, key, str) for key in ("kind", "level", "message")))


@dataclass(frozen=True)
class Reading:
    """A plain-data value read from the gateway, or the problem that prevented reading it."""

    value: Json = None
    problem: Problem | None = None

    def __post_init__(self) -> None:
        _require_plain(self.value, "value")

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Json]:
        return {"value": self.value, "problem": self.problem.to_dict() if self.problem else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reading:
        problem = data["problem"]
        return cls(data["value"], Problem.from_dict(_mapping(problem)) if problem is not None else None)


@dataclass(frozen=True)
class Snapshot:
    """Everything the requirements of one environment are judged on; readings by read key."""

    identity: Identity
    sign_in: Reading
    readings: Mapping[str, Reading] = field(default_factory=dict)
    developer_user_id: str | None = None
    round_trips: int = 0

    @property
    def environment(self) -> str:
        return self.identity.name

    @property
    def production(self) -> bool:
        return bool(self.identity.production)

    @property
    def sender_id(self) -> str:
        return self.identity.sender_id

    @property
    def company_id(self) -> str:
        return self.identity.company_id

    @property
    def user_id(self) -> str:
        return self.identity.user_id

    @property
    def endpoint(self) -> str:
        return self.identity.endpoint

    def to_dict(self) -> dict[str, Json]:
        """The snapshot as JSON-ready data, versioned by ``format`` (the group is the run's, not kept)."""
        return {
            "format": SNAPSHOT_FORMAT,
            "environment": self.environment,
            "production": self.production,
            "sender_id": self.sender_id,
            "company_id": self.company_id,
            "user_id": self.user_id,
            "endpoint": self.endpoint,
            "developer_user_id": self.developer_user_id,
            "sign_in": self.sign_in.to_dict(),
            "readings": {key: reading.to_dict() for key, reading in self.readings.items()},
            "round_trips": self.round_trips,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        """Load what ``to_dict`` wrote; ValueError for another format or a malformed document."""
        if data.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"snapshot format {data.get('format')!r} is not {SNAPSHOT_FORMAT}")
        try:
            texts = {key: _typed(data, key, str) for key in _TEXT_FIELDS}
            developer = data["developer_user_id"]
            if developer is not None and not isinstance(developer, str):
                raise TypeError("developer_user_id must be a string or null")
            readings = _typed(data, "readings", dict)
            identity = Identity(
                name=texts["environment"],
                company_id=texts["company_id"],
                user_id=texts["user_id"],
                sender_id=texts["sender_id"],
                endpoint=texts["endpoint"],
                production=_typed(data, "production", bool),
            )
            return cls(
                identity=identity,
                developer_user_id=developer,
                sign_in=Reading.from_dict(_typed(data, "sign_in", dict)),
                readings={_key(k): Reading.from_dict(_mapping(v)) for k, v in readings.items()},
                round_trips=_typed(data, "round_trips", int),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed snapshot: {type(exc).__name__}: {exc}") from None

    def reading(self, key: str) -> Reading:
        """The reading of ``key``; a problem reading if it was not read."""
        found = self.readings.get(key)
        if found is None:
            return Reading(problem=Problem(ErrorKind.OTHER.value, INTERNAL, f"{key} was not read"))
        return found


def collect(
    client: IntacctClient,
    identity: Identity,
    reads: Iterable[Read],
    developer_user_id: str | None = None,
) -> Snapshot:
    """Sign in, then every read in one batched request; never raises for what the gateway does."""
    unique = list({read.key: read for read in reads}.values())

    def snapshot(sign_in: Reading, readings: Mapping[str, Reading]) -> Snapshot:
        return Snapshot(
            identity=identity,
            sign_in=sign_in,
            readings=readings,
            developer_user_id=developer_user_id,
            round_trips=client.round_trips,
        )

    try:
        session = client.sign_in()
    except Exception as error:
        return snapshot(Reading(problem=Problem.from_exception(error)), {})
    sign_in = Reading(
        {"endpoint": session.endpoint, "user_id": session.user_id, "company_id": session.company_id}
    )
    readings: dict[str, Reading] = {}
    functions: dict[str, fn.Function] = {}
    for read in unique:
        built = _build(read)
        if isinstance(built, Problem):
            readings[read.key] = Reading(problem=built)
        else:
            functions[read.key] = built
    if not functions:
        return snapshot(sign_in, readings)
    try:
        response = client.execute(list(functions.values()))
    except Exception as error:
        failed = Reading(problem=Problem.from_exception(error))
        return snapshot(sign_in, readings | dict.fromkeys(functions, failed))
    for read in unique:
        if read.key in functions:
            readings[read.key] = _reading(client, read, functions[read.key], response)
    return snapshot(sign_in, {read.key: readings[read.key] for read in unique})


def _build(read: Read) -> fn.Function | Problem:
    """The read's function, or why it cannot go in the batch (it raised, or it is not a read)."""
    try:
        function = read.build()
    except Exception as error:
        return Problem.from_exception(error)
    if not function.is_read:
        # Refused here so that one bad declaration cannot cost the whole batch (the client refuses it too).
        return Problem(
            ErrorKind.OTHER.value,
            INTERNAL,
            f"{read.key}: refused to send {function.name!r}, not a read function",
        )
    return function


def _reading(client: IntacctClient, read: Read, function: fn.Function, response: Response) -> Reading:
    """One read's value from its result, every page of it; any exception is its problem alone."""
    try:
        result = _matching_result(response, function)
        if not result.ok:
            return Reading(problem=_function_problem(result))
        pages = _pages(client, read, function, result)
        if isinstance(pages, Problem):
            return Reading(problem=pages)
        return Reading(read.parse(pages))
    except Exception as error:
        return Reading(problem=Problem.from_exception(error))


def _matching_result(response: Response, function: fn.Function) -> Result:
    """The result with the function's controlid *and* name (docs/gateway.md#results)."""
    return response.result(function.controlid, function.name)


def _pages(
    client: IntacctClient, read: Read, function: fn.Function, first: Result
) -> list[etree._Element] | Problem:
    """The ``<data>`` of the first page, or of every page for a paged read (the client bounds the paging)."""
    if first.data is None:
        return _no_data(first) if read.needs_data else []
    if not read.paged:
        _ = first.page  # reading the paging attributes checks they match the records carried
        return [first.data]
    return [page.data for page in client.read_pages(function, first) if page.data is not None]


def _no_data(result: Result) -> Problem:
    return _unreadable(f"{result.function or 'a function'} succeeded without the <data> it must return")


def _unreadable(message: str) -> Problem:
    return Problem(ErrorKind.UNREADABLE.value, Level.FUNCTION.value, redact(message))


def _function_problem(result: Result) -> Problem:
    detail = " - ".join(e.text for e in result.errors) or "no error detail"
    return Problem(
        kind=classify(Level.FUNCTION, result.errors).value,
        level=Level.FUNCTION.value,
        message=redact(f"{result.function} failed: {detail}"),
    )


_TEXT_FIELDS = ("environment", "sender_id", "company_id", "user_id", "endpoint")


def _typed(data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{key} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"reading key {key!r} is not a string")
    return key


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"a reading must be an object, not {type(value).__name__}")
    return value


def _require_plain(value: object, where: str) -> None:
    """Refuse anything JSON cannot carry as is (sets, tuples, enums, objects)."""
    if value is None or type(value) in (bool, int, float, str):
        return
    if type(value) is list:
        for index, item in enumerate(value):
            _require_plain(item, f"{where}[{index}]")
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(f"reading {where}: key {key!r} is not a string")
            _require_plain(item, f"{where}.{key}")
        return
    raise TypeError(f"reading {where}: {type(value).__name__} is not plain JSON data")

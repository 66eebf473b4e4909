"""One environment's evidence, collected once: the sign-in, then every read the profile's kinds declared.

Two round trips cover a whole profile: ``getAPISession`` alone (as the gateway requires, see
docs/gateway.md#sessions), then one request holding every read, deduplicated by key. Each reading keeps
either its plain-data value or the problem that stopped it, so checks tell "not met" from "could not
check". A snapshot is plain data: ``to_dict()`` / ``from_dict()`` carry it between processes and files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pytest_intacct.client import ErrorKind, IntacctClient, Level
from pytest_intacct.client import functions as fn
from pytest_intacct.client.errors import classify
from pytest_intacct.client.response import Response, Result
from pytest_intacct.evidence.reads import Json, Read
from pytest_intacct.identity import Identity
from pytest_intacct.safety.redaction import redact, redact_values
from pytest_intacct.safety.text import outside_text

SNAPSHOT_FORMAT = 2  # 2: readings say which login read them; the auditor's sign-in
READABLE_SNAPSHOT_FORMATS = (1, 2)
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
            return cls(kind.value, level.value, outside_text(str(error)))
        return cls(ErrorKind.OTHER.value, INTERNAL, outside_text(f"{type(error).__name__}: {error}"))

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "level": self.level, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        return cls(*(_typed(data, key, str) for key in ("kind", "level", "message")))


@dataclass(frozen=True)
class Reading:
    """A plain-data value read from the gateway, or the problem that prevented reading it, and which
    login read it (``read_by``: a login id; None where a pack recorded before version 2 does not say)."""

    value: Json = None
    problem: Problem | None = None
    read_by: str | None = None

    def __post_init__(self) -> None:
        _require_plain(self.value, "value")

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
        problem_ = Problem.from_dict(_mapping(problem)) if problem is not None else None
        return cls(data["value"], problem_, read_by)


@dataclass(frozen=True)
class Snapshot:
    """Everything the requirements of one environment are judged on; readings by read key.

    ``auditor_user_id`` and ``auditor_sign_in`` are set when an auditor login read the facts about users
    (docs/diagnosis.md); the integration's own ``sign_in`` still proves it can sign in.
    """

    identity: Identity
    sign_in: Reading
    readings: Mapping[str, Reading] = field(default_factory=dict)
    developer_user_id: str | None = None
    round_trips: int = 0
    auditor_user_id: str | None = None
    auditor_sign_in: Reading | None = None

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
            "auditor_user_id": self.auditor_user_id,
            "sign_in": self.sign_in.to_dict(),
            "auditor_sign_in": self.auditor_sign_in.to_dict() if self.auditor_sign_in else None,
            "readings": {key: reading.to_dict() for key, reading in self.readings.items()},
            "round_trips": self.round_trips,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        """Load what ``to_dict`` wrote (this format or the one before); ValueError for another format or
        a malformed document."""
        if data.get("format") not in READABLE_SNAPSHOT_FORMATS:
            raise ValueError(f"snapshot format {data.get('format')!r} is not {SNAPSHOT_FORMAT}")
        try:
            texts = {key: _typed(data, key, str) for key in _TEXT_FIELDS}
            developer, auditor = (
                _optional_text(data, key) for key in ("developer_user_id", "auditor_user_id")
            )
            readings = _typed(data, "readings", dict)
            identity = Identity(
                name=texts["environment"],
                company_id=texts["company_id"],
                user_id=texts["user_id"],
                sender_id=texts["sender_id"],
                endpoint=texts["endpoint"],
                production=_typed(data, "production", bool),
            )
            auditor_sign_in = data.get("auditor_sign_in")
            return cls(
                identity=identity,
                developer_user_id=developer,
                sign_in=Reading.from_dict(_typed(data, "sign_in", dict)),
                readings={_key(k): Reading.from_dict(_mapping(v)) for k, v in readings.items()},
                round_trips=_typed(data, "round_trips", int),
                auditor_user_id=auditor,
                auditor_sign_in=None
                if auditor_sign_in is None
                else Reading.from_dict(_mapping(auditor_sign_in)),
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
    *,
    auditor: IntacctClient | None = None,
) -> Snapshot:
    """Sign in, then every read in one batched request per login; never raises for what the gateway does.

    With an ``auditor``, it signs in too and sends the reads whose ``reader`` is the auditor; the
    integration's own login sends the rest (its sign-in and effective reads stay its own evidence).
    """
    unique = list({read.key: read for read in reads}.values())
    sign_in = _sign_in(client)
    auditor_sign_in = _sign_in(auditor) if auditor is not None else None
    readings: dict[str, Reading] = {}
    for reader, session, signed in (("user", client, sign_in), ("auditor", auditor, auditor_sign_in)):
        mine = [read for read in unique if read.reader == reader]
        if session is None or signed is None or not signed.ok or not mine:
            continue  # nothing was asked of a login that could not sign in
        readings |= _batch(session, mine)
    return Snapshot(
        identity=identity,
        sign_in=sign_in,
        readings={read.key: readings[read.key] for read in unique if read.key in readings},
        developer_user_id=developer_user_id,
        round_trips=client.round_trips + (auditor.round_trips if auditor is not None else 0),
        auditor_user_id=auditor.credentials.user_id if auditor is not None else None,
        auditor_sign_in=auditor_sign_in,
    )


def _sign_in(client: IntacctClient) -> Reading:
    """The sign-in as a reading: where the session goes, or why there is none."""
    login = client.credentials.user_id
    try:
        session = client.sign_in()
    except Exception as error:
        return Reading(problem=Problem.from_exception(error), read_by=login)
    facts = {
        "endpoint": session.endpoint,
        "user_id": session.user_id,
        "company_id": session.company_id,
        "entity": session.location_id,  # "" at the top level
    }
    return Reading(redact_values(facts), read_by=login)


def _batch(client: IntacctClient, reads: Sequence[Read]) -> dict[str, Reading]:
    """Every read in one request on the client's session; each reading carries its own problem."""
    login = client.credentials.user_id
    readings: dict[str, Reading] = {}
    functions: dict[str, fn.Function] = {}
    for read in reads:
        built = _build(read)
        if isinstance(built, Problem):
            readings[read.key] = Reading(problem=built, read_by=login)
        else:
            functions[read.key] = built
    if not functions:
        return readings
    try:
        response = client.execute(list(functions.values()))
    except Exception as error:
        failed = Reading(problem=Problem.from_exception(error), read_by=login)
        return readings | dict.fromkeys(functions, failed)
    for read in reads:
        if read.key in functions:
            readings[read.key] = dataclasses.replace(
                _reading(client, read, functions[read.key], response), read_by=login
            )
    return readings


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
        # Redacted at the source: a secret the gateway echoes in a record never reaches a check, another
        # process (pytest-xdist's workers never learn the session id) or a file.
        return Reading(redact_values(read.parse(pages)))
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


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key} must be a string or null")
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

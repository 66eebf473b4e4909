"""One environment's evidence, collected once: the sign-in, then every read the profile's kinds declared.

Reads are grouped by source. Two round trips cover the XML gateway's: ``getAPISession`` alone (as the
gateway requires, see docs/gateway.md#sessions), then one request holding every read, deduplicated by
key. The REST API's follow one token (docs/rest.md), one request each; a refused token costs the REST
readings only. Each reading keeps either its plain-data value or the problem that stopped it, so checks
tell "not met" from "could not check". A snapshot is plain data: ``to_dict()`` / ``from_dict()`` carry it
between processes and files.
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
from pytest_intacct.client.rest import RestClient
from pytest_intacct.evidence.readings import INTERNAL, Problem, ProblemKind, Reading, mapping, typed
from pytest_intacct.evidence.reads import Json, Read
from pytest_intacct.evidence.rest_reads import RestRead, collect_rest, unreached
from pytest_intacct.identity import Identity
from pytest_intacct.safety.redaction import redact, redact_values

__all__ = [
    "INTERNAL",
    "READABLE_SNAPSHOT_FORMATS",
    "SNAPSHOT_FORMAT",
    "AnyRead",
    "Json",
    "Problem",
    "ProblemKind",
    "Reading",
    "Snapshot",
    "collect",
]

AnyRead = Read | RestRead

SNAPSHOT_FORMAT = 3  # 3: the REST API's token and readings; 2: readings say which login read them
READABLE_SNAPSHOT_FORMATS = (1, 2, 3)


@dataclass(frozen=True)
class Snapshot:
    """Everything the requirements of one environment are judged on; readings by read key.

    ``auditor_user_id`` and ``auditor_sign_in`` are set when an auditor login read the facts about users
    (docs/diagnosis.md); the integration's own ``sign_in`` still proves it can sign in. ``rest_username``
    and ``rest_sign_in`` (its token) are set when REST readings were asked for (docs/rest.md); None in
    snapshots recorded before format 3 and in environments without REST access.
    """

    identity: Identity
    sign_in: Reading
    readings: Mapping[str, Reading] = field(default_factory=dict)
    developer_user_id: str | None = None
    round_trips: int = 0
    auditor_user_id: str | None = None
    auditor_sign_in: Reading | None = None
    rest_username: str | None = None
    rest_sign_in: Reading | None = None

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
            "rest_username": self.rest_username,
            "rest_sign_in": self.rest_sign_in.to_dict() if self.rest_sign_in else None,
            "readings": {key: reading.to_dict() for key, reading in self.readings.items()},
            "round_trips": self.round_trips,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        """Load what ``to_dict`` wrote (this format or an earlier one: without REST, formats 1 and 2);
        ValueError for another format or a malformed document."""
        if data.get("format") not in READABLE_SNAPSHOT_FORMATS:
            raise ValueError(f"snapshot format {data.get('format')!r} is not {SNAPSHOT_FORMAT}")
        try:
            texts = {key: typed(data, key, str) for key in _TEXT_FIELDS}
            developer, auditor, rest_username = (
                _optional_text(data, key) for key in ("developer_user_id", "auditor_user_id", "rest_username")
            )
            readings = typed(data, "readings", dict)
            identity = Identity(
                name=texts["environment"],
                company_id=texts["company_id"],
                user_id=texts["user_id"],
                sender_id=texts["sender_id"],
                endpoint=texts["endpoint"],
                production=typed(data, "production", bool),
            )
            auditor_sign_in, rest_sign_in = data.get("auditor_sign_in"), data.get("rest_sign_in")
            return cls(
                identity=identity,
                developer_user_id=developer,
                sign_in=Reading.from_dict(typed(data, "sign_in", dict)),
                readings={_key(k): Reading.from_dict(mapping(v)) for k, v in readings.items()},
                round_trips=typed(data, "round_trips", int),
                auditor_user_id=auditor,
                auditor_sign_in=None
                if auditor_sign_in is None
                else Reading.from_dict(mapping(auditor_sign_in)),
                rest_username=rest_username,
                rest_sign_in=None if rest_sign_in is None else Reading.from_dict(mapping(rest_sign_in)),
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
    reads: Iterable[AnyRead],
    developer_user_id: str | None = None,
    *,
    auditor: IntacctClient | None = None,
    rest: RestClient | None = None,
) -> Snapshot:
    """Sign in, then every XML read in one batched request per login, then (with ``rest`` and REST reads
    to make) one token and every REST read; never raises for what the gateway or the API does.

    With an ``auditor``, it signs in too and sends the XML reads whose ``reader`` is the auditor; the
    integration's own login sends the rest (its sign-in and effective reads stay its own evidence).
    """
    unique = list({read.key: read for read in reads}.values())
    xml = [read for read in unique if isinstance(read, Read)]
    sign_in = _sign_in(client)
    auditor_sign_in = _sign_in(auditor) if auditor is not None else None
    readings: dict[str, Reading] = {}
    for reader, session, signed in (("user", client, sign_in), ("auditor", auditor, auditor_sign_in)):
        mine = [read for read in xml if read.reader == reader]
        if session is None or signed is None or not signed.ok or not mine:
            continue  # nothing was asked of a login that could not sign in
        readings |= _batch(session, mine)
    rest_reads = [read for read in unique if isinstance(read, RestRead)]
    rest_sign_in = None
    if rest is not None and rest_reads:
        rest_sign_in, rest_readings = _rest(rest, rest_reads, sign_in)
        readings |= rest_readings
    return Snapshot(
        identity=identity,
        sign_in=sign_in,
        readings={read.key: readings[read.key] for read in unique if read.key in readings},
        developer_user_id=developer_user_id,
        round_trips=client.round_trips
        + (auditor.round_trips if auditor is not None else 0)
        + (rest.round_trips if rest is not None else 0),
        auditor_user_id=auditor.credentials.user_id if auditor is not None else None,
        auditor_sign_in=auditor_sign_in,
        rest_username=rest.credentials.username if rest is not None and rest_reads else None,
        rest_sign_in=rest_sign_in,
    )


def _rest(rest: RestClient, reads: list[RestRead], sign_in: Reading) -> tuple[Reading, dict[str, Reading]]:
    """The REST token and readings; not tried when the gateway's host did not answer the XML sign-in (the
    REST API is on the same host, and each attempt would wait out the same timeout again)."""
    problem = sign_in.problem
    if problem is not None and problem.kind == ProblemKind.UNREACHABLE:
        failed = Reading(problem=unreached(problem), read_by=rest.credentials.username)
        return failed, dict.fromkeys((read.key for read in reads), failed)
    return collect_rest(rest, reads)


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


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key} must be a string or null")
    return value


def _key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"reading key {key!r} is not a string")
    return key

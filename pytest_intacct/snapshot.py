"""One environment's evidence, collected once: sign-in, the user, roles, permissions, object reads.

Two round trips cover a whole profile: ``getAPISession`` alone (as the gateway requires), then one
request holding every read the requirements need. Each reading keeps either its value or the
classified problem that stopped it, so checks can tell "not met" from "could not check".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_intacct.client import (
    ErrorKind,
    GatewayRejected,
    GatewayUnavailable,
    IntacctClient,
    IntacctError,
    Level,
)
from pytest_intacct.client import functions as fn
from pytest_intacct.client.errors import classify
from pytest_intacct.client.records import to_permissions, to_records
from pytest_intacct.client.response import Result
from pytest_intacct.redaction import redact


@dataclass(frozen=True)
class Problem:
    """Why a reading has no value: the gateway's classified answer, or no answer at all."""

    kind: ErrorKind
    level: Level
    message: str

    @classmethod
    def from_error(cls, error: IntacctError) -> Problem:
        return cls(
            kind=getattr(error, "kind", ErrorKind.OTHER),
            level=getattr(error, "level", Level.TRANSPORT),
            message=redact(str(error)),
        )


@dataclass(frozen=True)
class Reading:
    """A value read from the gateway, or the problem that prevented reading it."""

    value: Any = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Snapshot:
    """Everything the requirements of one environment are judged on."""

    environment: str
    production: bool
    sender_id: str
    company_id: str
    user_id: str
    endpoint: str
    sign_in: Reading
    user: Reading = field(default_factory=Reading)
    roles: Reading = field(default_factory=Reading)
    permissions: Reading = field(default_factory=Reading)
    objects: Mapping[str, Reading] = field(default_factory=dict)
    developer_user_id: str | None = None
    developer_user: Reading = field(default_factory=Reading)
    developer_permissions: Reading = field(default_factory=Reading)
    round_trips: int = 0


@dataclass(frozen=True)
class SnapshotPlan:
    """What to read: the objects whose reads prove permissions, and the developer account."""

    objects: tuple[str, ...] = ()
    developer_user_id: str | None = None


def collect(client: IntacctClient, environment: str, plan: SnapshotPlan) -> Snapshot:
    """Sign in, then read everything in ``plan`` in one batched request."""
    c = client.credentials
    base = {
        "environment": environment,
        "production": client.production,
        "sender_id": c.sender_id,
        "company_id": c.company_id,
        "user_id": c.user_id,
        "endpoint": c.endpoint,
        "developer_user_id": plan.developer_user_id,
    }
    try:
        session = client.sign_in()
    except IntacctError as error:
        return Snapshot(
            sign_in=Reading(problem=Problem.from_error(error)), round_trips=client.round_trips, **base
        )
    sign_in = Reading(
        {"endpoint": session.endpoint, "user_id": session.user_id, "company_id": session.company_id}
    )

    user = fn.read_by_name("USERINFO", [c.user_id])
    roles = fn.read_by_query(
        "ROLEUSERS", f"USERLOGINID = {fn.escape_literal(c.user_id)}", ("USERLOGINID", "ROLENAME")
    )
    permissions = fn.get_user_permissions(c.user_id)
    probes = {obj: fn.read_by_query(obj, "", ("RECORDNO",), pagesize=1) for obj in _unique(plan.objects)}
    batch = [user, roles, permissions, *probes.values()]
    developer = developer_permissions = None
    if plan.developer_user_id:
        developer = fn.read_by_name("USERINFO", [plan.developer_user_id])
        developer_permissions = fn.get_user_permissions(plan.developer_user_id)
        batch += [developer, developer_permissions]

    try:
        response = client.execute(batch)
    except (GatewayRejected, GatewayUnavailable) as error:
        problem = Problem.from_error(error)
        failed = Reading(problem=problem)
        return Snapshot(
            sign_in=sign_in,
            user=failed,
            roles=failed,
            permissions=failed,
            objects={obj: failed for obj in probes},
            developer_user=failed,
            developer_permissions=failed,
            round_trips=client.round_trips,
            **base,
        )

    def reading(function: fn.Function, parse) -> Reading:
        result = response.result(function.controlid)
        if not result.ok:
            return Reading(problem=_function_problem(result))
        return Reading(parse(result))

    return Snapshot(
        sign_in=sign_in,
        user=reading(user, _first_record),
        roles=reading(roles, _role_names),
        permissions=reading(permissions, lambda r: to_permissions(r.data)),
        objects={obj: reading(probe, lambda r: r.page.count) for obj, probe in probes.items()},
        developer_user=reading(developer, _first_record) if developer else Reading(),
        developer_permissions=(
            reading(developer_permissions, lambda r: to_permissions(r.data))
            if developer_permissions
            else Reading()
        ),
        round_trips=client.round_trips,
        **base,
    )


def _function_problem(result: Result) -> Problem:
    detail = " - ".join(e.text for e in result.errors) or "no error detail"
    return Problem(
        kind=classify(Level.FUNCTION, result.errors),
        level=Level.FUNCTION,
        message=redact(f"{result.function} failed: {detail}"),
    )


def _first_record(result: Result) -> dict[str, Any] | None:
    records = to_records(result.data)
    return records[0] if records else None


def _role_names(result: Result) -> tuple[str, ...]:
    return tuple(sorted({str(r.get("ROLENAME", "")) for r in to_records(result.data) if r.get("ROLENAME")}))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))

"""Entity access in a multi-entity company: where the Web Services user may work.

USERINFO.USERLOCATIONS lists the entities a user is restricted to, empty for none (developer.intacct.com
users page). No XML field says whether a user has top-level access: a sign-in at the top level proves it,
as a user without it is assumed to be refused there (docs/checks.md#entity-access); a sign-in at an entity
proves access to that entity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.checks.user import USER, record_of, unreadable_user
from pytest_intacct.profiles import Param
from pytest_intacct.results.finding import Finding

ACCESS = ("top-level", "unrestricted", "entity")


def user_locations(record: Mapping[str, Any]) -> list[str]:
    """USERINFO.USERLOCATIONS as entity ids: ``<USERLOCATIONS><LOCATIONID>E1</LOCATIONID>…`` (empty: none)."""
    listed = record.get("USERLOCATIONS")
    ids = listed.get("LOCATIONID", []) if isinstance(listed, dict) else []
    return [str(i) for i in ([ids] if isinstance(ids, str) else ids) if str(i).strip()]


def signed_in_at(ctx: EnvironmentContext) -> str | None:
    """The entity the session was opened at ("" at the top level); None when the evidence does not say."""
    facts = ctx.snapshot.sign_in.value
    entity = facts.get("entity") if isinstance(facts, dict) else None
    return entity if isinstance(entity, str) else None


@check("entity-access", params={"access": Param("choice", choices=ACCESS)}, reads=[USER])
def entity_access(ctx: EnvironmentContext) -> Finding:
    """``top-level``: the user works at the top level; ``unrestricted``: no entity restriction
    (USERLOCATIONS empty); ``entity``: the user reaches the environment's entity (INTACCT_<ENV>_ENTITY)."""
    access = ctx.params["access"]
    where = signed_in_at(ctx)
    entity_key = ctx.snapshot.identity.variable("ENTITY")
    expected = {
        "top-level": "the Web Services user has top-level access",
        "unrestricted": "the Web Services user is restricted to no entity",
        "entity": "the Web Services user can work in this environment's entity",
    }[access]
    evidence: dict[str, Any] = {"signed_in_at": "top level" if where == "" else where}
    if where is None:
        return Finding.error(expected, "not checked: the recorded sign-in does not say where it signed in")
    if access == "top-level":
        if where == "":
            return Finding.passed(
                expected,
                "the user signed in at the top level, which a user without top-level access cannot "
                "(no XML field says so directly)",
                evidence,
            )
        return Finding.manual(
            expected,
            f"this environment signs in at entity {where!r}; leave {entity_key} empty to prove top-level "
            "access by signing in there (no XML field exposes it)",
            evidence,
        )
    if access == "entity" and where:
        return Finding.passed(expected, f"the user signed in at entity {where!r}", evidence)
    reading = ctx.reading("user")
    refused = unreadable_user(reading, ctx.snapshot.user_id, expected)
    if refused is not None:
        return refused
    record = record_of(reading)
    if record is None:
        return Finding.error(expected, f"not checked: USERINFO has no record for {ctx.snapshot.user_id!r}")
    locations = user_locations(record)
    evidence["USERINFO.USERLOCATIONS"] = locations
    if not locations:
        return Finding.passed(expected, "USERINFO.USERLOCATIONS is empty: no entity restriction", evidence)
    restricted = f"USERINFO.USERLOCATIONS restricts the user to {', '.join(locations)}"
    if access == "unrestricted":
        return Finding.failed(expected, restricted, evidence)
    return Finding.manual(
        expected,
        f"{restricted}, and this environment signs in at the top level: set {entity_key} to the operating "
        "entity to prove access to it",
        evidence,
    )

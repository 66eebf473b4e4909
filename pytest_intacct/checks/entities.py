"""Entity access in a multi-entity company: where the Web Services user may work.

USERINFO.USERLOCATIONS lists the entities a user is restricted to, empty for none (developer.intacct.com
users page). No XML field says whether a user has top-level access: a sign-in at the top level proves it,
as a user without it is assumed to be refused there (docs/checks.md#entity-access); a sign-in at an entity
proves access to that entity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_intacct.checks.lens import REST_USER, disagree, field, record, rest_reading, with_evidence
from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.checks.user import USER, record_of, unreadable_user
from pytest_intacct.profiles import Param
from pytest_intacct.results.finding import Finding, Outcome

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


@check("entity-access", params={"access": Param("choice", choices=ACCESS)}, reads=[USER, REST_USER])
def entity_access(ctx: EnvironmentContext) -> Finding:
    """``top-level``: the user works at the top level; ``unrestricted``: no entity restriction
    (USERLOCATIONS empty); ``entity``: the user reaches the environment's entity (INTACCT_<ENV>_ENTITY).
    With REST access, ``user.entityAccess`` and ``user.entities`` are read too: they decide where the XML
    gateway cannot (top-level access of a user signing in at an entity, USERINFO not readable), and a
    restriction the two APIs state differently fails showing both."""
    xml = _xml_entity_access(ctx)
    rest = rest_reading(ctx, "rest_user")
    if rest is None or (xml.outcome is Outcome.ERROR and xml.blocked):
        return xml
    if rest.problem is not None:
        return with_evidence(xml, rest_error=rest.problem.message)
    found = record(rest)
    if found is None:
        return xml
    return _with_rest(ctx, xml, found)


def rest_restriction(found: Any) -> list[str] | None:
    """The entities the REST user record restricts the user to ([] for none); None when it does not say."""
    unrestricted = field(found, "entityAccess.allowUnrestrictedAccess")
    entities = found.get("entities") if isinstance(found, dict) else None
    if not isinstance(entities, list) or not isinstance(unrestricted, bool):
        return None
    return [str(entity) for entity in entities] if entities or not unrestricted else []


def _with_rest(ctx: EnvironmentContext, xml: Finding, found: Any) -> Finding:
    access = ctx.params["access"]
    expected = xml.expected
    top_level = field(found, "entityAccess.allowTopLevelAccess")
    restricted = rest_restriction(found)
    evidence = {
        **xml.evidence,
        "user.entityAccess.allowTopLevelAccess": top_level,
        "user.entities": restricted,
    }
    if access == "top-level" and isinstance(top_level, bool):
        rest_text = f"REST user.entityAccess.allowTopLevelAccess is {str(top_level).lower()}"
        if xml.outcome is Outcome.PASS and not top_level:
            return disagree(expected, xml.observed, rest_text, evidence)
        if xml.outcome in (Outcome.PASS, Outcome.MANUAL):
            judged = Finding.passed if top_level else Finding.failed
            return judged(expected, f"{rest_text}; {xml.observed}", evidence)
        return with_evidence(xml, **evidence)
    if restricted is None:
        return with_evidence(xml, **evidence)
    rest_text = (
        f"REST user.entities restricts the user to {', '.join(restricted)}"
        if restricted
        else "REST user.entityAccess allows every entity"
    )
    listed = xml.evidence.get("USERINFO.USERLOCATIONS")
    if isinstance(listed, list):
        if sorted(map(str, listed)) != sorted(restricted):
            return disagree(expected, xml.observed, rest_text, evidence)
        return with_evidence(xml, **evidence)
    if access == "unrestricted" and xml.outcome is Outcome.ERROR:
        # USERINFO was not readable: the REST API alone decides.
        judged = Finding.failed if restricted else Finding.passed
        return judged(expected, f"{rest_text} (USERINFO was not readable: {xml.observed})", evidence)
    return with_evidence(xml, **evidence)


def _xml_entity_access(ctx: EnvironmentContext) -> Finding:
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

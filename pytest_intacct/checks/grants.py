"""Grants as runbooks write them: "Administration All", "Company Read-only", "Departments: View, Edit".

One runbook line is one requirement. ``rights`` is the least the user must hold (``All``: every right of
every policy the catalogue knows for the module; ``Read-only``/``Read``: their List and View rights; or a
list of rights), ``at_most`` the most it may hold ("no more than": anything beyond is over-privilege, listed).
"Read-only" says both, as runbooks mean it. Without ``policy`` the grant is the module's, and its evidence
lists every policy; without ``application``, every module the catalogue knows. Grants are judged from
declared permissions (getUserPermissions); with ``policy`` and ``object``, a one-record read proves the
read rights effectively too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_intacct.checks.permissions import (
    PERMISSIONS,
    PERMISSIONS_VIEW,
    Permissions,
    declared_rights,
    effective,
    permissions_of,
)
from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.evidence.reads import one_record
from pytest_intacct.profiles import Param
from pytest_intacct.profiles import vocabulary as v
from pytest_intacct.profiles.spelling import normalize
from pytest_intacct.results.finding import Finding

# How many items an observed sentence lists before "and N more" (the evidence keeps them all).
SHOWN = 12
# Marks a policy name the catalogue assumes, and one it does not know, where a grant names what is missing.
ASSUMED = "*"
UNKNOWN = "a name the catalogue does not know"


@dataclass(frozen=True)
class Bound:
    """One side of a grant: the runbook's word (``All``, ``Read-only``) or its list of rights."""

    word: str | None
    rights: tuple[str, ...] = ()

    @classmethod
    def of(cls, value: str | Sequence[str] | None) -> Bound | None:
        if value is None:
            return None
        if isinstance(value, str):
            word = v.grant_word(value)
            return cls(word) if word else cls(None, (value,))
        return cls(None, tuple(value))

    def __str__(self) -> str:
        return self.word or ", ".join(self.rights)

    def needs(self, policy: v.Policy | None, module_level: bool) -> list[str]:
        """The rights this lower bound asks of one policy (unknown to the catalogue: List and View read)."""
        if self.word == v.ALL:
            return list(policy.rights) if policy else []
        if self.word == v.READ_ONLY:
            return list(policy.reads) if policy else list(v.READS)
        if module_level and policy is not None:
            offered = {normalize(r) for r in policy.rights}
            return [r for r in self.rights if normalize(r) in offered]
        return list(self.rights)

    def allows(self, right: str) -> bool:
        """Whether this upper bound allows holding ``right``."""
        if self.word == v.ALL:
            return True
        if self.word == v.READ_ONLY:
            return v.is_read_right(right)
        return normalize(right) in {normalize(r) for r in self.rights}


@dataclass(frozen=True)
class Scope:
    """What a grant is about: applications (each with the names it goes by) and an optional policy; without
    an application, every module: the catalogue's for a lower bound, whatever is declared for an upper one."""

    applications: tuple[tuple[str, tuple[str, ...], v.Application | None], ...]
    policy: str | None
    every: bool = False

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Scope:
        name = params.get("application")
        if name is None:
            return cls(tuple((a.name, a.names, a) for a in v.APPLICATIONS if a.policies), None, every=True)
        known = v.application(name)
        names = known.names if known else (name,)
        return cls(((known.name if known else name, names, known),), params.get("policy"))

    def targets(self) -> list[tuple[str, tuple[str, ...], str, v.Policy | None]]:
        """(application, its names, policy, the catalogue's policy) of every policy the lower bound asks."""
        found = []
        for name, names, known in self.applications:
            if self.policy is not None:
                found.append((name, names, self.policy, known.policy(self.policy) if known else None))
            elif known is not None:
                found += [(name, names, p.name, p) for p in known.policies]
        return found

    def covers(self, application: str, policy: str) -> bool:
        """Whether a declared (application, policy) is inside the scope."""
        if self.every:
            return True
        names = {normalize(n) for _, names, _ in self.applications for n in names}
        inside = self.policy is None or normalize(policy) == normalize(self.policy)
        return normalize(application) in names and inside

    def describe(self) -> str:
        if self.every:
            return "every module"
        return f"{self.applications[0][0]} > {self.policy}" if self.policy else self.applications[0][0]


def _rules(params: Mapping[str, Any]) -> list[str]:
    """Combinations of params a grant cannot judge (the types were checked before)."""
    found = []
    if "rights" not in params and "at_most" not in params:
        found.append("a grant needs 'params.rights' (at least), 'params.at_most' (no more than), or both")
    if "policy" in params and "application" not in params:
        found.append("key 'params.policy' names a policy of 'params.application', which is missing")
    if "object" in params and "policy" not in params:
        found.append("key 'params.object' proves one policy's read rights: name it in 'params.policy'")
    lower = Bound.of(params.get("rights"))
    if lower is None:
        return found
    for name, _, known in Scope.of(params).applications:
        if "policy" not in params and (known is None or not known.policies):
            found.append(
                f"key 'params.rights': the catalogue knows no policy of {name!r}, so a module-wide grant "
                "cannot be judged; name the policy ('params.policy') and its rights"
            )
        elif "policy" not in params and known is not None and lower.word is None:
            offered = {normalize(r) for p in known.policies for r in p.rights}
            # A right the catalogue does not know at all is the names' check to report.
            for right in (r for r in lower.rights if v.right(r) and normalize(r) not in offered):
                found.append(
                    f"key 'params.rights': no policy of {name} that the catalogue knows offers {right!r}, "
                    "so a module-wide grant of it asks nothing; name the policy"
                )
        elif (
            "policy" in params
            and lower.word == v.ALL
            and (known is None or not known.policy(params["policy"]))
        ):
            found.append(
                f"key 'params.rights': \"All\" on {name!r} > {params['policy']!r} means every right the "
                "catalogue lists for that policy, and it knows none: list the rights"
            )
    return found


GRANT_PARAMS = {
    "application": Param(required=False, vocabulary="application"),
    "policy": Param(required=False, vocabulary="policy"),
    "rights": Param("grant", required=False, vocabulary="right"),
    "at_most": Param("grant", required=False, vocabulary="right"),
    "object": Param(required=False, vocabulary="object"),
}


@check("grant", params=GRANT_PARAMS, reads=[PERMISSIONS, one_record("object", name="object")], rules=_rules)
def grant(ctx: EnvironmentContext) -> Finding:
    """At least ``rights`` and at most ``at_most`` on a module (every policy) or a policy: declared and, with
    ``object``, effective. Over-privilege fails with the extra rights listed."""
    p = ctx.params
    scope = Scope.of(p)
    lower = Bound.of(p.get("rights"))
    upper = Bound.of(p.get("at_most")) or (lower if lower is not None and lower.word == v.READ_ONLY else None)
    expected = _expected(scope, lower, upper, ctx.snapshot.user_id)
    evidence: dict[str, Any] = {"scope": scope.describe(), "at_least": _said(lower), "at_most": _said(upper)}
    evidence |= _catalogue_notes(scope, lower)
    obj = p.get("object")
    proven, effective_text = effective(ctx.readings.get("object"), obj)
    if obj is not None:
        evidence |= {"object": obj, "effective": proven, "effective_detail": effective_text}
    reading = ctx.reading("permissions")
    if reading.problem is not None:
        if proven is True and upper is None and _only_reads(scope, lower):
            return Finding.passed(expected, f"{effective_text} (declared permissions not readable)", evidence)
        if proven is False:
            return Finding.failed(expected, effective_text, evidence)
        return Finding.error(
            expected,
            f"not checked: declared permissions not readable ({reading.problem.message}); a grant is judged "
            f"from them, which needs {PERMISSIONS_VIEW}",
            evidence,
        )
    declared = permissions_of(reading)
    missing = _missing(declared, scope, lower)
    extra = _extra(declared, scope, upper)
    evidence |= {"missing": missing, "extra": extra, "declared": _held(declared, scope)}
    problems = []
    if missing:
        footnote = (
            f" ({ASSUMED} a policy name the catalogue assumes)" if any(ASSUMED in m for m in missing) else ""
        )
        problems.append(f"getUserPermissions lacks {_listed(missing)}{footnote}")
    if extra:
        on = f"{len(extra)} polic{'y' if len(extra) == 1 else 'ies'}"
        problems.append(f"getUserPermissions grants more than {upper} on {on}: {_listed(extra)}")
    if proven is False:
        problems.append(effective_text)
    if problems:
        return Finding.failed(expected, "; ".join(problems), evidence)
    if obj is not None and proven is None:
        return Finding.error(expected, f"not checked: {effective_text}", evidence)
    held = "; ".join(t for t in (_summary(declared, scope, lower, upper), effective_text) if t)
    return Finding.passed(expected, held, evidence)


def _expected(scope: Scope, lower: Bound | None, upper: Bound | None, user: str) -> str:
    parts = []
    if lower is not None:
        parts.append(str(lower))
    if upper is not None and upper != lower:
        parts.append(f"no more than {upper}")
    elif upper is not None:
        parts[-1] += ", no more"
    return f"{scope.describe()}: {' and '.join(parts)} for {user!r}"


def _said(bound: Bound | None) -> str | list[str] | None:
    if bound is None:
        return None
    return bound.word or list(bound.rights)


def _catalogue_notes(scope: Scope, lower: Bound | None) -> dict[str, Any]:
    """Which names behind a module's "All" or "Read-only" are assumptions (docs/vocabulary.md)."""
    if lower is None:
        return {}
    targets = scope.targets()
    notes: dict[str, Any] = {"policies": [f"{app} > {policy}" for app, _, policy, _ in targets]}
    notes["assumed_policies"] = [f"{app} > {p.name}" for app, _, _, p in targets if p and p.source is None]
    notes["unknown_policies"] = [f"{app} > {policy}" for app, _, policy, p in targets if p is None]
    if lower.word == v.ALL:
        notes["assumed_rights"] = [
            f"{app} > {p.name}" for app, _, _, p in targets if p and p.rights_source is None
        ]
    return notes


def _missing(declared: Permissions, scope: Scope, lower: Bound | None) -> list[str]:
    if lower is None:
        return []
    found = []
    for app, names, policy, known in scope.targets():
        held = {normalize(r) for r in declared_rights(declared, names, policy)}
        lacking = [r for r in lower.needs(known, scope.policy is None) if normalize(r) not in held]
        if lacking:
            mark = f" ({UNKNOWN})" if known is None else ASSUMED if known.source is None else ""
            found.append(f"{app} > {policy}{mark}: {', '.join(lacking)}")
    return found


def _extra(declared: Permissions, scope: Scope, upper: Bound | None) -> list[str]:
    if upper is None:
        return []
    found = []
    for app, policy, rights in _declared_in(declared, scope):
        beyond = sorted(r for r in rights if not upper.allows(r))
        if beyond:
            found.append(f"{app} > {policy}: {', '.join(beyond)}")
    return found


def _declared_in(declared: Permissions, scope: Scope) -> Iterable[tuple[str, str, Iterable[str]]]:
    """(application, policy, rights) of every declared policy inside the scope."""
    for app, policies in declared.items():
        for policy, rights in policies.items():
            if scope.covers(app, policy):
                yield app, policy, rights


def _held(declared: Permissions, scope: Scope) -> dict[str, list[str]]:
    return {f"{app} > {policy}": sorted(rights) for app, policy, rights in _declared_in(declared, scope)}


def _summary(declared: Permissions, scope: Scope, lower: Bound | None, upper: Bound | None) -> str:
    said = []
    if lower is not None:
        count = len(scope.targets())
        said.append(
            f"getUserPermissions holds every right asked of {count} polic{'y' if count == 1 else 'ies'}"
        )
    if upper is not None:
        said.append(f"nothing beyond {upper} among the {len(list(_declared_in(declared, scope)))} it lists")
    return ", and ".join(said)


def _only_reads(scope: Scope, lower: Bound | None) -> bool:
    """Whether the lower bound asks only read rights, which a successful read proves."""
    if lower is None:
        return False
    needed = [r for _, _, _, known in scope.targets() for r in lower.needs(known, scope.policy is None)]
    return bool(needed) and all(v.is_read_right(r) for r in needed)


def _listed(items: list[str]) -> str:
    shown = "; ".join(items[:SHOWN])
    return shown + (f"; and {len(items) - SHOWN} more (see the evidence)" if len(items) > SHOWN else "")

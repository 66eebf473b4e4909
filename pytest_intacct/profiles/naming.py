"""The Intacct names a requirement's params hold, against the vocabulary (profiles/vocabulary.py).

A near miss of a known name (``Departmens``, ``Veiw``, ``Compnay``, ``DEPARTMNT``) would fail the customer
for the profile author's typo, so it is a problem, with the name it most likely meant. A name the catalogue
does not know at all may be right (the public record is partial): it is a warning, and checked as written.
The UI's words are known names: ``Business`` is the user type the API spells ``business user``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_intacct.profiles import vocabulary as v
from pytest_intacct.profiles.model import Custom, Param, Requirement
from pytest_intacct.profiles.spelling import near_miss, normalize

CATALOGUE = "docs/vocabulary.md"


@dataclass
class Findings:
    """What the names of one requirement's params came to: problems (near misses) and warnings."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_names(requirement: Requirement, specs: Mapping[str, Param], custom: Custom) -> Findings:
    """Every vocabulary-bound param of ``requirement`` checked; each finding names requirement and key."""
    findings = Findings()
    params = requirement.params
    for key, spec in specs.items():
        value = params.get(key)
        if spec.vocabulary is None or not value:
            continue
        where = f"requirement '{requirement.id}': key 'params.{key}'"
        for name in value if isinstance(value, tuple) else (value,):
            _check(where, spec.vocabulary, name, params, custom, findings)
    return findings


def _check(
    where: str, vocabulary: str, name: str, params: Mapping[str, Any], custom: Custom, findings: Findings
) -> None:
    known, what = _known(vocabulary, params, custom)
    if vocabulary == "right" and v.grant_word(name):
        return  # "All", "Read-only", "Read": the runbook's words for a whole grant
    if any(normalize(name) == normalize(k) for k in known):
        if vocabulary == "object":
            _object_policy(where, name, params, findings)
        return
    close = near_miss(name, known)
    if close is not None:
        findings.problems.append(f"{where}: {name!r} is not {what}; did you mean {close!r}?")
        return
    findings.warnings.append(
        f"{where}: {name!r} is not {what} that the catalogue of Intacct names knows ({CATALOGUE}); "
        "it is checked as written"
    )


def _known(vocabulary: str, params: Mapping[str, Any], custom: Custom) -> tuple[list[str], str]:
    """The names ``vocabulary`` accepts here, and how a message calls one."""
    if vocabulary == "application":
        return [name for a in v.APPLICATIONS for name in a.names], "an Intacct application"
    if vocabulary == "policy":
        applications = _applications(params)
        scope = applications or list(v.APPLICATIONS)
        known = [p.name for a in scope for p in a.policies] + sorted(custom.policies)
        of = f"of {' / '.join(a.name for a in applications)}" if applications else "of any application"
        return known, f"a policy {of}"
    if vocabulary == "right":
        return [*v.RIGHTS, *v.GRANT_WORDS.values()], "an Intacct right"
    if vocabulary == "object":
        return [o.name for o in v.OBJECTS] + sorted(custom.objects), "an Intacct object"
    table = {"user-type": v.USER_TYPES, "admin": v.ADMIN_PRIVILEGES, "status": v.USER_STATUSES}[vocabulary]
    what = {"user-type": "a user type", "admin": "an admin privilege", "status": "a user status"}[vocabulary]
    return [*table, *table.values()], what


def _applications(params: Mapping[str, Any]) -> list[v.Application]:
    """The catalogue's applications among those a requirement names (``application``: one or a list)."""
    named = params.get("application") or ()
    found = (v.application(name) for name in ((named,) if isinstance(named, str) else named))
    return [a for a in found if a is not None]


def _object_policy(where: str, name: str, params: Mapping[str, Any], findings: Findings) -> None:
    """A known object read as proof of a policy that does not guard it proves nothing about that policy."""
    found = v.intacct_object(name)
    policy = params.get("policy")
    if found is None or not isinstance(policy, str) or normalize(found.policy) == normalize(policy):
        return
    findings.problems.append(
        f"{where}: {name!r} is guarded by {found.application} > {found.policy}, not by {policy!r}; a read "
        "of it proves nothing about this policy"
    )

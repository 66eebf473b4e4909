"""The acceptance file: a versioned JSON record of one run, and the baseline of the next drift check.

The format (``schema_version`` 3) is documented in docs/acceptance-json.md; any change to it bumps
SCHEMA_VERSION. Only the fields listed there are written, so nothing else an environment or result
carries (credentials, check params) can reach the file; evidence is redacted by the check that produced it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import textwrap
from collections.abc import Mapping
from typing import Any

from pytest_intacct.identity import ShardOf
from pytest_intacct.profiles import Profile, fingerprint
from pytest_intacct.reporting.model import EnvironmentReport, Row, RunReport
from pytest_intacct.results.finding import summarize
from pytest_intacct.results.waivers import Waiver
from pytest_intacct.safety.files import write_text

__all__ = ["SCHEMA_VERSION", "build_acceptance", "render_acceptance", "write_acceptance"]

SCHEMA_VERSION = 3  # 3: root causes no requirement is; a requirement's remediation is its cause's fix


def build_acceptance(report: RunReport, *, generated_at: dt.datetime) -> dict[str, Any]:
    """The acceptance document of a run."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    baseline = report.baseline
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _utc(generated_at),
        "started_at": _utc(report.started_at),
        "plugin_version": report.plugin_version,
        "verdict": str(report.readiness),
        "attestations_owed": report.attestations_owed,
        "partial": report.partial,
        "replay": report.replay,
        "requirements_run": report.ran,
        "requirements_selectable": report.total,
        "baseline": None
        if baseline is None
        else {"path": baseline.path, "generated_at": baseline.generated_at},
        "environments": [_environment(env, drift=baseline is not None) for env in report.environments],
        "removed_environments": report.dropped if baseline is not None else None,
        "waivers": [{**_waiver(waiver), "state": str(state)} for waiver, state in report.waivers],
        "root_causes": [
            {"environment": env, **cause.to_dict(), "requirements": [row.requirement.id for row in rows]}
            for env, cause, rows in report.causes()
        ],
        "summary": {
            **summarize(row.result for row in report.rows),
            "by_environment": {env.name: env.counts for env in report.environments},
            "drift": report.drift_counts,
        },
        "profiles": [_profile(profile) for profile in report.profiles],
        "shard": None if report.shard is None else _shard(report.shard, report.today),
    }


def render_acceptance(report: RunReport) -> str:
    """The acceptance file's text: the document of ``report`` as UTF-8 JSON."""
    return _text(build_acceptance(report, generated_at=report.finished_at or dt.datetime.now(dt.UTC)))


def write_acceptance(path: str | os.PathLike[str], document: Mapping[str, Any]) -> None:
    """Write the document as UTF-8 JSON; readers see the old file or the new one, never a partial write."""
    write_text(path, _text(document))


def _text(document: Mapping[str, Any]) -> str:
    """The document as indented JSON, its environments encoded one at a time: the encoder's pieces for a
    whole fleet are never held at once (for 500 companies, 10 MB less at the peak)."""
    if not document["environments"]:
        return _json(document) + "\n"
    environments = ",\n".join(textwrap.indent(_json(env), "    ") for env in document["environments"])
    text = _json({**document, "environments": [None]})
    # JSON escapes every newline inside a string, so this placeholder can only be the array itself.
    placeholder = '"environments": [\n    null\n  ]'
    return text.replace(placeholder, f'"environments": [\n{environments}\n  ]', 1) + "\n"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _environment(env: EnvironmentReport, *, drift: bool) -> dict[str, Any]:
    identity = env.info.identity
    return {
        "name": identity.name,
        "group": identity.group,
        "profile": env.info.profile.name,
        "production": identity.production,
        # A field the report does not know (a cross-environment home has no company) is null.
        "company_id": identity.company_id or None,
        "user_id": identity.user_id or None,
        "sender_id": identity.sender_id or None,
        "endpoint": identity.endpoint or None,
        "verdict": str(env.readiness),
        "attestations_owed": env.attestations_owed,
        "requirements": [_requirement(row) for row in env.rows],
        "not_run": [requirement.id for requirement in env.not_run],
        "removed": list(env.removed) if drift else None,
        "drift": env.drift_counts if drift else None,
    }


def _requirement(row: Row) -> dict[str, Any]:
    requirement, finding = row.requirement, row.finding
    entry: dict[str, Any] = {
        "id": requirement.id,
        "title": requirement.title,
        "severity": requirement.severity,
        "outcome": str(finding.outcome),
        "expected": finding.expected,
        "observed": finding.observed,
        # The fix for the cause this run found; none of its own when another requirement or a root cause
        # left it unchecked (that one carries the fix).
        "remediation": None if finding.blocked else finding.fix or requirement.remediation,
        "evidence": dict(finding.evidence),
    }
    if finding.root_cause is not None:
        entry["root_cause"] = finding.root_cause
    entry["runbook_step"] = requirement.runbook_step
    entry["drift"] = row.drift
    entry["waiver"] = None if row.waiver is None else _waiver(row.waiver)
    return entry


def _profile(profile: Profile) -> dict[str, Any]:
    """What a merge of shards needs of a profile: its fingerprint, and its requirements as reports show
    them."""
    return {
        "name": profile.name,
        "title": profile.title,
        "source": profile.source,
        "fingerprint": fingerprint(profile),
        "requirements": [
            {
                "id": r.id,
                "title": r.title,
                "runbook_step": r.runbook_step,
                "severity": r.severity,
                "area": r.area,
                "check": r.check,
                "environments": r.environments,
                "when": r.when,
                "remediation": r.remediation,
            }
            for r in profile.requirements
        ],
    }


def _shard(shard: ShardOf, today: dt.date | None) -> dict[str, Any]:
    return {
        "index": shard.shard.index,
        "count": shard.shard.count,
        "environments": shard.environments,
        "selection": shard.selection,
        "waivers_judged_on": today.isoformat() if today else None,
    }


def _waiver(waiver: Waiver) -> dict[str, Any]:
    return {
        "entry": waiver.entry,
        "requirement": waiver.requirement,
        "environment": waiver.environment,
        "justification": waiver.justification,
        "owner": waiver.owner,
        "ticket": waiver.ticket,
        "expires": waiver.expires.isoformat() if waiver.expires else None,
    }

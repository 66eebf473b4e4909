"""Requirement results built by hand for the report model and its renderers; a report full of hostile text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pytest_intacct.identity import Identity, Shard, ShardOf
from pytest_intacct.profiles import Profile, load_profile
from pytest_intacct.reporting.acceptance_json import build_acceptance
from pytest_intacct.reporting.model import EnvironmentInfo, RunReport, build_report
from pytest_intacct.results.finding import Finding, RequirementResult
from pytest_intacct.results.homes import is_home

TRELICA = load_profile("trelica")
CALANCE = load_profile("calance")
WHEN = datetime(2026, 9, 1, 6, 0, 0, tzinfo=UTC)


def result(
    env: str, profile: Profile, requirement_id: str, verdict: Finding | None = None
) -> RequirementResult:
    verdict = verdict or Finding.passed("as documented", "as documented")
    return RequirementResult(env, profile.requirement(requirement_id), verdict)


HOSTILE = "<script>alert(1)</script></pre><img src=x onerror=alert(2)>[x](javascript:alert(3))|"
HOSTILE_ENV = EnvironmentInfo(
    Identity('prod"><b>', company_id="ACME<i>", user_id="ws<s>", endpoint="https://gw/<u>", production=True),
    TRELICA,
)


def hostile_report():
    results = [
        RequirementResult(
            HOSTILE_ENV.name,
            TRELICA.requirement("user-active"),
            Finding.failed("active", HOSTILE, {"raw": HOSTILE}),
        ),
        RequirementResult(
            HOSTILE_ENV.name,
            TRELICA.requirement("user-login"),
            Finding.error("login", HOSTILE, root_cause="user-active"),
        ),
        RequirementResult(
            HOSTILE_ENV.name, TRELICA.requirement("ip-allowlist"), Finding.manual("allowed", HOSTILE)
        ),
    ]
    return build_report(
        results, [HOSTILE_ENV], plugin_version="0", started_at=datetime(2026, 11, 23, tzinfo=UTC)
    )


SIGN_IN_REFUSED = (
    "not checked: sign-in could not complete: control failure (sender-credentials): XL03000006 Incorrect "
    "Intacct XML Partner ID or password; check {variables} first"
)


def fleet_report(size: int, *, per_group: int = 2):
    """A synthetic fleet of ``size`` Trelica companies, ``per_group`` to a customer group: every tenth
    fails permission-employees-edit, every 25th (from the second) has its sign-in refused (every requirement
    an error, one cause), the rest are READY owing the IP allowlist attestation. Built without pytest or a
    gateway."""
    environments, results = [], []
    met = Finding.passed("as documented", "as documented")  # findings are immutable: shared, built once
    owed = Finding.manual("allowed", "confirm Trelica's address is in the list")
    failed = Finding.failed("Employees: Edit", "getUserPermissions lists Employees: View")
    for number in range(size):
        name = f"co-{number:05d}"
        group = f"customer-{number // per_group:05d}"
        environments.append(
            EnvironmentInfo(Identity(name, company_id=name.upper(), production=True, group=group), TRELICA)
        )
        if number % 25 == 1:
            variables = f"INTACCT_CO_{number:05d}_SENDER_ID and INTACCT_CO_{number:05d}_SENDER_PASSWORD"
            refused = Finding.error("sign-in", SIGN_IN_REFUSED.format(variables=variables), blocked=True)
            results += [RequirementResult(name, r, refused) for r in TRELICA.requirements]
            continue
        for requirement in TRELICA.requirements:
            finding = met
            if requirement.id == "ip-allowlist":
                finding = owed
            elif requirement.id == "permission-employees-edit" and number % 10 == 0:
                finding = failed
            results.append(RequirementResult(name, requirement, finding))
    return build_report(results, environments, plugin_version="0", started_at=WHEN)


def shard_documents(report: RunReport, count: int) -> list[dict[str, Any]]:
    """The acceptance documents ``count`` shards of ``report``'s fleet would write (``--intacct-shard``),
    built without pytest or a gateway."""
    environments = [env.info for env in report.environments if not is_home(env.name)]
    selection = [(env.identity.group, env.name) for env in environments]
    documents = []
    for index in range(1, count + 1):
        shard = Shard(index, count)
        held = {env.identity.group for env in environments if shard.holds(env.identity.group)}
        mine = [env for env in report.environments if env.info.identity.group in held]
        part = build_report(
            [row.result for env in mine for row in env.rows],
            [env.info for env in mine if not is_home(env.name)],
            plugin_version=report.plugin_version,
            started_at=report.started_at,
            shard=ShardOf.cut(shard, selection),
        )
        documents.append(build_acceptance(part, generated_at=WHEN))
    return documents

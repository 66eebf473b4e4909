"""Requirement results built by hand for the report model and its renderers; a report full of hostile text."""

from __future__ import annotations

from datetime import UTC, datetime

from pytest_intacct.identity import Identity
from pytest_intacct.profiles import Profile, load_profile
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.results.finding import Finding, RequirementResult

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

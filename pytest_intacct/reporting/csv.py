"""The CSV (``--intacct-csv``): one row per environment, and per cross-environment home, for a spreadsheet.

Text from outside the code has passed the door for outside text (one line, secrets masked); a cell a
spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) gets a leading ``'``, so it is shown, never evaluated.
"""

from __future__ import annotations

import csv
import io

from pytest_intacct.reporting.findings import Problem, problems
from pytest_intacct.reporting.model import EnvironmentReport, RunReport
from pytest_intacct.results.finding import Outcome

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "name",
    "group",
    "profile",
    "production",
    "company_id",
    "verdict",
    *(outcome.value for outcome in Outcome),
    "not_run",
    "attestations_owed",
    "root_causes",
    "judged_on",
)


def cell(value: object) -> str:
    """A value as a cell no spreadsheet evaluates."""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text


def render_csv(report: RunReport) -> str:
    """One header row, then one row per environment in run order (cross-environment homes last)."""
    causes: dict[str, list[str]] = {}
    for problem in problems(report):
        causes.setdefault(problem.environment, []).append(_cause(problem))
    judged_on = report.replay or "gateway"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for env in report.environments:
        row = [*_identity(env), *env.counts.values(), len(env.not_run), env.attestations_owed]
        writer.writerow([cell(value) for value in (*row, "; ".join(causes.get(env.name, ())), judged_on)])
    return out.getvalue()


def _identity(env: EnvironmentReport) -> list[str]:
    identity = env.info.identity
    production = {True: "true", False: "false", None: ""}[identity.production]
    return [
        identity.name,
        identity.group,
        env.info.profile.name,
        production,
        identity.company_id,
        str(env.readiness),
    ]


def _cause(problem: Problem) -> str:
    """A root cause in a few words: the requirement id (``(could not check)`` for an error), the cause's
    id, or what stopped the sign-in."""
    if problem.kind == "error":
        return f"{problem.subject} (could not check)"
    return problem.subject

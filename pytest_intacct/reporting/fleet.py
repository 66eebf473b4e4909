"""The fleet report (``--intacct-fleet-report=DIR``): an index of the whole fleet and one page per group.

``index.html`` counts environments and groups by verdict, lists each root cause once with the
environments it hit, the environments that are not READY (worst first), the attestations owed and every
group with a link to its page; a search box filters those lists (its script is the page's own, and the
page shows every row without it). ``groups/<slug>.html`` is the go-live summary
(:func:`pytest_intacct.reporting.html.summary_html`) of one group's environments, on a page of its own to
attach to that customer's ticket. Every page is self-contained and printable, and its
Content-Security-Policy allows nothing from elsewhere and no script but the search. A run without a fleet
is one group, ``default``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

from markupsafe import Markup

from pytest_intacct.reporting.findings import (
    WORST_FIRST,
    attestations,
    by_group,
    collapse,
    group_verdict,
    problems,
    rank,
    verdict_words,
    worst_first,
)
from pytest_intacct.reporting.html import started, summary_html, template, title
from pytest_intacct.reporting.model import EnvironmentReport, RunReport
from pytest_intacct.reporting.terminal import partial_note
from pytest_intacct.results.homes import is_home
from pytest_intacct.results.readiness import Readiness
from pytest_intacct.results.waivers import WaiverState

_SCRIPT = Path(__file__).parent / "templates" / "fleet.js"
_SAFE = re.compile(r"[^a-z0-9._-]+")
# Nothing from elsewhere; inline styles; on the index, only the search script, by its hash.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def render_fleet_report(report: RunReport) -> dict[str, str]:
    """``index.html`` and ``groups/<slug>.html`` for each group, by path inside the report's directory."""
    groups = _groups(report)
    slugs = slug_names(groups)
    files = {"index.html": index_html(report)}
    for group, members in groups.items():
        files[f"groups/{slugs[group]}.html"] = group_html(group_report(report, members))
    return files


def slug_names(groups: Iterable[str]) -> dict[str, str]:
    """A file name for each group: lower-case letters, digits, ``.``, ``_`` and ``-`` (anything else a
    ``-``), never starting with a dot, at most 64 characters, and unique whatever the letter case."""
    taken: set[str] = set()
    found = {}
    for group in groups:
        base = _SAFE.sub("-", group.lower()).strip(".-")[:64] or "group"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        found[group] = slug
    return found


def group_report(report: RunReport, members: Sequence[EnvironmentReport]) -> RunReport:
    """``report`` narrowed to one group's environments: its baseline to theirs (another group's
    environments are not "dropped" here) and its waivers to those that name them or waived one of them."""
    names = {env.name for env in members}
    baseline = report.baseline
    if baseline is not None:
        outcomes = {name: ids for name, ids in baseline.outcomes.items() if name in names}
        baseline = replace(baseline, outcomes=outcomes)
    used = {row.waiver for env in members for row in env.rows if row.waiver is not None}
    waivers = tuple((w, s) for w, s in report.waivers if w.environment in names or w in used)
    return replace(report, environments=tuple(members), baseline=baseline, waivers=waivers)


def group_html(report: RunReport) -> str:
    """One group's go-live page: the summary the pytest-html page shows, on a page of its own."""
    profiles = list({env.info.profile.name: env.info.profile for env in report.environments}.values())
    names = [env.name for env in report.environments if not is_home(env.name)]
    page = {
        "title": title(report, profiles, names),
        "policy": _POLICY,
        "summary": Markup(summary_html(report, profiles, all_results=False)),  # noqa: S704 (escaped by its template)
    }
    return str(template("fleet.html.j2").group_page(page))


def index_html(report: RunReport) -> str:
    """The fleet's index page, linking each group's page by its :func:`slug_names` name."""
    groups = _groups(report)
    shown = [env for group in groups.values() for env in group]
    companies = [env for env in shown if not is_home(env.name)]
    verdicts = {group: group_verdict(members) for group, members in groups.items()}
    causes: dict[str, list[str]] = {}
    found = problems(report)
    for p in found:
        causes.setdefault(p.environment, []).append(p.title if p.kind == "blocked" else p.subject)
    verdict = verdict_words(report.readiness, report.attestations_owed)
    script = _script()
    bad = [env for env in worst_first(shown) if env.readiness is not Readiness.READY]
    page = {
        "title": f"{verdict}: Intacct fleet acceptance: {len(companies)} environments, {len(groups)} groups",
        "policy": f"{_POLICY}; script-src '{_digest(script)}'",
        "script": Markup(script),  # noqa: S704 (the package's own file, no data)
        "report": report,
        "verdict": verdict,
        "profiles": list({env.info.profile.name: env.info.profile for env in shown}.values()),
        "started": started(report),
        "partial_note": partial_note(report) if report.partial else "",
        "counts": [
            (v, sum(1 for e in companies if e.readiness is v), sum(1 for g in verdicts.values() if g is v))
            for v in WORST_FIRST
        ],
        "drift_counts": ", ".join(f"{n} {k}" for k, n in (report.drift_counts or {}).items() if n) or "none",
        "dropped": list(report.dropped),
        "findings": collapse(found),
        "bad": [(env, causes.get(env.name, [])) for env in bad],
        "attestations": attestations(report),
        "groups": [
            (group, verdicts[group], [env.label for env in groups[group]])
            for group in sorted(groups, key=lambda g: rank(verdicts[g]))
        ],
        "slugs": slug_names(groups),
        "waivers": [(w, s) for w, s in report.waivers if s is not WaiverState.APPLIED],
    }
    return str(template("fleet.html.j2").index(page))


def _groups(report: RunReport) -> dict[str, list[EnvironmentReport]]:
    return by_group(env for env in report.environments if env.rows or env.not_run)


@cache
def _script() -> str:
    script = _SCRIPT.read_text(encoding="utf-8")
    if "</" in script:
        raise ValueError("the search script must not close its element")
    return script


def _digest(script: str) -> str:
    """The script's hash as a Content-Security-Policy source."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()

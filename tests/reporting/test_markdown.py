"""The Markdown summary: verdict, counts, failures with their fixes, and gateway text that stays text."""

from __future__ import annotations

import re

from pytest_intacct.identity import Identity
from pytest_intacct.reporting.markdown import render_markdown
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.results.finding import Finding
from tests.helpers.results import TRELICA, WHEN, fleet_report, hostile_report, result


def test_markdown_has_verdict_counts_and_failures_with_fixes(missing_permissions_run):
    _, paths = missing_permissions_run
    markdown = paths["a.md"].read_text()
    assert markdown.startswith("## Intacct acceptance: **NOT READY**\n")
    assert "| demo (test) | NOT READY | 17 | 2 | 0 | 1 | 0 | 0 |" in markdown
    assert "- **FAIL** permission-employees-edit in demo: Trelica can edit Employees" in markdown
    assert "  - fix (Specifying permissions): Company > Admin > Roles" in markdown
    assert "### Manual attestations owed" in markdown


def test_markdown_text_from_the_gateway_cannot_inject_markup():
    from pytest_intacct.reporting.markdown import escape

    assert escape("[click](http://evil) <img src=x> | `code` *b* &amp;\nnext") == (
        r"\[click\](http:" "\u2060" r"//evil) \<img src=x> \| \`code\` \*b\* \&amp; next"
    )


def test_markdown_shows_hostile_text_literally():
    markdown = render_markdown(hostile_report())
    assert not re.search(r"(?<!\\)<", markdown)  # every < is escaped: no HTML
    assert not re.search(r"(?<!\\)\[", markdown)  # every [ is escaped: no links
    assert "\\|" in markdown  # a pipe cannot break the table
    for line in markdown.splitlines():
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) == 9  # 8 cells: pipes only as separators


def test_a_fleets_comment_stays_short_each_finding_and_attestation_once():
    """1,000 companies: not 18,000 lines but counts, the worst environments, each finding once."""
    lines = render_markdown(fleet_report(1000)).splitlines()
    assert len(lines) < 60
    assert lines[2:7] == [
        "| verdict | environments | groups |",
        "|---|---|---|",
        "| NOT READY | 100 | 100 |",
        "| INCOMPLETE | 40 | 20 |",
        "| READY | 860 | 380 |",
    ]
    table = [line for line in lines if line.startswith("| co-")]
    assert len(table) == 25
    assert table[0].startswith("| co-00000 (production) | customer-00000 | NOT READY |")
    assert "_... and 975 more, 115 of them not READY_" in lines
    failed = lines.index(
        "- **FAIL** permission-employees-edit failed: Trelica can edit Employees, needed to deprovision "
        "users (Company > Employees: Edit) (high)"
    )
    assert lines[failed + 1].startswith("  - in 100: co-00000, co-00010, ")
    assert lines[failed + 1].endswith(" and 90 more")
    assert sum("XL03000006" in line for line in lines) == 1  # 40 refused sign-ins, one cause
    assert [line for line in lines if line.startswith("- ip-allowlist")] == [
        "- ip-allowlist in 960: co-00000, co-00002, co-00003, co-00004, co-00005, co-00006, co-00007, "
        "co-00008, co-00009, co-00010 and 950 more: If IP address filters are enforced, Trelica's IP "
        "address is allowed"
    ]


def test_ready_in_markdown_says_the_attestations_owed():
    owed = Finding.manual("allowed", "confirm the IP address is in the list")
    envs = [EnvironmentInfo(Identity(name, company_id=name), TRELICA) for name in ("sandbox", "prod")]
    report = build_report(
        [result(env.name, TRELICA, "ip-allowlist", owed) for env in envs],
        envs,
        plugin_version="0",
        started_at=WHEN,
    )
    markdown = render_markdown(report)
    assert markdown.startswith("## Intacct acceptance: **READY, 2 attestations owed**\n")
    assert "- ip-allowlist in sandbox, prod: If IP address filters are enforced" in markdown

"""Renderers fed hostile gateway text: the HTML and Markdown show it as text, never as markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pytest_intacct.identity import Identity
from pytest_intacct.profiles import load_profile
from pytest_intacct.reporting.html import requirement_block, summary_html
from pytest_intacct.reporting.markdown import render_markdown
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.results.finding import Finding, RequirementResult

TRELICA = load_profile("trelica")
HOSTILE = "<script>alert(1)</script></pre><img src=x onerror=alert(2)>[x](javascript:alert(3))|"
ENV = EnvironmentInfo(
    Identity('prod"><b>', company_id="ACME<i>", user_id="ws<s>", endpoint="https://gw/<u>", production=True),
    TRELICA,
)


def hostile_report():
    results = [
        RequirementResult(
            ENV.name, TRELICA.requirement("user-active"), Finding.failed("active", HOSTILE, {"raw": HOSTILE})
        ),
        RequirementResult(
            ENV.name,
            TRELICA.requirement("user-login"),
            Finding.error("login", HOSTILE, root_cause="user-active"),
        ),
        RequirementResult(ENV.name, TRELICA.requirement("ip-allowlist"), Finding.manual("allowed", HOSTILE)),
    ]
    return build_report(results, [ENV], plugin_version="0", started_at=datetime(2026, 11, 23, tzinfo=UTC))


def test_html_sections_escape_everything_from_the_gateway_and_settings():
    page = summary_html(hostile_report(), [TRELICA])
    assert "<script" not in page
    assert "<img" not in page
    for tag in ("<b>", "<i>", "<u>", "<s>"):
        assert tag not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("</pre>") == page.count("<pre>")


def test_a_row_block_escapes_too():
    row = hostile_report().rows[0]
    block = requirement_block(row)
    assert "<script" not in block
    assert "<img" not in block


def test_markdown_shows_hostile_text_literally():
    markdown = render_markdown(hostile_report())
    assert not re.search(r"(?<!\\)<", markdown)  # every < is escaped: no HTML
    assert not re.search(r"(?<!\\)\[", markdown)  # every [ is escaped: no links
    assert "\\|" in markdown  # a pipe cannot break the table
    for line in markdown.splitlines():
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) == 9  # 8 cells: pipes only as separators


def test_root_caused_errors_group_under_their_cause_without_a_fix():
    report = hostile_report()
    [(cause, caused)] = report.root_causes()
    assert cause.requirement.id == "user-active"
    assert [r.requirement.id for r in caused] == ["user-login"]
    block = requirement_block(caused[0])
    assert "Fix" not in block
    assert "Not checked because" in block

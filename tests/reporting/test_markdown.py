"""The Markdown summary: verdict, counts, failures with their fixes, and gateway text that stays text."""

from __future__ import annotations

import re

from pytest_intacct.reporting.markdown import render_markdown
from tests.helpers.results import hostile_report


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

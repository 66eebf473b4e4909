"""``--intacct-checklist``: a profile as the customer's printable setup checklist, from the same file that
judges it; it needs only a profile, and with environments it is written before anything is read."""

from __future__ import annotations

import json

import pytest

from pytest_intacct.profiles import builtin_profiles, load_profile
from pytest_intacct.reporting.checklist import render_checklist
from pytest_intacct.reporting.markdown import escape

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["alone", "under-xdist"])
def test_a_checklist_needs_only_a_profile_and_runs_nothing(pytester, workers):
    result = pytester.runpytest("--intacct-profile=expensify", "--intacct-checklist=setup.md", *workers)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines([f"setup checklist: {pytester.path / 'setup.md'}", "*no tests ran*"])
    text = pytester.path.joinpath("setup.md").read_text(encoding="utf-8")
    assert text == render_checklist([load_profile("expensify")])


@pytest.mark.parametrize("name", builtin_profiles())
def test_every_step_of_every_runbook_is_a_box_with_its_menu_path(name):
    profile = load_profile(name)
    lines = render_checklist([profile]).splitlines()
    boxes = [n for n, line in enumerate(lines) if line.startswith("- [ ] ")]
    assert len(boxes) == len(profile.requirements)
    for n, requirement in zip(boxes, profile.requirements, strict=True):
        assert lines[n] == f"- [ ] **{escape(requirement.title)}** ({requirement.severity})"
        assert lines[n + 1] == f"  - Where: {escape(requirement.remediation)}"
        assert f"  - Checked as `{requirement.id}`" in lines[n + 2 : n + 6]


def test_the_checklist_groups_steps_and_says_when_each_applies():
    text = render_checklist([load_profile("expensify")])
    assert text.startswith("# Setup checklist: Expensify connection to Sage Intacct\n")
    assert "## 4. Set the user's permissions" in text
    assert "  - Applies when expense\\_reports is true (this profile: true)" in text
    assert "  - Confirm: The Expensify package from Expensify's help article was uploaded" in text
    calance = render_checklist([load_profile("calance")])
    assert "  - Applies to production companies only" in calance


def test_with_environments_the_run_s_profile_is_written_and_judged(pytester):
    result = pytester.runpytest(
        "--intacct-env=demo", "--intacct-scenario=payhawk-ready", "--intacct-checklist=setup.md"
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["verdict: READY", f"setup checklist: {pytester.path / 'setup.md'}"])
    text = pytester.path.joinpath("setup.md").read_text(encoding="utf-8")
    assert text == render_checklist([load_profile("payhawk")])


def test_everything_wrong_with_a_checklist_run_is_one_usage_error(pytester):
    result = pytester.runpytest(
        "--intacct-checklist=missing/setup.md", "--intacct-profile=expensfy", "--intacct-json=a.json"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*--intacct-json: needs an environment to check (--intacct-env=NAME)",
            "*--intacct-checklist=missing/setup.md: the folder * does not exist",
            "*'expensfy' is not a built-in profile (*); did you mean 'expensify'?",
        ]
    )


def test_a_checklist_without_a_profile_says_how_to_name_one(pytester):
    result = pytester.runpytest("--intacct-checklist=setup.md")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--intacct-checklist writes a profile's checklist: name it with --intacct-profile*"]
    )
    assert not pytester.path.joinpath("setup.md").exists()


def test_profile_text_cannot_forge_a_line_of_the_checklist(pytester):
    """A parameter value and an attestation statement with a carriage return, escape codes and a newline
    stay on their own line, the codes shown escaped."""
    forging = "\r\x1b[2K\x1b[32mverdict: READY\x1b[0m\nverdict: READY"
    text = load_profile("calance").path.read_text(encoding="utf-8")
    text = text.replace('user_id = "calance"', f"user_id = {json.dumps('calance' + forging)}")
    text = text.replace(
        'statement = "The client set', f"statement = {json.dumps(forging)[:-1]} The client set"
    )
    pytester.path.joinpath("forging.toml").write_text(text, encoding="utf-8")
    result = pytester.runpytest("--intacct-profile=forging.toml", "--intacct-checklist=setup.md")
    assert result.ret == pytest.ExitCode.OK
    checklist = pytester.path.joinpath("setup.md").read_text(encoding="utf-8")
    assert "\x1b" not in checklist
    assert not any(line.lstrip("\r").startswith("verdict") for line in checklist.splitlines())
    assert r"\\u001b\[32mverdict: READY" in checklist  # shown, escaped for Markdown too

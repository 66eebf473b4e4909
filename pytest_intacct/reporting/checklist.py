"""A profile as the customer's setup checklist: Markdown an admin prints and ticks, one step per requirement
with its menu path, from the same file the acceptance run judges (``--intacct-checklist=PATH``)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from pytest_intacct import __version__
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.reporting.markdown import escape
from pytest_intacct.safety.text import outside_text

_ONLY = {"test": "test (sandbox, implementation) companies only", "production": "production companies only"}


def render_checklist(profiles: Sequence[Profile]) -> str:
    """Every profile's requirements as checklist items, grouped by runbook step in runbook order."""
    return "\n".join(_profile(profile) for profile in profiles)


def _profile(profile: Profile) -> str:
    lines = [
        f"# Setup checklist: {escape(profile.title)}",
        "",
        f"Runbook: {escape(profile.source)}",
        "",
        f"From the profile `{escape(profile.name)}` (pytest-intacct {__version__}): the acceptance run "
        f"checks these {len(profile.requirements)} steps, each by the id shown, in the same order "
        f"(`pytest --intacct-env=NAME --intacct-profile={escape(profile.name)}`).",
        "",
    ]
    if profile.parameters:
        lines += ["Values this checklist uses:", ""]
        lines += [f"- {escape(name)}: {escape(_value(value))}" for name, value in profile.parameters.items()]
        lines.append("")
    steps = groupby(profile.requirements, key=lambda requirement: requirement.runbook_step)
    for number, (step, requirements) in enumerate(steps, start=1):
        lines += [f"## {number}. {escape(step)}", ""]
        for requirement in requirements:
            lines += _item(profile, requirement)
    return "\n".join(lines)


def _item(profile: Profile, requirement: Requirement) -> list[str]:
    """One step: a box to tick, its severity, where to do it, and when it applies."""
    lines = [
        f"- [ ] **{escape(requirement.title)}** ({requirement.severity})",
        f"  - Where: {escape(requirement.remediation)}",
    ]
    statement = requirement.params.get("statement")
    if isinstance(statement, str):
        lines.append(f"  - Confirm: {escape(outside_text(statement))}")
    if requirement.environments in _ONLY:
        lines.append(f"  - Applies to {_ONLY[requirement.environments]}")
    if requirement.when:
        setting = _value(profile.parameters.get(requirement.when, ""))
        lines.append(f"  - Applies when {escape(requirement.when)} is true (this profile: {setting})")
    lines += [f"  - Checked as `{escape(requirement.id)}`", ""]
    return lines


def _value(value: object) -> str:
    """A parameter's value as the profile writes it (booleans lower case, empty shown as such), through the
    door for outside text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return outside_text(str(value)) if value != "" else "(empty)"

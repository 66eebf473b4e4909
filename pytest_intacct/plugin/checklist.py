"""``--intacct-checklist=PATH``: the profile as the customer's setup checklist (reporting/checklist.py).

A checklist needs only a profile: ``pytest --intacct-profile=expensify --intacct-checklist=setup.md`` writes
it and runs nothing (exit 0). With environments to check, the run's profiles are written before any request.
Outputs the registry renders from profiles (``writer = "profile"``) all go through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from pytest_intacct.profiles import Profile, ProfileError, ProfileWarning
from pytest_intacct.reporting.outputs import profile_outputs
from pytest_intacct.safety.files import output_path, write_text

PROFILE_OPTION = "--intacct-profile"


def requested(config: pytest.Config) -> bool:
    """Whether an output rendered from profiles was asked for."""
    return any(getattr(config.option, declared.dest, None) for declared in profile_outputs())


def write(files: dict[str, Path], profiles: Sequence[Profile]) -> list[tuple[str, Path]]:
    """Write every profile output among ``files`` (option -> checked path); (label, path) of each written."""
    written = []
    for declared in profile_outputs():
        path = files.get(declared.option)
        if path is not None:
            write_text(path, declared.render_profiles(profiles))
            written.append((declared.label, path))
    return written


def start_without_environments(config: pytest.Config, stray: list[str]) -> None:
    """Only a checklist was asked for: read the profile, write the file, and collect nothing. Anything
    else given (another output, no profile, a bad profile or path) is one usage error."""
    from pytest_intacct.checks import read_profile, warnings_of

    problems = [f"{option}: needs an environment to check (--intacct-env=NAME)" for option in stray]
    profile_ref = config.getoption("intacct_profile")
    if not profile_ref:
        problems.append(
            f"--intacct-checklist writes a profile's checklist: name it with {PROFILE_OPTION}=NAME|PATH"
        )
    files: dict[str, Path] = {}
    for declared in profile_outputs():
        value = getattr(config.option, declared.dest, None)
        if value:
            try:
                files[declared.option] = output_path(declared.option, value, config.invocation_params.dir)
            except ValueError as error:
                problems.append(str(error))
    profile = None
    if profile_ref:
        try:
            profile = read_profile(profile_ref)
        except ProfileError as error:
            problems.append(str(error))
    if problems or profile is None:
        raise pytest.UsageError("\n".join(problems))
    for warning in warnings_of(profile):
        config.issue_config_time_warning(ProfileWarning(warning), stacklevel=2)
    written = (
        [] if hasattr(config, "workerinput") else write(files, [profile])
    )  # xdist: the controller writes
    config.pluginmanager.register(ChecklistOnly(written), "intacct-checklist")


class Written:
    """Names the profile outputs a run wrote at the end of its terminal summary."""

    def __init__(self, written: list[tuple[str, Path]]) -> None:
        self.written = written

    @pytest.hookimpl(trylast=True)  # after the acceptance section, beside the files it names
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for label, path in self.written:
            terminalreporter.write_line(f"{label}: {path}")


class ChecklistOnly(Written):
    """A run that only writes a checklist: nothing is collected, and that is a success."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool:
        session.items = []
        # How collection ends, so every plugin sees it done (an xdist worker reports it to its controller).
        session.config.hook.pytest_collection_finish(session=session)
        return True

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.OK

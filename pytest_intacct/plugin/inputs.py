"""Everything a run reads before its first request, from the options: environments (settings, a fleet,
the demo's simulator, or a replayed evidence pack), their profiles, the baseline, the waivers and the
files to write. Every problem with any of them is listed in one usage error, before anything is sent,
with the settings warnings that may explain it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import textwrap
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from pytest_intacct.checks import read_profile, warnings_of
from pytest_intacct.evidence.lanes import ensure_open_files
from pytest_intacct.evidence.packs import EvidencePack, load_pack
from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.identity import DEFAULT_GROUP, Shard, ShardOf
from pytest_intacct.plugin.options import DEFAULT_SCENARIO, replay_path
from pytest_intacct.profiles import Profile, ProfileError, ProfileWarning, builtin_profiles
from pytest_intacct.reporting.drift import Baseline, check_profiles, load_baseline
from pytest_intacct.reporting.outputs import OUTPUTS, checked_paths
from pytest_intacct.results import waivers as waiver_files
from pytest_intacct.results.waivers import Waiver
from pytest_intacct.safety.text import outside_text
from pytest_intacct.settings.demo import DEFAULT_DEMO_PROFILE, demo_environments, is_demo
from pytest_intacct.settings.environments import (
    EnvironmentSettings,
    SettingsError,
    SettingsWarning,
    declared_profiles,
    load_environments,
    parse_environment_names,
)
from pytest_intacct.settings.fleet import Fleet, fleet_values, load_fleet


@dataclass(frozen=True)
class RunInputs:
    """What the options named, read and checked."""

    environments: list[EnvironmentSettings]
    profiles: dict[str, Profile]  # by environment name
    files: dict[str, Path]  # output option -> the file it writes
    baseline: Baseline | None = None
    waivers: tuple[Waiver, ...] = ()
    fail_on: str = "any"
    today: dt.date = dt.date.min  # the one date the run judges waivers on
    replayed: tuple[Snapshot, ...] = ()
    replay: str | None = None  # how every report names a replay
    notices: tuple[str, ...] = ()  # the settings warnings, for the terminal header
    shard: ShardOf | None = None  # the shard this run checks, of what

    @property
    def offline(self) -> bool:
        return self.replay is not None

    @property
    def profile(self) -> Profile:
        """The run's first profile (an empty shard's: the one its selection's first environment declares)."""
        return next(iter(self.profiles.values()))


class Problems:
    """Every problem found in the inputs, so that one usage error lists them all."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def attempt(self, read: Callable[..., Any], *args: Any) -> Any:
        """``read(*args)``, or None with its problem noted."""
        try:
            return read(*args)
        except (SettingsError, ProfileError, ValueError) as exc:
            self.found.append(str(exc))
            return None

    def message(self, notices: tuple[str, ...]) -> str:
        """One problem as it is, several numbered; then the settings warnings, which may explain them."""
        if len(self.found) == 1:
            text = self.found[0]
        else:
            listed = (f"{n}. {textwrap.indent(p, '   ').lstrip()}" for n, p in enumerate(self.found, 1))
            heading = f"{len(self.found)} problems stop the Intacct run:"
            text = "\n".join([heading, *(textwrap.indent(line, "  ") for line in listed)])
        if notices:
            text += "\nsettings warnings, which may explain it:\n" + "\n".join(f"  {n}" for n in notices)
        return text


def load_inputs(config: pytest.Config, stack: contextlib.ExitStack) -> RunInputs:
    """Read every input the options name; every bad one is listed in one :class:`pytest.UsageError`.
    Simulators a demo environment needs are started on ``stack``, and only when nothing else is wrong."""
    problems = Problems()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SettingsWarning)
        warnings.simplefilter("always", ProfileWarning)
        inputs = _read(config, stack, problems)
    ours = {
        str(w.message): w.category
        for w in caught
        if issubclass(w.category, (SettingsWarning, ProfileWarning))
    }
    notices = tuple(ours)
    for notice, category in ours.items():
        config.issue_config_time_warning(category(notice), stacklevel=2)
    if inputs is None:
        stack.close()
        raise pytest.UsageError(problems.message(notices))
    return replace(inputs, notices=notices)


def _read(config: pytest.Config, stack: contextlib.ExitStack, problems: Problems) -> RunInputs | None:
    """The inputs, or None when ``problems`` holds any."""
    files = problems.attempt(_files, config) or {}
    parsed = problems.attempt(parse_environment_names, config.getoption("intacct_env"))
    problems.attempt(_check_options, config, parsed)
    names: list[str] = parsed or []
    replay = problems.attempt(replay_path, config)
    pack: EvidencePack | None = problems.attempt(load_pack, replay) if replay else None
    environments: list[EnvironmentSettings] | None = None
    refs: dict[str, str | None] = {}
    replayed: list[Snapshot] = []
    shard: Shard | None = config.getoption("intacct_shard")
    selection: list[tuple[str, str]] = []  # (group, name) of every environment selected, before sharding
    if pack is not None:
        replayed = problems.attempt(pack.select, names) or []
        selection = [(s.identity.group, s.environment) for s in replayed]
        replayed = [s for s in replayed if shard is None or shard.holds(s.identity.group)]
        environments = [EnvironmentSettings.recorded(s.identity, s.developer_user_id) for s in replayed]
        refs = dict.fromkeys((env.name for env in environments), None)
    elif not config.getoption("intacct_replay"):
        journal = files.get("--intacct-journal")
        environments, refs, selection = _environments(config, names, journal, stack, problems, shard)
    profiles = _profiles(config, refs, pack, problems)
    baseline_path, waivers_path = config.getoption("intacct_baseline"), config.getoption("intacct_waivers")
    baseline: Baseline | None = problems.attempt(load_baseline, baseline_path) if baseline_path else None
    waivers = problems.attempt(waiver_files.load_waivers, waivers_path) if waivers_path else ()
    if "--intacct-record" in files and len({p.name for p in profiles.values()}) > 1:
        problems.found.append(
            "--intacct-record writes one profile's evidence: select one profile's environments"
        )
    if baseline is not None and profiles:
        problems.attempt(check_profiles, baseline, {name: profile.name for name, profile in profiles.items()})
    if problems.found or environments is None:
        return None
    return RunInputs(
        environments=environments,
        profiles=profiles,
        files=files,
        baseline=baseline,
        waivers=tuple(waivers or ()),
        fail_on=config.getoption("intacct_fail_on"),
        today=waiver_files.utc_today(),  # looked up here, so tests can move the clock
        replayed=tuple(replayed),
        replay=outside_text(pack.describe(replay)) if pack is not None else None,
        shard=ShardOf.cut(shard, selection) if shard is not None else None,
    )


def _check_options(config: pytest.Config, names: list[str] | None) -> None:
    """Options that contradict each other, or that would be silently ignored (``names`` is None when
    ``--intacct-env`` itself was wrong)."""
    replay, fleet = config.getoption("intacct_replay"), config.getoption("intacct_fleet")
    if names is None:
        names = [name for value in config.getoption("intacct_env") for name in value.split(",")]
    elif not (names or replay or fleet):
        raise SettingsError("--intacct-env needs at least one environment name, e.g. --intacct-env=prod")
    if replay and fleet:
        raise SettingsError("--intacct-replay judges recorded evidence: it takes no --intacct-fleet")
    scenario = config.getoption("intacct_scenario")
    if scenario is not None and not any(is_demo(name) for name in names):
        checked = ", ".join(names) if names else "the replay" if replay else "the fleet"
        raise SettingsError(
            f"--intacct-scenario={scenario} sets up the simulated company of --intacct-env=demo, and no "
            f"demo environment is selected: {checked} would be checked for real. Add --intacct-env=demo, "
            "or leave the scenario out"
        )
    ensure_open_files(config.getoption("intacct_concurrency"))
    if config.getoption("intacct_fail_on") == "new" and not config.getoption("intacct_baseline"):
        raise ValueError("--intacct-fail-on=new compares with a baseline: pass --intacct-baseline=PATH too")


def _files(config: pytest.Config) -> dict[str, Path]:
    """The files (and directories) the plugin's own options name, each checked writable; two options
    naming one file (pytest-html's and JUnit's included), or one writing inside another's directory, would
    silently overwrite each other: a usage error instead."""
    given = [(d, value) for d in OUTPUTS if (value := getattr(config.option, d.dest, None))]
    try:
        paths = checked_paths(given, config.invocation_params.dir)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return {declared.option: path for declared, path in paths.items()}


def _environments(
    config: pytest.Config,
    names: list[str],
    journal: Path | None,
    stack: contextlib.ExitStack,
    problems: Problems,
    shard: Shard | None,
) -> tuple[list[EnvironmentSettings] | None, dict[str, str | None], list[tuple[str, str]]]:
    """The environments of the shard (None when one cannot be had), each one's profile as its settings
    declare it, and (group, name) of every environment selected before sharding.

    An empty shard has no environments; its profile is the one the selection's first environment
    declares, so its files name the runbook like every other shard's."""
    directory = config.invocation_params.dir
    fleet_settings: dict[str, dict[str, str]] = {}
    groups: dict[str, str] = {}
    if config.getoption("intacct_fleet"):
        fleet = problems.attempt(_fleet, Path(directory, config.getoption("intacct_fleet")), names, shard)
        if fleet is None:
            return None, {}, []
        names, fleet_settings, groups, selection, declared = fleet
    else:
        selection = [(DEFAULT_GROUP, name) for name in names]
        declared = {}
        if shard is not None and not shard.holds(DEFAULT_GROUP):
            names = []
    if selection and not names:  # an empty shard
        first = selection[0][1]
        ref = DEFAULT_DEMO_PROFILE if is_demo(first) else None
        found = declared_profiles([first], directory, fleet=declared)
        return [], {first: found.get(first) or ref}, selection
    real = [n for n in names if not is_demo(n)]
    demo = [n for n in names if is_demo(n)]
    read = partial(load_environments, fleet=fleet_settings, groups=groups)
    loaded: list[EnvironmentSettings] | None = problems.attempt(read, real, directory)
    if loaded is None:
        refs = declared_profiles(real, directory, fleet=fleet_settings)
    else:
        refs = {env.name: env.profile for env in loaded}
    if demo:
        started = problems.attempt(_demo, config, demo, journal, stack, not problems.found)
        loaded = None if loaded is None or started is None else [*loaded, *started]
        refs |= {env.name: env.profile for env in started or []}
    if loaded is None or len(loaded) < len(names):
        return None, refs, selection
    by_name = {env.name: env for env in loaded}
    return [by_name[name] for name in names], refs, selection


def _fleet(
    path: Path, names: list[str], shard: Shard | None
) -> tuple[
    list[str], dict[str, dict[str, str]], dict[str, str], list[tuple[str, str]], dict[str, dict[str, str]]
]:
    """A fleet's selected environments in the shard: names, settings (secrets resolved: only the shard's
    are needed) and groups; (group, name) of every one selected; and the selection's settings without
    secrets."""
    fleet = load_fleet(path)
    fleet = fleet.select(names) if names else fleet
    selection = [(entry.group, entry.name) for entry in fleet.entries]
    declared = {entry.name: dict(entry.settings) for entry in fleet.entries}
    if shard is not None:
        fleet = Fleet(fleet.path, tuple(e for e in fleet.entries if shard.holds(e.group)))
    groups = {entry.name: entry.group for entry in fleet.entries}
    return fleet.names, fleet_values(fleet, os.environ), groups, selection, declared


def _demo(
    config: pytest.Config, names: list[str], journal: Path | None, stack: contextlib.ExitStack, start: bool
) -> list[EnvironmentSettings]:
    """The demo environments on a simulator started on ``stack``; without ``start`` (another input is wrong)
    the scenario is only read, and there are none."""
    from pytest_intacct.simulator import ScenarioError, load_scenario

    scenario = config.getoption("intacct_scenario") or DEFAULT_SCENARIO
    try:
        if not start:
            load_scenario(scenario)
            return []
        return stack.enter_context(demo_environments(names, scenario, journal))
    except ScenarioError as exc:
        raise SettingsError(f"--intacct-scenario={scenario}: {exc}") from None


def _profiles(
    config: pytest.Config, refs: Mapping[str, str | None], pack: EvidencePack | None, problems: Problems
) -> dict[str, Profile]:
    """Each environment's profile: ``--intacct-profile`` for all, else the replayed one, else its own (a
    demo's is its scenario's, else the Trelica runbook's). Each one that cannot be read is a problem."""
    chosen = config.getoption("intacct_profile")
    if not chosen and pack is not None:
        # A replay judges by the recorded profile: its file if it is here, else the shipped one of its name.
        chosen = pack.profile_path if Path(pack.profile_path).is_file() else pack.profile_name
    if chosen:
        profile = problems.attempt(_read_profile, chosen)
        return dict.fromkeys(refs, profile) if profile is not None else {}
    missing = [name for name, ref in refs.items() if not ref and not is_demo(name)]
    if missing:
        problems.found.append(
            f"no runbook profile for environment(s) {', '.join(missing)}: "
            "pass --intacct-profile NAME|PATH or set INTACCT_PROFILE "
            f"(built-in: {', '.join(builtin_profiles())})"
        )
    wanted = {name: ref or DEFAULT_DEMO_PROFILE for name, ref in refs.items() if name not in missing}
    # Each profile is read once, however many environments name it.
    read = {ref: problems.attempt(_read_profile, ref) for ref in dict.fromkeys(wanted.values())}
    return {name: read[ref] for name, ref in wanted.items() if read[ref] is not None}


def _read_profile(ref: str) -> Profile:
    """The profile, every problem of it one error; the Intacct names it holds that nobody knows, warnings."""
    profile = read_profile(ref)
    for warning in warnings_of(profile):
        warnings.warn(ProfileWarning(warning), stacklevel=2)
    return profile

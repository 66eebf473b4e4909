"""Everything a run reads before its first request, from the options: environments (settings, a fleet,
the demo's simulator, or a replayed evidence pack), their profiles, the baseline, the waivers and the
files to write. Any problem with any of them is one usage error, before anything is sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_intacct.checks import validate_profile
from pytest_intacct.evidence.packs import EvidencePack, load_pack
from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.profiles import Profile, ProfileError, builtin_profiles, load_profile
from pytest_intacct.reporting.drift import Baseline, check_profiles, load_baseline
from pytest_intacct.reporting.outputs import OUTPUTS
from pytest_intacct.results import waivers as waiver_files
from pytest_intacct.results.waivers import Waiver
from pytest_intacct.safety.files import output_path
from pytest_intacct.safety.text import outside_text
from pytest_intacct.settings.demo import DEFAULT_DEMO_PROFILE, demo_environments, is_demo
from pytest_intacct.settings.environments import (
    EnvironmentSettings,
    SettingsError,
    SettingsWarning,
    load_environments,
    parse_environment_names,
)
from pytest_intacct.settings.fleet import fleet_values, load_fleet


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

    @property
    def offline(self) -> bool:
        return self.replay is not None


def load_inputs(config: pytest.Config, stack: contextlib.ExitStack) -> RunInputs:
    """Read every input the options name; every bad one is a :class:`pytest.UsageError`. Simulators a
    demo environment needs are started on ``stack``."""
    try:
        return _load(config, stack)
    except (SettingsError, ProfileError, ValueError) as exc:
        stack.close()
        raise pytest.UsageError(str(exc)) from None


def _load(config: pytest.Config, stack: contextlib.ExitStack) -> RunInputs:
    files = _files(config)
    names = parse_environment_names(config.getoption("intacct_env"))
    replay = config.getoption("intacct_replay")
    if not (names or replay or config.getoption("intacct_fleet")):
        raise SettingsError("--intacct-env needs at least one environment name, e.g. --intacct-env=prod")
    if replay and config.getoption("intacct_fleet"):
        raise SettingsError("--intacct-replay judges recorded evidence: it takes no --intacct-fleet")
    pack = load_pack(replay) if replay else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SettingsWarning)
        if pack is not None:
            replayed = pack.select(names)
            environments = [EnvironmentSettings.recorded(s.identity, s.developer_user_id) for s in replayed]
        else:
            replayed = []
            environments = _environments(config, names, files.get("--intacct-journal"), stack)
    for warning in caught:
        config.issue_config_time_warning(SettingsWarning(str(warning.message)), stacklevel=2)
    profiles = _profiles(config, environments, pack)
    if "--intacct-record" in files and len({p.name for p in profiles.values()}) > 1:
        raise SettingsError(
            "--intacct-record writes one profile's evidence: select one profile's environments"
        )
    fail_on = config.getoption("intacct_fail_on")
    baseline_path = config.getoption("intacct_baseline")
    if fail_on == "new" and not baseline_path:
        raise ValueError("--intacct-fail-on=new compares with a baseline: pass --intacct-baseline=PATH too")
    baseline = load_baseline(baseline_path) if baseline_path else None
    if baseline is not None:
        check_profiles(baseline, {name: profile.name for name, profile in profiles.items()})
    waivers_path = config.getoption("intacct_waivers")
    return RunInputs(
        environments=environments,
        profiles=profiles,
        files=files,
        baseline=baseline,
        waivers=tuple(waiver_files.load_waivers(waivers_path) if waivers_path else ()),
        fail_on=fail_on,
        today=waiver_files.utc_today(),  # looked up here, so tests can move the clock
        replayed=tuple(replayed),
        replay=outside_text(pack.describe(replay)) if pack is not None else None,
    )


def _files(config: pytest.Config) -> dict[str, Path]:
    """The files the plugin's own options name, each checked writable; two options naming one file
    (pytest-html's and JUnit's included) would silently overwrite each other: a usage error instead."""
    base = config.invocation_params.dir
    seen: dict[Path, str] = {}
    files: dict[str, Path] = {}
    for declared in OUTPUTS:
        value = getattr(config.option, declared.dest, None)
        if not value:
            continue
        path = Path(base, value).resolve()
        if path in seen:
            raise SettingsError(
                f"{seen[path]} and {declared.option} both write {path}; give each its own file"
            )
        seen[path] = declared.option
        if declared.own:
            appended = declared.writer == "journal"
            files[declared.option] = output_path(declared.option, value, base, appended=appended)
    return files


def _environments(
    config: pytest.Config, names: list[str], journal: Path | None, stack: contextlib.ExitStack
) -> list[EnvironmentSettings]:
    fleet_path = config.getoption("intacct_fleet")
    fleet_settings: dict[str, dict[str, str]] = {}
    groups: dict[str, str] = {}
    if fleet_path:
        fleet = load_fleet(Path(config.invocation_params.dir, fleet_path))
        fleet = fleet.select(names) if names else fleet
        names = fleet.names
        fleet_settings = fleet_values(fleet, os.environ)
        groups = {entry.name: entry.group for entry in fleet.entries}
    real = [n for n in names if not is_demo(n)]
    demo = [n for n in names if is_demo(n)]
    loaded = load_environments(real, config.invocation_params.dir, fleet=fleet_settings, groups=groups)
    settings = {env.name: env for env in loaded}
    if demo:
        from pytest_intacct.simulator import ScenarioError

        scenario = config.getoption("intacct_scenario")
        try:
            environments = stack.enter_context(demo_environments(demo, scenario, journal))
        except ScenarioError as exc:
            raise SettingsError(f"--intacct-scenario={scenario}: {exc}") from None
        settings |= {env.name: env for env in environments}
    return [settings[n] for n in names]


def _profiles(
    config: pytest.Config, environments: list[EnvironmentSettings], pack: EvidencePack | None
) -> dict[str, Profile]:
    """Each environment's profile: ``--intacct-profile`` for all, else the replayed one, else its own."""
    chosen = config.getoption("intacct_profile")
    if not chosen and pack is not None:
        # A replay judges by the recorded profile: its file if it is here, else the shipped one of its name.
        chosen = pack.profile_path if Path(pack.profile_path).is_file() else pack.profile_name
    if chosen:
        profile = validate_profile(load_profile(chosen))
        return {env.name: profile for env in environments}
    # A demo environment's profile is its scenario's, else the Trelica runbook's.
    missing = [env.name for env in environments if not env.profile and not is_demo(env.name)]
    if missing:
        raise SettingsError(
            f"no runbook profile for environment(s) {', '.join(missing)}: "
            "pass --intacct-profile NAME|PATH or set INTACCT_PROFILE "
            f"(built-in: {', '.join(builtin_profiles())})"
        )
    loaded: dict[str, Profile] = {}  # each profile read once, however many environments name it
    for env in environments:
        ref = env.profile or DEFAULT_DEMO_PROFILE
        if ref not in loaded:
            loaded[ref] = validate_profile(load_profile(ref))
    return {env.name: loaded[env.profile or DEFAULT_DEMO_PROFILE] for env in environments}

"""The plugin's command-line options and the parsers of their values: a bad value is a usage error
before any request is sent."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pytest

from pytest_intacct.identity import Shard
from pytest_intacct.profiles import builtin_profiles
from pytest_intacct.reporting.outputs import OUTPUTS
from pytest_intacct.safety.limits import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MAX_RETRIES, check_concurrency

DEFAULT_SCENARIO = "trelica-ready"  # the simulated company of a demo run
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 4
# What each option holds when it is not given (the outputs' options hold None); one given without an
# environment to check is a usage error, never a run that silently ignores it.
UNSET: dict[str, object] = {
    "intacct_profile": None,
    "intacct_scenario": None,  # None, not the default scenario: one given with no demo environment is refused
    "intacct_baseline": None,
    "intacct_fail_on": "any",
    "intacct_waivers": None,
    "intacct_timeout": DEFAULT_TIMEOUT,
    "intacct_concurrency": DEFAULT_CONCURRENCY,
    "intacct_retries": DEFAULT_RETRIES,
    "intacct_shard": None,
}
SELECTING = ("intacct_env", "intacct_fleet", "intacct_replay")  # the options that name what to check


def suites_dir() -> Path:
    """The acceptance suites a run without paths collects: inside the package when installed, beside it
    in a checkout."""
    package = Path(__file__).parent.parent
    installed = package / "suites"
    return installed if installed.is_dir() else package.parent / "suites"


def timeout_seconds(text: str) -> float:
    """``--intacct-timeout``: a finite number of seconds greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the timeout must be a finite number of seconds > 0")
    return value


def retry_count(text: str) -> int:
    """``--intacct-retries``: a whole number from 0 to :data:`MAX_RETRIES`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= MAX_RETRIES:
        raise argparse.ArgumentTypeError(f"{text!r}: retries must be between 0 and {MAX_RETRIES}")
    return value


def concurrency(text: str) -> int:
    """``--intacct-concurrency``: how many environments are read side by side."""
    try:
        return check_concurrency(int(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to {MAX_CONCURRENCY}, got {text!r}"
        ) from None


def shard(text: str) -> Shard:
    """``--intacct-shard``: ``K/N``, shard K (from 1) of N."""
    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_options(parser: pytest.Parser) -> None:
    """The ``intacct`` option group; one option per file the plugin writes (reporting.outputs)."""
    group = parser.getgroup("intacct", "Sage Intacct acceptance checks")
    group.addoption(
        "--intacct-env",
        action="append",
        default=[],
        metavar="NAME",
        help="Intacct environment(s) to check, repeatable or comma-separated; "
        "'demo' uses the embedded simulator.",
    )
    group.addoption(
        "--intacct-fleet",
        metavar="PATH",
        help="TOML file of [[environment]] entries to check (all, or the --intacct-env subset); "
        "see docs/fleet.md.",
    )
    group.addoption(
        "--intacct-profile",
        metavar="NAME|PATH",
        help=f"Runbook profile (built-in: {', '.join(builtin_profiles())}); "
        "default: the environment's INTACCT_PROFILE.",
    )
    group.addoption(
        "--intacct-scenario",
        default=UNSET["intacct_scenario"],
        metavar="NAME|PATH",
        help=f"Simulator scenario for demo environments (default: {DEFAULT_SCENARIO}).",
    )
    for declared in OUTPUTS:
        if declared.own:
            group.addoption(declared.option, dest=declared.dest, metavar=declared.metavar, help=declared.help)
    group.addoption(
        "--intacct-baseline",
        metavar="PATH",
        help="An earlier acceptance JSON: report drift (new-fail, new-error, new-pass, added, removed).",
    )
    group.addoption(
        "--intacct-fail-on",
        choices=("any", "new"),
        default=UNSET["intacct_fail_on"],
        help="Exit 1/10 on any failure/error (default), or only on new ones since the baseline.",
    )
    group.addoption(
        "--intacct-waivers", metavar="PATH", help="TOML file of [[waiver]] tables accepting known failures."
    )
    group.addoption(
        "--intacct-replay",
        action="append",  # given twice is an error, never silently the last one (replay_path)
        metavar="PATH",
        help="Judge the profile on an evidence pack instead of the gateway: no network, no credentials.",
    )
    group.addoption(
        "--intacct-timeout",
        type=timeout_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="Timeout per gateway request.",
    )
    group.addoption(
        "--intacct-concurrency",
        type=concurrency,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"Environments read side by side (default {DEFAULT_CONCURRENCY}); a company gets one at a time.",
    )
    group.addoption(
        "--intacct-shard",
        type=shard,
        metavar="K/N",
        help="Check only shard K of N: the groups whose names hash to it, all of each group's "
        "environments (the same split every run); merge the shards' --intacct-json files with "
        "python -m pytest_intacct.merge.",
    )
    group.addoption(
        "--intacct-retries",
        type=retry_count,
        default=DEFAULT_RETRIES,
        metavar="N",
        help="Re-sends after a transport failure (connection error, timeout, 5xx except 524).",
    )


def replay_path(config: pytest.Config) -> str | None:
    """The one evidence pack ``--intacct-replay`` names; ValueError when it is given more than once."""
    paths = config.getoption("intacct_replay") or []
    if len(paths) > 1:
        raise ValueError(
            f"--intacct-replay is given {len(paths)} times ({', '.join(paths)}): a run judges one evidence "
            "pack. Replay each on its own with --intacct-json, then combine the acceptance files with "
            "python -m pytest_intacct.merge"
        )
    return paths[0] if paths else None


def selects_environments(config: pytest.Config) -> bool:
    """Whether the options name anything to check (environments, a fleet or an evidence pack)."""
    return any(config.getoption(name) for name in SELECTING)


def given_options(config: pytest.Config) -> list[str]:
    """The plugin's options that were given a value other than their default, as their flags."""
    given = [
        f"--{dest.replace('_', '-')}" for dest, unset in UNSET.items() if config.getoption(dest) != unset
    ]
    return given + [d.option for d in OUTPUTS if d.own and getattr(config.option, d.dest, None)]

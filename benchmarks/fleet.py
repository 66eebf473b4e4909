"""``make bench``: what checking a fleet costs, on loopback against the simulator with 300 ms latency.

Prints requests per environment (both profiles, and a naive one-request-per-read client; the XML gateway
alone, with an auditor login, and with the REST API's reads on), wall time for
1, 10, 50 and 200 companies as ratios to the latency floors (one after another with
``AcceptanceRun.snapshot``, and side by side with ``AcceptanceRun.prefetch``, which runs
``pytest_intacct.evidence.lanes`` around ``snapshot.collect``), the same through the real plugin path
(``pytest --intacct-fleet=FILE`` in a subprocess, with and without ``-n 2``), peak memory per
environment, and the plugin's idle import cost. Bounded: well under two minutes. Wall times and memory are
the XML gateway's alone (two requests a company), as the README's table reports them.

The timed simulator runs in its own process, so its CPU time does not compete with the clients' for the
GIL (the real gateway is not in our process either).
"""

from __future__ import annotations

import dataclasses
import json
import math
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from multiprocessing.synchronize import Event
from pathlib import Path

from pytest_intacct.client import functions as fn
from pytest_intacct.evidence.lanes import DEFAULT_CONCURRENCY
from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.profiles import Profile, load_profile
from pytest_intacct.run import AcceptanceRun
from pytest_intacct.settings.demo import login_settings
from pytest_intacct.settings.environments import EnvironmentSettings
from pytest_intacct.simulator import Scenario, ScenarioLogin, Simulator, load_scenario
from pytest_intacct.simulator.replicate import replicate

LATENCY = 0.3
SIZES = (1, 10, 50, 200)
PLUGIN_RUNS = ((10, ()), (200, ()), (200, ("-n", "2")))  # fleet size, extra pytest arguments
SEQUENTIAL_SIZES = (1, 10)  # 200 in sequence would take two minutes on its own: larger sizes are projected
PROFILES = {"trelica": ("trelica-ready", "primary"), "calance": ("calance-ready", "production")}
IMPORT_RUNS = 7
# What a pytest start imports anyway, before the plugin: the plugin's own cost is what comes on top.
ALREADY_IMPORTED = "import pytest, pytest_html.plugin, pytest_metadata.plugin, xdist.plugin"


# trelica-ready with an auditor login that also reads the REST API (its client authorized for the auditor,
# which holds the admin privileges REST reads of users need).
AUDITED_REST = """
extends = "trelica-audited"

[[logins]]
name = "primary"
sender_id = "TrelicaMPP"
sender_password = "Trelica-sender-pass-1"
company_id = "TRELICA-DEMO"
user_id = "trelica_ws"
user_password = "Trelica-ws-pass-1"
auditor_user_id = "setup_auditor"
auditor_user_password = "Setup-auditor-pass-1"
rest_client_id = "trelica-checker.app.sage.com"
rest_client_secret = "Trelica-rest-secret-1"

[companies.TRELICA-DEMO.authorized_clients."trelica-checker.app.sage.com"]
user = "setup_auditor"

[companies.TRELICA-DEMO.users.setup_auditor]
admin = "Limited"
"""


def settings(login: ScenarioLogin, endpoint: str, *, rest: bool = False) -> EnvironmentSettings:
    """A login's settings; without ``rest``, the XML gateway alone (no REST client, even if it has one)."""
    env = login_settings(login.name, login, endpoint, production=False)
    return env if rest else dataclasses.replace(env, rest_client_id=None, rest_client_secret=None)


def _serve(scenario: Scenario, latency: float, endpoint: multiprocessing.SimpleQueue, stop: Event) -> None:
    with Simulator(scenario) as simulator:
        simulator.faults.latency = latency
        endpoint.put(simulator.endpoint)
        stop.wait(600)


@contextmanager
def simulator_process(scenario: Scenario, latency: float) -> Iterator[str]:
    """A simulator in a child process; yields its login URL."""
    context = multiprocessing.get_context("spawn")
    endpoint, stop = context.SimpleQueue(), context.Event()
    process = context.Process(target=_serve, args=(scenario, latency, endpoint, stop), daemon=True)
    process.start()
    try:
        yield endpoint.get()
    finally:
        stop.set()
        process.join(10)


def requests_per_environment() -> None:
    print("Requests per environment (one company, no latency)")
    print(f"  {'profile':<10} {'project collect':>16} {'naive, one per read':>20}")
    for profile_name, (scenario, login_name) in PROFILES.items():
        profile = load_profile(profile_name)
        with Simulator(load_scenario(scenario)) as simulator:
            env = settings(simulator.logins[login_name], simulator.endpoint)
            run = AcceptanceRun([env], profile)
            run.snapshot(env.name)
            batched = len(simulator.journal.entries)
            simulator.journal.clear()
            with run.client(env.name) as client:
                for function in naive_reads(run, env):
                    client.call(function)
            naive = len(simulator.journal.entries)
        print(f"  {profile_name:<10} {batched:>16} {naive:>20}")
    with Simulator(load_scenario("runbook-exact-audited")) as simulator:
        env = settings(simulator.primary_login, simulator.endpoint)
        AcceptanceRun([env], load_profile("trelica")).snapshot(env.name)
        audited = len(simulator.journal.entries)
    print(f"  {'trelica':<10} {audited:>16}  with an auditor login (two sign-ins, two batches)")
    with tempfile.TemporaryDirectory() as scratch:
        audited_rest = Path(scratch, "audited-rest.toml")
        audited_rest.write_text(AUDITED_REST, encoding="utf-8")
        for scenario, words in (("trelica-ready", ""), (str(audited_rest), " and an auditor login")):
            xml, rest = rest_on(scenario)
            print(
                f"  {'trelica':<10} {xml + rest:>16}  with REST on{words}: {xml} XML, {rest} REST{REST_READS}"
            )


REST_READS = " (one token, company-preference, the user's key by a query, its record)"


def rest_on(scenario: str) -> tuple[int, int]:
    """Requests to the XML gateway and to the REST API for one company read with REST access."""
    with Simulator(load_scenario(scenario)) as simulator:
        env = settings(simulator.primary_login, simulator.endpoint, rest=True)
        snapshot = AcceptanceRun([env], load_profile("trelica")).snapshot(env.name)
        paths = [entry.path for entry in simulator.journal.entries]
    if snapshot.rest_sign_in is None or not snapshot.rest_sign_in.ok:
        raise RuntimeError(f"{scenario}: the REST token was not granted")
    rest = sum(path.startswith("/ia/api/") for path in paths)
    return len(paths) - rest, rest


def naive_reads(run: AcceptanceRun, env: EnvironmentSettings) -> list[fn.Function]:
    """The XML reads ``collect`` batches, as a per-object client sends them: one request each."""
    return [
        read.build() for read in {read.key: read for read in run.plan(env)}.values() if read.source == "xml"
    ]


def collect_concurrently(envs: Sequence[EnvironmentSettings], profile: Profile) -> list[Snapshot]:
    """Every environment read by ``AcceptanceRun.prefetch`` (the collection engine, the project's collect)."""
    run = AcceptanceRun(envs, profile)
    run.prefetch(concurrency=DEFAULT_CONCURRENCY)
    snapshots = run.snapshots()
    failed = [snapshot.environment for snapshot in snapshots if not snapshot.sign_in.ok]
    if failed or len(snapshots) != len(envs):
        raise RuntimeError(f"collection failed for {failed or 'some environments'}")
    return snapshots


def read_in_turn(run: AcceptanceRun, envs: Sequence[EnvironmentSettings]) -> None:
    """The environments read one after another, each ``AcceptanceRun.snapshot`` waiting for the last."""
    for env in envs:
        run.snapshot(env.name)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def wall_times() -> None:
    profile = load_profile("trelica")
    scenario = replicate(load_scenario("trelica-ready"), max(SIZES))
    concurrency = DEFAULT_CONCURRENCY
    with simulator_process(scenario, LATENCY) as endpoint:
        everyone = [settings(login, endpoint) for login in scenario.logins]
        probe = AcceptanceRun(everyone[:1], profile)
        round_trips = probe.snapshot(everyone[0].name).round_trips
        all_floor = round_trips * LATENCY
        print(
            f"\nWall time, {LATENCY * 1000:.0f} ms per request, {round_trips} round trips per company, "
            f"concurrency {concurrency}"
        )
        print(
            f"  {'companies':>9} {'sequential':>11} {'concurrent':>11} {'floor(c)':>9} "
            f"{'x floor(c)':>10} {'x all-concurrent floor':>23}"
        )
        per_company = 0.0
        for size in SIZES:
            envs = everyone[:size]
            if size in SEQUENTIAL_SIZES:
                run = AcceptanceRun(envs, profile)
                sequential = timed(partial(read_in_turn, run, envs))
                per_company = sequential / size
                sequential_text = f"{sequential:10.2f}s"
            else:
                sequential_text = f"~{per_company * size:9.1f}s"  # projected from the last measured size
            concurrent = timed(partial(collect_concurrently, envs, profile))
            floor = math.ceil(size / concurrency) * round_trips * LATENCY
            print(
                f"  {size:>9} {sequential_text:>11} {concurrent:10.2f}s {floor:8.2f}s "
                f"{concurrent / floor:9.2f}x {concurrent / all_floor:22.1f}x"
            )
        print("  (~: projected as companies x the measured time per company)")

        through_the_plugin(scenario, endpoint, round_trips)

        print("\nPeak Python memory while collecting (tracemalloc, client side)")
        for size in (1, 50):
            envs = everyone[:size]
            tracemalloc.start()
            collect_concurrently(envs, profile)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            per_environment = peak / size / 1024
            print(f"  {size:>3} companies: peak {peak / 1024:6.0f} KiB, {per_environment:4.0f} KiB each")


def fleet_file(path: Path, logins: Sequence[ScenarioLogin], endpoint: str) -> dict[str, str]:
    """Write a fleet file of ``logins`` at ``endpoint``; return the variables holding its secrets."""
    entries = [
        f'[[environment]]\nname = "{login.name}"\ncompany = "{login.company_id}"\nuser = "{login.user_id}"\n'
        for login in logins
    ]
    defaults = (
        f'[defaults]\nprofile = "trelica"\nsender = "{logins[0].sender_id}"\nendpoint = "{endpoint}"\n'
        'production = false\nsender_password_var = "BENCH_SENDER_PASSWORD"\n'
        'user_password_var = "BENCH_USER_PASSWORD"\n\n'
    )
    path.write_text(defaults + "\n".join(entries), encoding="utf-8")
    # Every copy of a replicated login shares its passwords.
    return {
        "BENCH_SENDER_PASSWORD": logins[0].sender_password,
        "BENCH_USER_PASSWORD": logins[0].user_password,
    }


def through_the_plugin(scenario: Scenario, endpoint: str, round_trips: int) -> None:
    """``pytest --intacct-fleet=FILE`` in a subprocess: the whole run, start to verdict, against the floor."""
    concurrency = DEFAULT_CONCURRENCY
    print("\nThrough the plugin: pytest --intacct-fleet=FILE -q (a subprocess: start, read, judge, report)")
    print(
        f"  {'companies':>9} {'arguments':>10} {'wall':>8} {'floor(c)':>9} {'x floor(c)':>10} {'verdict':>9}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for size, extra in PLUGIN_RUNS:
            fleet, out = Path(scratch, f"fleet-{size}.toml"), Path(scratch, "acceptance.json")
            secrets = fleet_file(fleet, scenario.logins[:size], endpoint)
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
            command += [f"--intacct-fleet={fleet}", f"--intacct-json={out}"]
            environ = {**os.environ, **secrets}
            wall = timed(
                partial(subprocess.run, command, cwd=scratch, env=environ, capture_output=True, check=False)
            )
            document = json.loads(out.read_text(encoding="utf-8"))
            if len(document["environments"]) != size:
                raise RuntimeError(f"the run checked {len(document['environments'])} of {size} environments")
            floor = math.ceil(size / concurrency) * round_trips * LATENCY
            print(
                f"  {size:>9} {' '.join(extra) or '-':>10} {wall:7.2f}s {floor:8.2f}s {wall / floor:9.2f}x "
                f"{document['verdict']:>9}"
            )
    print("  (wall includes starting Python and pytest, collecting and running every requirement's test)")


def import_cost() -> None:
    print(f"\nIdle import cost (median of {IMPORT_RUNS} runs)")
    cumulative: list[float] = []
    children: dict[str, list[float]] = {}
    for _ in range(IMPORT_RUNS):
        stderr = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"{ALREADY_IMPORTED}; import pytest_intacct.plugin"],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        total, parts = plugin_subtree(stderr)
        cumulative.append(total)
        for name, value in parts.items():
            children.setdefault(name, []).append(value)
    print(
        f"  import pytest_intacct.plugin after pytest and its other plugins (-X importtime, which inflates):"
        f" {statistics.median(cumulative) / 1000:.1f} ms"
    )
    print("  its direct imports by cumulative cost:")
    ranked = sorted(children.items(), key=lambda item: -statistics.median(item[1]))
    for name, values in ranked[:12]:
        print(f"    {statistics.median(values) / 1000:6.1f} ms  {name}")
    with tempfile.TemporaryDirectory() as empty:
        with_plugin, without = pytest_starts(empty)
    print(
        f"  pytest --collect-only in an empty directory: {with_plugin * 1000:.0f} ms with the plugin, "
        f"{without * 1000:.0f} ms with -p no:intacct: the plugin adds {(with_plugin - without) * 1000:.0f} ms"
    )


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def plugin_subtree(stderr: str) -> tuple[float, dict[str, float]]:
    """Cumulative microseconds of ``pytest_intacct.plugin`` and of each module it imports directly."""
    rows = [
        (int(match[2]), len(match[3]), match[4])
        for match in map(_IMPORT_LINE.match, stderr.splitlines())
        if match
    ]
    index = max(i for i, (_, _, name) in enumerate(rows) if name == "pytest_intacct.plugin")
    total, depth, _ = rows[index]
    children: dict[str, float] = {}
    for cumulative, row_depth, name in reversed(rows[:index]):  # -X importtime prints children first
        if row_depth <= depth:
            break
        if row_depth == depth + 2:  # two spaces per level
            children[name] = cumulative
    return total, children


def pytest_starts(directory: str) -> tuple[float, float]:
    """Median wall times of pytest starts that load plugins, with and without this one, interleaved.

    ``pytest --version`` loads no plugins on pytest 9, so an empty collection is timed instead.
    """
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(IMPORT_RUNS):
        for plugin in (True, False):
            command = [
                sys.executable,
                "-m",
                "pytest",
                "--collect-only",
                "-q",
                *([] if plugin else ["-p", "no:intacct"]),
            ]
            # check=False: exit code 5, no tests collected
            times[plugin].append(
                timed(partial(subprocess.run, command, cwd=directory, capture_output=True, check=False))
            )
    return statistics.median(times[True]), statistics.median(times[False])


def main() -> None:
    started = time.perf_counter()
    requests_per_environment()
    wall_times()
    import_cost()
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

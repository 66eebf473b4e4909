"""``make bench`` (second part): a fleet of companies a night, against the simulator at 300 ms a request.

For each fleet size it runs, side by side on this machine:

- the plugin: ``pytest --intacct-fleet=FILE`` writing the go-live page, JUnit, the acceptance file, the
  Markdown, the fleet report and the CSV, in a subprocess;
- bare pytest running the same number of trivial tests and writing the same pytest-html page and JUnit;

and prints wall time, the latency floors (every company at once; and at the chosen concurrency), CPU
seconds (the plugin's process, bare pytest's, and the simulator's, which shares the machine), peak RSS
per company (and above bare pytest's), and every artifact's size per company; the largest size is run
once more under ``-n 2``, and 5,000 companies are projected from the two largest sizes. The smallest
size is also judged from an evidence pack it recorded (``--intacct-replay``, no network), which shows
the cost per requirement apart from the cost of reading. It then
opens the fleet index page in headless Chromium, and checks that four shards merged give the verdicts,
outcomes and exit code of one run. Set ``BENCH_SIZES`` (e.g. ``200,1000``) to choose the sizes.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fleet import LATENCY, fleet_file, simulator_process
from pytest_intacct.profiles import load_profile
from pytest_intacct.safety.limits import DEFAULT_CONCURRENCY
from pytest_intacct.simulator import load_scenario
from pytest_intacct.simulator.replicate import replicate

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "200,1000,2000").split(","))
PROJECTED = 5000
TESTS_PER_COMPANY = len(load_profile("trelica").requirements)
ROUND_TRIPS = 2
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "0")) or DEFAULT_CONCURRENCY
SHARDS = 4
BARE = """
import pytest


@pytest.mark.parametrize("i", range({count}))
def test_requirement(i):
    pass
"""
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # user + system seconds
    rss: float  # peak MiB
    code: int


def measured(command: list[str], cwd: Path, environ: dict[str, str]) -> Measured:
    """Wall and CPU seconds, peak RSS in MiB (GNU time) and the exit code of ``command``."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%U %S %M", *command], cwd=cwd, env=environ, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    user, system, rss = done.stderr.strip().splitlines()[-1].split()
    return Measured(wall, float(user) + float(system), int(rss) / 1024, done.returncode)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sizes_of(files: dict[str, Path]) -> dict[str, int]:
    """Bytes of each file, or of all the files of a directory."""
    found = {}
    for name, path in files.items():
        if path.is_dir():
            found[name] = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        elif path.exists():
            found[name] = path.stat().st_size
    return found


def plugin_run(
    directory: Path, environ: dict[str, str], *extra: str, fleet: bool = True
) -> tuple[Measured, dict[str, Path]]:
    files = {
        name: directory / name
        for name in (
            "report.html",
            "junit.xml",
            "acceptance.json",
            "acceptance.md",
            "fleet-report",
            "fleet.csv",
        )
    }
    command = [*PYTEST, *(["--intacct-fleet=fleet.toml"] if fleet else []), *extra]
    command.append(f"--intacct-concurrency={CONCURRENCY}")
    command += [f"--html={files['report.html']}", "--self-contained-html", f"--junitxml={files['junit.xml']}"]
    command += [f"--intacct-json={files['acceptance.json']}", f"--intacct-markdown={files['acceptance.md']}"]
    command += [f"--intacct-fleet-report={files['fleet-report']}", f"--intacct-csv={files['fleet.csv']}"]
    run = measured(command, directory, environ)
    document = json.loads(files["acceptance.json"].read_text(encoding="utf-8"))
    if sum(1 for env in document["environments"] if not env["name"].startswith("*")) != int(
        directory.name.split("-")[1]
    ):
        raise RuntimeError(f"{directory}: not every company was checked")
    return run, files


def bare_run(size: int, scratch: Path) -> Measured:
    folder = scratch / f"bare-{size}"
    folder.mkdir()
    (folder / "test_bare.py").write_text(BARE.format(count=size * TESTS_PER_COMPANY), encoding="utf-8")
    command = [*PYTEST, "-p", "no:intacct", f"--html={folder / 'report.html'}", "--self-contained-html"]
    command.append(f"--junitxml={folder / 'junit.xml'}")
    return measured(command, folder, dict(os.environ))


def replayed(directory: Path, environ: dict[str, str]) -> Measured:
    """The fleet recorded into an evidence pack, then judged from it with the same outputs: no network."""
    recorded = directory.parent / f"{directory.name}-recorded"
    recorded.mkdir()
    shutil.copy(directory / "fleet.toml", recorded / "fleet.toml")
    plugin_run(recorded, environ, f"--intacct-record={recorded / 'pack.json'}")
    replay = directory.parent / f"{directory.name}-replay"
    replay.mkdir()
    plugin, _ = plugin_run(replay, environ, f"--intacct-replay={recorded / 'pack.json'}", fleet=False)
    return plugin


def outcomes(path: Path) -> tuple[str, dict[tuple[str, str], str]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    found = {
        (env["name"], r["id"]): r["outcome"] for env in document["environments"] for r in env["requirements"]
    }
    return document["verdict"], found


def sharded(directory: Path, environ: dict[str, str], whole: Path, whole_code: int) -> str:
    """Four shards of the fleet and their merge, against the one run: the same or not, and why."""
    for k in range(1, SHARDS + 1):
        command = [*PYTEST, "--intacct-fleet=fleet.toml", f"--intacct-shard={k}/{SHARDS}"]
        command.append(f"--intacct-json=shard-{k}.json")
        subprocess.run(command, cwd=directory, env=environ, capture_output=True, check=False)
    shards = [f"shard-{k}.json" for k in range(1, SHARDS + 1)]
    merge = [sys.executable, "-m", "pytest_intacct.merge", *shards, "--json=merged.json"]
    code = subprocess.run(merge, cwd=directory, env=environ, capture_output=True, check=False).returncode
    merged, one = outcomes(directory / "merged.json"), outcomes(whole)
    if merged == one and code == whole_code:
        return "yes"
    differ = [
        f"{key}: {merged[1].get(key)} vs {outcome}"
        for key, outcome in one[1].items()
        if merged[1].get(key) != outcome
    ]
    verdicts = f"exit {code} vs {whole_code}, verdict {merged[0]} vs {one[0]}"
    return f"NO ({verdicts}; {len(differ)} results differ, e.g. {differ[:3]})"


def browser_load(page: Path) -> float | None:
    """Seconds Chromium takes to load and run ``page`` (None without Chromium)."""
    chromium = shutil.which("chromium")
    if chromium is None or not page.exists():
        return None
    with tempfile.TemporaryDirectory() as profile:
        started = time.perf_counter()
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True, timeout=300, check=True,
        )  # fmt: skip
        return time.perf_counter() - started


def row(label: str, size: int, plugin: Measured, bare: Measured, simulator: float | None) -> str:
    """A table row; ``simulator`` is None for a run that contacted no gateway (no floors, no simulator)."""
    floor_c = math.ceil(size / CONCURRENCY) * ROUND_TRIPS * LATENCY
    floors, sim = f"{'-':>10} {'-':>9}", f"{'-':>9}"
    if simulator is not None:
        floors, sim = f"{ROUND_TRIPS * LATENCY:9.1f}s {floor_c:8.1f}s", f"{simulator:8.1f}s"
    above = (plugin.rss - bare.rss) / size
    return (
        f"  {label:>13} {plugin.wall:7.1f}s {floors} {bare.wall:10.1f}s "
        f"{plugin.wall / bare.wall:6.2f}x {plugin.cpu:7.1f}s {bare.cpu:7.1f}s {sim} "
        f"{plugin.rss / size:10.3f} {bare.rss / size:11.3f} {above:11.3f}"
    )


def main() -> None:
    started = time.perf_counter()
    scenario = replicate(load_scenario("trelica-ready"), max(SIZES))
    print(
        f"A fleet a night: trelica profile ({TESTS_PER_COMPANY} requirements a company), "
        f"{LATENCY * 1000:.0f} ms a request, concurrency {CONCURRENCY}; HTML, JUnit, JSON, Markdown, "
        "fleet report and CSV written"
    )
    print(
        f"  {'companies':>13} {'wall':>8} {'floor(all)':>10} {'floor(c)':>9} {'bare pytest':>11} "
        f"{'x bare':>7} {'CPU':>8} {'bare CPU':>8} {'sim CPU':>9} {'RSS MiB/co':>10} {'bare MiB/co':>11} "
        f"{'above bare':>11}"
    )
    results = []
    with simulator_process(scenario, LATENCY) as endpoint, tempfile.TemporaryDirectory() as scratch:
        [simulator] = multiprocessing.active_children()
        pid = simulator.pid
        assert pid is not None  # started

        def run(directory: Path, environ: dict[str, str], *extra: str) -> tuple[Measured, dict, float]:
            before = cpu_seconds(pid)
            plugin, files = plugin_run(directory, environ, *extra)
            return plugin, files, cpu_seconds(pid) - before

        for size in SIZES:
            directory = Path(scratch, f"fleet-{size}")
            directory.mkdir()
            environ = {**os.environ, **fleet_file(directory / "fleet.toml", scenario.logins[:size], endpoint)}
            plugin, files, served = run(directory, environ)
            bare = bare_run(size, Path(scratch))
            results.append((size, plugin, bare, files, directory, environ))
            print(row(str(size), size, plugin, bare, served))
        size, plugin, bare, _, directory, environ = results[-1]
        xdist_dir = Path(scratch, f"xdist-{size}")
        xdist_dir.mkdir()
        shutil.copy(directory / "fleet.toml", xdist_dir / "fleet.toml")
        parallel, _, served = run(xdist_dir, environ, "-n", "2")
        print(row(f"{size} -n 2", size, parallel, bare, served))
        small, _, small_bare, _, directory, environ = results[0]
        print(row(f"{small} replay", small, replayed(directory, environ), small_bare, None))
        if len(results) >= 2:
            (small, a, *_), (large, b, *_) = results[-2], results[-1]
            slope = (b.wall - a.wall) / (large - small)
            projected = b.wall + slope * (PROJECTED - large)
            print(f"  {PROJECTED:>12} {projected:7.1f}s (projected from {small} and {large})")

        print("\n  artifact sizes, KB per company:")
        for size, _, _, files, _, _ in results:
            listed = ", ".join(f"{name} {n / size / 1024:.1f}" for name, n in sizes_of(files).items())
            print(f"  {size:>12}: {listed}")
        for size, _, _, files, _, _ in results:
            seconds = browser_load(files["fleet-report"] / "index.html")
            if seconds is not None:
                print(f"  the fleet index page of {size} companies opens in Chromium in {seconds:.2f} s")
        size, plugin, _, files, directory, environ = results[0]
        verdict = sharded(directory, environ, files["acceptance.json"], plugin.code)
        print(
            f"  {SHARDS} shards of {size} companies merged: the verdicts, outcomes and exit code of one run:"
        )
        print(f"  {verdict}")
    print(f"\n(took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

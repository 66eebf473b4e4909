"""``make bench`` (second part): a fleet of companies a night, against the simulator at 300 ms a request.

For each fleet size it runs, side by side on this machine:

- the plugin: ``pytest --intacct-fleet=FILE`` writing the go-live page, JUnit, the acceptance file and the
  Markdown (and the fleet report and the CSV), in a subprocess;
- bare pytest running the same number of trivial tests and writing the same pytest-html page and JUnit;

and prints wall time, the latency floors (every company at once; and at the chosen concurrency), peak
RSS per company, and every artifact's size per company. It then opens the fleet index page in headless
Chromium (time to load), and checks that four shards merged give the verdicts, outcomes and exit code of
one run. Set ``BENCH_SIZES`` (e.g. ``200,1000``) to choose the sizes.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.fleet import LATENCY, fleet_file, simulator_process
from pytest_intacct.simulator import load_scenario
from pytest_intacct.simulator.replicate import replicate

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "200,1000,2000").split(","))
TESTS_PER_COMPANY = 18  # the trelica profile
ROUND_TRIPS = 2
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "0")) or None  # None: the plugin's default
BARE = """
import pytest


@pytest.mark.parametrize("i", range({count}))
def test_requirement(i):
    pass
"""


def measured(command: list[str], cwd: Path, environ: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB (GNU time) and the exit code of ``command``."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command], cwd=cwd, env=environ, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    rss_kib = int(done.stderr.strip().splitlines()[-1])
    return wall, rss_kib / 1024, done.returncode


def sizes_of(files: dict[str, Path]) -> dict[str, int]:
    found = {}
    for name, path in files.items():
        if path.is_dir():
            found[name] = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        elif path.exists():
            found[name] = path.stat().st_size
    return found


def run_size(size: int, endpoint: str, scenario, scratch: Path) -> dict[str, object]:
    directory = scratch / f"fleet-{size}"
    directory.mkdir()
    secrets = fleet_file(directory / "fleet.toml", scenario.logins[:size], endpoint)
    environ = {**os.environ, **secrets}
    files = {
        "report.html": directory / "report.html",
        "junit.xml": directory / "junit.xml",
        "acceptance.json": directory / "acceptance.json",
        "acceptance.md": directory / "acceptance.md",
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--intacct-fleet=fleet.toml"]
    command += [f"--html={files['report.html']}", "--self-contained-html", f"--junitxml={files['junit.xml']}"]
    command += [f"--intacct-json={files['acceptance.json']}", f"--intacct-markdown={files['acceptance.md']}"]
    for option, name in (("--intacct-fleet-report", "fleet-report"), ("--intacct-csv", "fleet.csv")):
        if (
            option
            in subprocess.run(
                [sys.executable, "-m", "pytest", "--help"], capture_output=True, text=True, check=False
            ).stdout
        ):
            files[name] = directory / name
            command.append(f"{option}={files[name]}")
    if CONCURRENCY:
        command.append(f"--intacct-concurrency={CONCURRENCY}")
    plugin_wall, plugin_rss, code = measured(command, directory, environ)
    document = json.loads(files["acceptance.json"].read_text(encoding="utf-8"))
    assert len(document["environments"]) == size, "every company was checked"

    bare_dir = scratch / f"bare-{size}"
    bare_dir.mkdir()
    (bare_dir / "test_bare.py").write_text(BARE.format(count=size * TESTS_PER_COMPANY), encoding="utf-8")
    bare = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:intacct"]
    bare += [
        f"--html={bare_dir / 'report.html'}",
        "--self-contained-html",
        f"--junitxml={bare_dir / 'junit.xml'}",
    ]
    bare_wall, bare_rss, _ = measured(bare, bare_dir, dict(os.environ))
    return {
        "size": size,
        "plugin": (plugin_wall, plugin_rss, code, document["verdict"]),
        "bare": (bare_wall, bare_rss),
        "sizes": sizes_of(files),
        "fleet_index": files.get("fleet-report"),
    }


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


def main() -> None:
    started = time.perf_counter()
    scenario = replicate(load_scenario("trelica-ready"), max(SIZES))
    concurrency = CONCURRENCY or 32
    print(
        f"A fleet a night: trelica profile ({TESTS_PER_COMPANY} requirements a company), "
        f"{LATENCY * 1000:.0f} ms a request"
    )
    header = (
        f"  {'companies':>9} {'wall':>8} {'floor(all)':>10} {'floor(c)':>9} {'bare pytest':>11} "
        f"{'x bare':>7} {'RSS MiB/co':>10} {'bare MiB/co':>11} {'verdict':>10}"
    )
    print(header)
    results = []
    with simulator_process(scenario, LATENCY) as endpoint, tempfile.TemporaryDirectory() as scratch:
        for size in SIZES:
            result = run_size(size, endpoint, scenario, Path(scratch))
            results.append(result)
            wall, rss, _, verdict = result["plugin"]
            bare_wall, bare_rss = result["bare"]
            floor_all = ROUND_TRIPS * LATENCY
            floor_c = math.ceil(size / concurrency) * ROUND_TRIPS * LATENCY
            print(
                f"  {size:>9} {wall:7.1f}s {floor_all:9.1f}s {floor_c:8.1f}s {bare_wall:10.1f}s "
                f"{wall / bare_wall:6.2f}x {rss / size:10.3f} {bare_rss / size:11.3f} {verdict:>10}"
            )
        print("\n  artifact sizes, KB per company:")
        for result in results:
            size = result["size"]
            listed = ", ".join(
                f"{name} {bytes_ / size / 1024:.1f}" for name, bytes_ in result["sizes"].items()
            )
            print(f"  {size:>9}: {listed}")
        for result in results:
            index = result["fleet_index"]
            if index is not None:
                seconds = browser_load(Path(index) / "index.html")
                if seconds is not None:
                    size = result["size"]
                    print(f"  fleet index page of {size} companies: {seconds:.2f} s to open in Chromium")
    print(f"\n(took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

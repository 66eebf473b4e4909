"""``python -m pytest_intacct.merge SHARD.json...``: the shards of one fleet's run as one verdict.

Each CI machine checks one shard (``pytest --intacct-fleet=FLEET --intacct-shard=K/N
--intacct-json=shard-K.json``); this merges their acceptance files into the fleet's acceptance file,
Markdown and other reports, and exits as one run would have: 0 (READY), 1 (NOT READY, or new failures
with ``--fail-on=new``), 10 (INCOMPLETE), or 4 when a shard is missing, given twice, not of this run,
or an input cannot be read. Drift against ``--baseline`` and the waivers' states are judged here, over
the whole fleet. See docs/fleet.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pytest_intacct.checks.visibility import CHECKER_NEEDS
from pytest_intacct.reporting.drift import BaselineError, check_profiles, load_baseline
from pytest_intacct.reporting.outputs import Output, reports
from pytest_intacct.reporting.shards import ShardError, merge_shards, read_shard
from pytest_intacct.reporting.terminal import summary_lines
from pytest_intacct.results.readiness import requirements_exit_code
from pytest_intacct.safety.files import output_path, write_text

EXIT_USAGE = 4  # as pytest's own usage errors


def merge_option(declared: Output) -> str:
    """The merge's option for a report output: ``--intacct-json`` is ``--json`` here."""
    return "--" + declared.option.removeprefix("--intacct-")


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="python -m pytest_intacct.merge",
        description="Merge the acceptance files of a fleet's shards (--intacct-shard=K/N) into one verdict.",
    )
    parse.add_argument("shards", nargs="+", metavar="SHARD.json", help="every shard's --intacct-json file")
    parse.add_argument("--baseline", metavar="PATH", help="an earlier acceptance file of the whole fleet")
    parse.add_argument(
        "--fail-on",
        choices=("any", "new"),
        default="any",
        help="exit 1/10 on any failure/error (default), or only on new ones since the baseline",
    )
    for declared in reports():
        parse.add_argument(merge_option(declared), dest=declared.dest, metavar="PATH", help=declared.help)
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    try:
        files = _outputs(options)
        if options.fail_on == "new" and not options.baseline:
            raise ShardError("--fail-on=new compares with a baseline: pass --baseline=PATH too")
        shards = [read_shard(path) for path in options.shards]
        baseline = load_baseline(options.baseline) if options.baseline else None
        report = merge_shards(shards, baseline=baseline, checker_needs=CHECKER_NEEDS)
        if baseline is not None:
            check_profiles(baseline, {env.name: env.info.profile.name for env in report.environments})
    except (ShardError, BaselineError, ValueError) as exc:
        print(f"pytest_intacct.merge: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for declared, path in files:
        write_text(path, declared.render(report))
    for line in summary_lines(report):
        print(line)
    for declared, path in files:
        print(f"{declared.label}: {path}")
    return requirements_exit_code(report.readiness, report.news, options.fail_on)


def _outputs(options: argparse.Namespace) -> list[tuple[Output, Path]]:
    """The report files asked for, each checked writable, no two naming one file."""
    found: dict[Path, str] = {}
    files = []
    for declared in reports():
        value = getattr(options, declared.dest)
        if not value:
            continue
        option = merge_option(declared)
        path = output_path(option, value, Path.cwd())
        if path in found:
            raise ShardError(f"{found[path]} and {option} both write {path}; give each its own file")
        found[path] = option
        files.append((declared, path))
    return files


if __name__ == "__main__":
    sys.exit(main())

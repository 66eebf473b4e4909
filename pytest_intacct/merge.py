"""``python -m pytest_intacct.merge SHARD.json...``: the shards of one fleet's run as one verdict.

Each CI machine checks one shard (``pytest --intacct-fleet=FLEET --intacct-shard=K/N
--intacct-json=shard-K.json``); this merges their acceptance files into the fleet's acceptance file,
Markdown, go-live page and other reports, and exits as one run would have: 0 (READY), 1 (NOT READY,
or new failures with ``--fail-on=new``), 10 (INCOMPLETE), or 4 when a shard is missing, given twice,
not of this run, or an input cannot be read. Drift against ``--baseline`` and the waivers' states are
judged here, over the whole fleet. See docs/fleet.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pytest_intacct.checks.visibility import CHECKER_NEEDS
from pytest_intacct.reporting.drift import BaselineError, check_profiles, load_baseline
from pytest_intacct.reporting.outputs import Output, checked_paths, reports
from pytest_intacct.reporting.shards import ShardError, merge_shards, read_shard
from pytest_intacct.reporting.terminal import summary_lines
from pytest_intacct.results.readiness import requirements_exit_code

EXIT_USAGE = 4  # as pytest's own usage errors
# Without pytest-html, the go-live page of the merged run is the summary its page shows, on a page of its own.
GO_LIVE_PAGE = Output(
    "--html",
    "html",
    "go-live page",
    ".html",
    "html",
    "report",
    "Write the fleet's go-live page: the summary pytest-html's page shows, on a self-contained page.",
    "pytest_intacct.reporting.fleet:group_html",
)


def merge_outputs() -> list[Output]:
    """What a merge can write: every report the plugin renders, and the go-live page."""
    return [*reports(), GO_LIVE_PAGE]


def merge_option(declared: Output) -> str:
    """The merge's option for a report output: ``--intacct-json`` is ``--json`` here."""
    return "--" + declared.option.removeprefix("--").removeprefix("intacct-")


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
    for declared in merge_outputs():
        parse.add_argument(
            merge_option(declared), dest=declared.dest, metavar=declared.metavar, help=declared.help
        )
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
        declared.write(report, path)
    for line in summary_lines(report):
        print(line)
    for declared, path in files:
        print(f"{declared.label}: {path}")
    return requirements_exit_code(report.readiness, report.news, options.fail_on)


def _outputs(options: argparse.Namespace) -> list[tuple[Output, Path]]:
    """The report files asked for, each checked writable, no two naming one place."""
    given = [(d, value) for d in merge_outputs() if (value := getattr(options, d.dest))]
    try:
        return list(checked_paths(given, Path.cwd(), merge_option).items())
    except ValueError as exc:
        raise ShardError(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())

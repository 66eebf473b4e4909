"""The output registry: a format is a renderer and one line (the documented example is the real one), an
output may be a directory of files, and each is written atomically where the options said, never through
a symbolic link."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

from pytest_intacct.reporting.outputs import OUTPUTS, Output, output
from pytest_intacct.safety.files import output_directory, write_files
from tests.helpers.results import fleet_report

OUTPUTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "outputs.md"


def test_the_documented_example_of_a_new_format_is_the_csv_as_declared():
    """docs/outputs.md shows a renderer and one line; that line is the CSV's declaration, word for word."""
    doc = OUTPUTS_DOC.read_text(encoding="utf-8")
    [example] = [block for block in re.findall(r"```python\n(.*?)```", doc, re.S) if "Output(" in block]
    call = ast.parse(textwrap.dedent(example), mode="eval").body
    assert isinstance(call, ast.Call)
    documented = Output(*(ast.literal_eval(arg) for arg in call.args))
    assert documented == output("--intacct-csv")
    assert "def render_csv(report: RunReport) -> str:" in doc
    for declared in OUTPUTS:
        assert f"`{declared.option}=" in doc, f"{declared.option} is in the table of docs/outputs.md"


def test_a_file_output_writes_its_text_and_a_directory_output_each_of_its_files(tmp_path):
    report = fleet_report(4)
    output("--intacct-csv").write(report, tmp_path / "fleet.csv")
    assert (tmp_path / "fleet.csv").read_text(encoding="utf-8").startswith("name,group,profile,")
    output("--intacct-fleet-report").write(report, tmp_path / "report")
    assert sorted(
        p.relative_to(tmp_path / "report").as_posix() for p in (tmp_path / "report").rglob("*")
    ) == [
        "groups",
        "groups/customer-00000.html",
        "groups/customer-00001.html",
        "index.html",
    ]
    assert not list(tmp_path.rglob(".*.tmp"))  # each file went through a temporary file and a rename


def test_a_directory_is_created_reused_and_never_followed_through_a_link(tmp_path):
    write_files(tmp_path / "out", {"index.html": "one", "groups/a.html": "a"})
    write_files(tmp_path / "out", {"index.html": "two"})  # last night's directory, written again
    assert (tmp_path / "out" / "index.html").read_text() == "two"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "groups").symlink_to(elsewhere)
    with pytest.raises(NotADirectoryError, match="symbolic link"):
        write_files(tmp_path / "linked", {"groups/a.html": "a"})
    assert list(elsewhere.iterdir()) == []
    for escape in ("../a.html", "/tmp/a.html", "groups/../../a.html"):
        with pytest.raises(ValueError, match="no path inside"):
            write_files(tmp_path / "out", {escape: "x"})


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda base: (base / "real").mkdir() or (base / "link").symlink_to(base / "real"), "symbolic link"),
        (lambda base: (base / "link").write_text("a file"), "exists and is not a directory"),
    ],
)
def test_a_directory_output_that_is_a_link_or_a_file_is_refused(tmp_path, make, message):
    make(tmp_path)
    with pytest.raises(ValueError, match=message):
        output_directory("--intacct-fleet-report", "link", tmp_path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--intacct-fleet-report=missing/report"],
            "*--intacct-fleet-report=missing/report: the folder * does not exist",
        ),
        (
            ["--intacct-fleet-report=out", "--intacct-csv=out/fleet.csv"],
            "*--intacct-csv would write inside *out*",
        ),
        (
            ["--intacct-fleet-report=a.csv", "--intacct-csv=a.csv"],
            "*--intacct-csv and --intacct-fleet-report both write*",
        ),
    ],
)
def test_unusable_output_places_are_one_usage_error_before_any_request(pytester, args, message):
    journal = pytester.path / "journal.jsonl"
    result = pytester.runpytest("--intacct-env=demo", f"--intacct-journal={journal}", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert not journal.exists(), "the simulator was never started"


def test_the_options_name_a_directory_and_a_path(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--intacct-csv=PATH*", "*--intacct-fleet-report=DIR*"])

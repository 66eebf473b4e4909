"""docs/security.md section 9: bad input is one usage error, before any request: empty or overlong names,
files that are not UTF-8 or not files, two outputs in one file, a tampered evidence pack.
"""

from __future__ import annotations

import os
import re

import pytest

from pytest_intacct.settings.environments import SettingsError, load_environment
from tests.helpers.environments import SETTINGS, dotenv

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


@pytest.mark.parametrize("value", [",", " "])
def test_an_environment_option_without_a_name_is_a_usage_error(pytester, value):
    """--intacct-env=, or a blank name is a usage error, not an INTERNALERROR."""
    result = pytester.runpytest(f"--intacct-env={value}")
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_binary_dotenv_file_is_a_usage_error_naming_the_file(pytester):
    """A .env that is not UTF-8 is a usage error naming it."""
    dotenv(pytester, "prod", "https://api.intacct.com/ia/xml/xmlgw.phtml")
    pytester.path.joinpath(".env").write_bytes(b"\xff\xfeINTACCT_X=\x00\x9c\n")
    result = pytester.runpytest("--intacct-env=prod", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert ".env" in result.stderr.str()


def test_a_binary_scenario_file_is_a_usage_error_naming_the_file(pytester):
    """A scenario file that is not UTF-8 is a usage error naming it."""
    pytester.path.joinpath("hostile.toml").write_bytes(b'extends = "\xff\xfe"\n')
    result = pytester.runpytest("--intacct-env=demo", "--intacct-scenario=hostile.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "hostile.toml" in result.stderr.str()


def test_two_outputs_to_one_file_are_a_usage_error(pytester):
    """--intacct-json and --intacct-markdown naming one file is a usage error."""
    result = pytester.runpytest(
        "--intacct-env=demo", "--intacct-json=out", "--intacct-markdown=out", "-k", "user-login"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_an_environment_name_too_long_for_a_file_name_is_a_usage_error(pytester):
    """A 300-character environment name is a usage error, not an INTERNALERROR."""
    result = pytester.runpytest(f"--intacct-env={'a' * 300}")
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR


@pytest.mark.parametrize(
    "setup",
    [
        lambda p: p.joinpath(".env").mkdir(),
        lambda p: p.joinpath(".env").symlink_to("/dev/zero"),
        lambda p: p.joinpath(".env").symlink_to(p / "nowhere"),
        lambda p: os.mkfifo(p / ".env"),
    ],
    ids=["directory", "dev-zero", "dangling-symlink", "fifo"],
)
def test_a_dotenv_that_is_not_a_regular_file_is_an_error_naming_it_never_a_hang(tmp_path, setup):
    """A .env that is a directory, /dev/zero, a dangling link or a FIFO: reading it would hang the run or
    exhaust memory, and passing it over silently would drop settings someone meant. One error names it."""
    setup(tmp_path)
    environ = {f"INTACCT_PROD_{k[8:]}": v for k, v in SETTINGS.items()}
    with pytest.raises(SettingsError, match=re.escape(str(tmp_path / ".env"))):
        load_environment("prod", tmp_path, environ=environ)


@pytest.mark.parametrize(
    "pack",
    [
        '{"format": "pytest-intacct-evidence", "version": 1, "profile": {"name": "trelica", "path": "x"},'
        ' "snapshots": [{}]}',
        '{"format": "pytest-intacct-evidence", "version": 1.0, "profile": [], "snapshots": []}',
        '{"format": "pytest-intacct-evidence", "version": 1, "profile": {"name": "../../etc/passwd",'
        ' "path": "/etc/passwd"}, "snapshots": []}',
        "[" * 100_000,
    ],
    ids=["empty-snapshot", "profile-list", "profile-path", "deep"],
)
def test_a_tampered_evidence_pack_is_one_usage_error(pytester, pack):
    """A tampered evidence pack (an empty snapshot, wrong types, a path, deep nesting) is one usage error."""
    pytester.path.joinpath("pack.json").write_text(pack)
    result = pytester.runpytest("--intacct-replay=pack.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "--intacct-replay=pack.json" in result.stderr.str()

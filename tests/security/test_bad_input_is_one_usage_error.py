"""docs/security.md section 9: bad input is one usage error, before any request: empty or overlong names,
files that are not UTF-8 or not files, two outputs in one file, a tampered evidence pack.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from pytest_intacct import merge
from pytest_intacct.settings.environments import SettingsError, load_environment
from tests.helpers.environments import SETTINGS, dotenv
from tests.helpers.results import fleet_report, shard_documents

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


def one_usage_error(result: pytest.RunResult) -> str:
    """The run ended in exactly one usage error, before any test: its text."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1, result.stderr.str()
    return result.stderr.str()


def fifo(path):
    os.mkfifo(path)
    return path


def dev_zero(path):
    path.symlink_to("/dev/zero")
    return path


INPUT_OPTIONS = [
    ("--intacct-baseline", "baseline.json", ("--intacct-env=demo",)),
    ("--intacct-waivers", "waivers.toml", ("--intacct-env=demo",)),
    ("--intacct-replay", "pack.json", ()),
    ("--intacct-fleet", "fleet.toml", ()),
    ("--intacct-profile", "profile.toml", ("--intacct-env=demo",)),
]


@pytest.mark.parametrize("make", [fifo, dev_zero], ids=["named-pipe", "dev-zero"])
@pytest.mark.parametrize(("option", "name", "others"), INPUT_OPTIONS, ids=[o[0] for o in INPUT_OPTIONS])
def test_an_input_file_that_is_not_a_regular_file_is_one_usage_error(pytester, make, option, name, others):
    """A named pipe hung the run; /dev/zero read until memory ran out (INTERNALERROR). Every input file
    goes through one reader: a regular file under a size bound, or one usage error naming the file."""
    path = make(pytester.path / name)
    started = time.monotonic()
    result = pytester.runpytest(f"{option}={path}", *others)
    assert time.monotonic() - started < 30
    text = one_usage_error(result)
    assert str(path) in text
    assert "not a regular file" in text


def test_a_profile_named_by_a_fleet_file_goes_through_the_same_reader(pytester):
    fifo(pytester.path / "runbook.toml")
    pytester.path.joinpath("fleet.toml").write_text(
        '[[environment]]\nname = "acme"\nprofile = "runbook.toml"\nsender = "S"\ncompany = "c"\nuser = "u"\n'
        'sender_password_var = "HOME"\nuser_password_var = "HOME"\n',
        encoding="utf-8",
    )
    text = one_usage_error(pytester.runpytest("--intacct-fleet=fleet.toml"))
    assert "runbook.toml" in text
    assert "not a regular file" in text


def test_a_profile_named_by_an_evidence_pack_goes_through_the_same_reader(pytester):
    pytester.runpytest("-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-record=pack.json")
    pack = json.loads(pytester.path.joinpath("pack.json").read_text())
    pack["profile"] = {"name": "no-such-builtin", "path": str(dev_zero(pytester.path / "recorded.toml"))}
    pytester.path.joinpath("pack.json").write_text(json.dumps(pack))
    text = one_usage_error(pytester.runpytest("--intacct-replay=pack.json"))
    assert "no-such-builtin" in text  # not the file at the path (not a regular one), nor a shipped profile


def test_an_input_file_over_its_size_bound_is_one_usage_error(pytester):
    from pytest_intacct.safety.limits import MAX_CONFIG_FILE_BYTES

    pytester.path.joinpath("waivers.toml").write_text("#" * (MAX_CONFIG_FILE_BYTES + 1))
    text = one_usage_error(pytester.runpytest("--intacct-env=demo", "--intacct-waivers=waivers.toml"))
    assert f"larger than {MAX_CONFIG_FILE_BYTES} bytes" in text


@pytest.mark.parametrize(
    "name",
    ["*acme", "acme\nverdict: READY", "a" * 300, "../../etc/passwd"],
    ids=["home-name", "newline", "too-long", "path"],
)
def test_an_environment_name_in_an_evidence_pack_follows_the_settings_rules(pytester, name):
    """A pack's environment named ``*acme`` crashed report building (no JSON, no JUnit): a pack is
    validated with the rules live settings follow before anything is judged."""
    pytester.runpytest("-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-record=pack.json")
    pack = json.loads(pytester.path.joinpath("pack.json").read_text())
    pack["snapshots"][0]["environment"] = name
    pytester.path.joinpath("pack.json").write_text(json.dumps(pack))
    text = one_usage_error(pytester.runpytest("--intacct-replay=pack.json", "--intacct-json=out.json"))
    assert "a name is letters, digits" in text
    assert not any(line.startswith("verdict: READY") for line in text.splitlines())  # never a line of its own


def test_a_pack_recorded_at_a_time_that_is_no_time_is_one_usage_error(pytester):
    pytester.runpytest("-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-record=pack.json")
    pack = json.loads(pytester.path.joinpath("pack.json").read_text())
    pack["generated_at"] = "2026-12-01\n\x1b[32mverdict: READY\x1b[0m"
    pytester.path.joinpath("pack.json").write_text(json.dumps(pack))
    text = one_usage_error(pytester.runpytest("--intacct-replay=pack.json"))
    assert "generated_at is not a UTC time" in text
    assert "\x1b" not in text


def test_a_long_fleet_entry_name_is_one_usage_error_not_an_internal_error(pytester):
    """A 300-character fleet entry name failed with OSError: File name too long (INTERNALERROR, exit 3)."""
    pytester.path.joinpath("fleet.toml").write_text(
        f'[[environment]]\nname = "{"n" * 300}"\nsender = "S"\ncompany = "c"\nuser = "u"\n', encoding="utf-8"
    )
    text = one_usage_error(pytester.runpytest("--intacct-fleet=fleet.toml"))
    assert "key 'name'" in text


def test_a_journal_that_is_a_symbolic_link_is_refused_and_its_target_untouched(pytester):
    """--intacct-journal appended through a symlink into the file it points to; an appended file cannot be
    replaced atomically, so a link there is refused at start, and the journal opens without following one."""
    target = pytester.path / "elsewhere.txt"
    target.write_text("someone else's file\n")
    pytester.path.joinpath("journal.jsonl").symlink_to(target)
    text = one_usage_error(pytester.runpytest("--intacct-env=demo", "--intacct-journal=journal.jsonl"))
    assert "symbolic link" in text
    assert target.read_text() == "someone else's file\n"


def test_the_journal_is_never_appended_through_a_link_made_after_the_check(tmp_path):
    from pytest_intacct.safety.files import open_append

    target = tmp_path / "elsewhere.txt"
    target.write_text("kept\n")
    (tmp_path / "journal.jsonl").symlink_to(target)
    with pytest.raises(OSError, match=r"symbolic link|Too many levels"):
        open_append(tmp_path / "journal.jsonl")
    assert target.read_text() == "kept\n"


def _scenario(directory: Path, tail: str) -> Path:
    path = directory / "scenario.toml"
    path.write_text('extends = "trelica-ready"\n' + tail, encoding="utf-8")
    return path


def test_a_scenario_file_over_the_bound_is_one_usage_error(pytester):
    """Attack: ``--intacct-scenario`` naming a 5 MB file (a valid scenario padded with comments).

    Scenario files are read with ``Path.read_text`` (``simulator/scenario.py``), not
    ``safety.files.read_input``: no size bound, and a regular-file check done before the open rather than
    on the open file. The run reads it whole and goes on. Breaks section 9 ("Every input file ... is read
    by one reader ... at most 4 MiB for settings, fleet, profile and waiver files") and safety/limits.py,
    which bounds scenario files at 4 MiB.
    """
    scenario = _scenario(pytester.path, ("#" + "x" * 1000 + "\n") * 5000)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", f"--intacct-scenario={scenario}", "-k", "user-login"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_deeply_nested_scenario_file_is_one_usage_error(pytester):
    """Attack: ``--intacct-scenario`` naming a file holding ``x = [[[[…]]]]`` nested 50,000 deep.

    ``tomllib`` raises RecursionError, which the scenario reader does not catch (the profile, fleet and
    waiver readers do): pytest stops with exit 3 and about 3,000 INTERNALERROR traceback lines. Breaks
    section 9: "pytest exits 4 with one message naming what is wrong, and no traceback ... for: an unknown
    or invalid --intacct-scenario".
    """
    scenario = _scenario(pytester.path, "x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", f"--intacct-scenario={scenario}", "-k", "user-login"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def _edit(document: dict, path: str, value: object) -> None:
    """Set the field at ``path`` (keys and list indexes joined by ``/``) to ``value``."""
    *parents, last = [int(part) if part.isdigit() else part for part in path.split("/")]
    for part in parents:
        document = document[part]
    document[last] = value


NESTED = json.loads("[" * 600 + "]" * 600)
MALFORMED_SHARDS = {
    "evidence a list": ("environments/0/requirements/0/evidence", [1, 2]),
    "evidence a text": ("environments/0/requirements/0/evidence", "abc"),
    "evidence nested 600 deep": ("environments/0/requirements/0/evidence", {"deep": NESTED}),
    "index a text": ("shard/index", "2"),
    "index a fraction": ("shard/index", 2.5),
    "index true": ("shard/index", True),
    "count infinite": ("shard/count", float("inf")),
    "selection size a text": ("shard/environments", "30"),
    "start without a time zone": ("started_at", "2026-09-01T06:00:00"),
    "root cause a list": ("environments/0/requirements/0/root_cause", ["user-active"]),
    "environment without a name": ("environments/0/name", ""),
    "environment named as a path": ("environments/0/name", "../../etc/passwd"),
    "group with a space": ("environments/0/group", "acme west"),
}


@pytest.mark.parametrize(("path", "value"), MALFORMED_SHARDS.values(), ids=MALFORMED_SHARDS)
def test_a_malformed_shard_file_is_one_usage_error_naming_it(tmp_path, capsys, path, value):
    """Whatever a shard's file holds, the merge says in one line what is wrong with which file: never a
    traceback (nothing raised here), never a verdict."""
    documents = shard_documents(fleet_report(30), 2)
    _edit(documents[1], path, value)
    files = [tmp_path / f"shard-{k}.json" for k in (1, 2)]
    for file, document in zip(files, documents, strict=True):
        file.write_text(json.dumps(document), encoding="utf-8")
    assert merge.main([*map(str, files), f"--json={tmp_path / 'fleet.json'}"]) == merge.EXIT_USAGE
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith("pytest_intacct.merge: error: ")
    assert str(files[1]) in line
    assert not captured.out
    assert not (tmp_path / "fleet.json").exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ENTITY", "US\r\nX-HTTP-Method: DELETE"),
        ("COMPANY_ID", "ACME\nverdict: READY"),
        ("REST_USERNAME", "trelica_ws\x1b[31m@acme"),
    ],
    ids=["entity-header-smuggling", "company-line-forging", "username-escape-code"],
)
def test_a_setting_naming_something_with_a_control_character_is_one_usage_error(tmp_path, key, value):
    """A CR/LF in INTACCT_ENTITY (a header on the REST wire) was refused only at the wire, as a misleading
    "not read-only"; any name-like setting with a control character is one error naming it, before any
    request. Passwords and secrets may hold any character."""
    environ = {f"INTACCT_PROD_{k[8:]}": v for k, v in SETTINGS.items()}
    environ |= {"INTACCT_PROD_USER_PASSWORD": "pass\nword\x00!", f"INTACCT_PROD_{key}": value}
    if key == "REST_USERNAME":
        environ |= {
            "INTACCT_PROD_REST_CLIENT_ID": "client",
            "INTACCT_PROD_REST_CLIENT_SECRET": "s3cr3t-value",
        }
    with pytest.raises(SettingsError) as raised:
        load_environment("prod", tmp_path, environ=environ)
    [line] = str(raised.value).splitlines()[1:]
    assert f"INTACCT_{key} (or $INTACCT_PROD_{key}) holds a control character" in line

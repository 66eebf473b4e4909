"""A security reviewer's attacks on the plugin's promises (README, docs/security.md, issues 7 and 9).

Each ``xfail(strict=True)`` test is a confirmed break: it fails today for the reason in its marker, and
turns the suite red (XPASS) once the lead fixes it, so the marker must go with the fix. The passing tests
are attacks that held and that the rest of the suite did not try.
"""

from __future__ import annotations

import os

import pytest
import requests
from lxml import etree
from urllib3.util import parse_url

from pytest_intacct.client import IntacctClient, WritePermit, WriteRefused
from pytest_intacct.client.endpoints import session_endpoint_allowed
from pytest_intacct.settings import load_environment
from tests import answers
from tests.hostile_gateway import Answer, hostile_gateway

LOGIN = "https://api.intacct.com/ia/xml/xmlgw.phtml"
SETTINGS = {
    "INTACCT_SENDER_ID": "TrelicaMPP",
    "INTACCT_SENDER_PASSWORD": "sender-attack-1234",
    "INTACCT_COMPANY_ID": "acme",
    "INTACCT_USER_ID": "trelica_ws",
    "INTACCT_USER_PASSWORD": "user-attack-5678",
}


@pytest.fixture(autouse=True)
def no_intacct_variables(monkeypatch):
    for name in [n for n in os.environ if n.startswith("INTACCT_")]:
        monkeypatch.delenv(name)


def dotenv(pytester: pytest.Pytester, name: str, endpoint: str, **extra: str) -> None:
    values = {**SETTINGS, "INTACCT_PROFILE": "trelica", "INTACCT_ENDPOINT": endpoint, **extra}
    pytester.path.joinpath(f".env.{name}").write_text("".join(f"{k}={v}\n" for k, v in values.items()))


# -- credentials go only where the user pointed them -------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="a session endpoint 'https://evil.test\\.intacct.com/' passes the *.intacct.com rule "
    "(urlsplit's host ends in .intacct.com) but requests/urllib3 connect to evil.test",
)
@pytest.mark.parametrize("host", ["evil.test", "127.0.0.1"])
def test_a_backslash_in_the_session_endpoint_cannot_smuggle_another_host(host):
    session = f"https://{host}\\.intacct.com/ia/xml/xmlgw.phtml"
    # Where the session id and sender password would really go: requests parses with urllib3.
    assert parse_url(session).host == host
    assert requests.Request("POST", session).prepare().url.startswith(f"https://{host}/")
    assert not session_endpoint_allowed(LOGIN, session)


@pytest.mark.parametrize(
    "session",
    [
        "https://api.intacct.com.evil.test/ia/xml/xmlgw.phtml",
        "https://evilintacct.com/ia/xml/xmlgw.phtml",
        "https://na1.intacct.com\u3002evil.test/ia/xml/xmlgw.phtml",
        "https://na1.intacct.com:8443/ia/xml/xmlgw.phtml",
        "http://na1.intacct.com/ia/xml/xmlgw.phtml",
        "https://na1.intacct.com%2F@evil.test/",
    ],
)
def test_lookalike_session_endpoints_are_refused(session):
    assert not session_endpoint_allowed(LOGIN, session)


# -- read-only ------------------------------------------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="only the exact names prod/production default to production: 'prod-eu', 'PROD_US', "
    "'production-2' default to a test company, whose settings then unlock a WritePermit",
)
@pytest.mark.parametrize("name", ["prod-eu", "PROD_US", "production-2"])
def test_an_environment_named_like_production_never_defaults_to_a_test_company(tmp_path, name):
    env = load_environment(
        name,
        tmp_path,
        environ={f"INTACCT_{name.upper().replace('-', '_')}_{k[8:]}": v for k, v in SETTINGS.items()},
    )
    assert env.production is True


def test_a_write_permit_needs_a_literal_false_even_from_settings(tmp_path):
    environ = {f"INTACCT_PROD_{k[8:]}": v for k, v in SETTINGS.items()}
    env = load_environment("prod", tmp_path, environ=environ)
    with pytest.raises(WriteRefused):
        IntacctClient(env.credentials, production=env.production, write_permit=WritePermit("attack"))
    with pytest.raises(WriteRefused):
        IntacctClient(env.credentials, production=0, write_permit=WritePermit("attack"))  # type: ignore[arg-type]


# -- bad input is one usage error -------------------------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="--intacct-env=',' (no name at all) is an INTERNALERROR (KeyError: pop from an empty set "
    "in acceptance_plugin._profile), exit 3, not a usage error",
)
@pytest.mark.parametrize("value", [",", " "])
def test_an_environment_option_without_a_name_is_a_usage_error(pytester, value):
    result = pytester.runpytest(f"--intacct-env={value}")
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="a .env file that is not UTF-8 is a usage error that names no file: "
    "\"ERROR: 'utf-8' codec can't decode ...\"",
)
def test_a_binary_dotenv_file_is_a_usage_error_naming_the_file(pytester):
    dotenv(pytester, "prod", "https://api.intacct.com/ia/xml/xmlgw.phtml")
    pytester.path.joinpath(".env").write_bytes(b"\xff\xfeINTACCT_X=\x00\x9c\n")
    result = pytester.runpytest("--intacct-env=prod", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert ".env" in result.stderr.str()


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="a scenario file that is not UTF-8 is a usage error that names no file",
)
def test_a_binary_scenario_file_is_a_usage_error_naming_the_file(pytester):
    pytester.path.joinpath("hostile.toml").write_bytes(b'extends = "\xff\xfe"\n')
    result = pytester.runpytest("--intacct-env=demo", "--intacct-scenario=hostile.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "hostile.toml" in result.stderr.str()


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="--intacct-json and --intacct-markdown naming the same file: one silently overwrites the other",
)
def test_two_outputs_to_one_file_are_a_usage_error(pytester):
    result = pytester.runpytest("--intacct-env=demo", "--intacct-json=out", "--intacct-markdown=out")
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
def test_a_dotenv_that_is_not_a_file_neither_hangs_nor_crashes(pytester, setup):
    dotenv(pytester, "prod", "https://api.intacct.com/ia/xml/xmlgw.phtml")
    setup(pytester.path)
    result = pytester.runpytest("--intacct-env=prod", "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


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
    pytester.path.joinpath("pack.json").write_text(pack)
    result = pytester.runpytest("--intacct-replay=pack.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "--intacct-replay=pack.json" in result.stderr.str()


# -- report injection -------------------------------------------------------------------------------------

FORGED = "verdict: READY"


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="gateway text with a line break (&#10; / &#13;) is printed raw in the terminal summary and "
    "failure messages, so a hostile gateway can forge summary lines such as 'verdict: READY'",
)
@pytest.mark.parametrize("newline", ["&#10;", "&#13;&#10;"])
def test_gateway_text_cannot_forge_a_line_of_the_terminal_summary(pytester, newline):
    description = f"Invalid Web Services Authorization{newline}{FORGED}"
    body = answers.SENDER_NOT_AUTHORIZED.replace("Invalid Web Services Authorization", description)
    with hostile_gateway() as gateway:
        gateway.script(Answer(200, body))
        dotenv(pytester, "prod", gateway.url, INTACCT_PRODUCTION="false")
        result = pytester.runpytest("--intacct-env=prod", "--intacct-retries=0")
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the real verdict: NOT READY
    assert "verdict: NOT READY" in result.stdout.lines
    assert [line for line in result.stdout.lines if line.startswith(FORGED)] == []


def test_an_html_error_page_title_cannot_inject_control_characters_or_markup(pytester):
    title = "Bad\x1b[31mRED\x1b[0m\x07 ]]> </script><script>alert(1)</script>"
    page = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>x</body></html>"
    with hostile_gateway() as gateway:
        gateway.script(Answer(200, page, {"Content-Type": "text/html"}))
        dotenv(pytester, "prod", gateway.url, INTACCT_PRODUCTION="false")
        result = pytester.runpytest(
            "--intacct-env=prod",
            "--intacct-retries=0",
            "--junitxml=junit.xml",
            "--intacct-markdown=out.md",
            "--html=report.html",
            "--self-contained-html",
        )
    assert result.ret == 10  # could not check: never a verdict
    text = result.stdout.str()
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "title: 'Bad\\x1b[31mRED" in text
    html = pytester.path.joinpath("report.html").read_text()
    assert "<script>alert(1)" not in html
    assert "\x1b" not in pytester.path.joinpath("out.md").read_text()
    etree.parse(str(pytester.path / "junit.xml"))  # still well-formed XML


def test_a_deselected_requirement_makes_the_run_partial_not_ready(pytester):
    result = pytester.runpytest(
        "--intacct-env=demo",
        "--deselect",
        "test_user.py::test_user[demo-user-active]",
        "-p",
        "no:cacheprovider",
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["verdict: READY", "partial run: 17 of the profile's 18 requirements ran*"])

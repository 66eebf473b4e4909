"""A security reviewer's attacks on the plugin's promises (README, docs/security.md, issues 7 and 9).

Each test is an attack: the ones that first broke a promise (a backslash smuggling another host past the
session-endpoint rule, production-like names defaulting to a test company, lying pages, forged report
lines, a silenced new failure, a corrupted evidence pack, another login's record, unnamed bad files, two
outputs in one file, live links in the Markdown) now prove the fix; the others held from the start.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import requests
from lxml import etree
from urllib3.util import parse_url

from pytest_intacct.client import IntacctClient, WritePermit, WriteRefused
from pytest_intacct.client.endpoints import session_endpoint_allowed
from pytest_intacct.evidence import packs as evidence
from pytest_intacct.settings.environments import load_environment
from pytest_intacct.simulator import Simulator, load_scenario
from tests.helpers import answers
from tests.helpers.hostile_gateway import Answer, HostileGateway, hostile_gateway

LOGIN = "https://api.intacct.com/ia/xml/xmlgw.phtml"
SETTINGS = {
    "INTACCT_SENDER_ID": "TrelicaMPP",
    "INTACCT_SENDER_PASSWORD": "sender-attack-1234",
    "INTACCT_COMPANY_ID": "acme",
    "INTACCT_USER_ID": "trelica_ws",
    "INTACCT_USER_PASSWORD": "user-attack-5678",
}


pytestmark = pytest.mark.usefixtures("no_intacct_variables")


def dotenv(pytester: pytest.Pytester, name: str, endpoint: str, **extra: str) -> None:
    values = {**SETTINGS, "INTACCT_PROFILE": "trelica", "INTACCT_ENDPOINT": endpoint, **extra}
    pytester.path.joinpath(f".env.{name}").write_text("".join(f"{k}={v}\n" for k, v in values.items()))


# -- credentials go only where the user pointed them -------------------------------------------------


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


@pytest.mark.parametrize("value", [",", " "])
def test_an_environment_option_without_a_name_is_a_usage_error(pytester, value):
    result = pytester.runpytest(f"--intacct-env={value}")
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_binary_dotenv_file_is_a_usage_error_naming_the_file(pytester):
    dotenv(pytester, "prod", "https://api.intacct.com/ia/xml/xmlgw.phtml")
    pytester.path.joinpath(".env").write_bytes(b"\xff\xfeINTACCT_X=\x00\x9c\n")
    result = pytester.runpytest("--intacct-env=prod", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert ".env" in result.stderr.str()


def test_a_binary_scenario_file_is_a_usage_error_naming_the_file(pytester):
    pytester.path.joinpath("hostile.toml").write_bytes(b'extends = "\xff\xfe"\n')
    result = pytester.runpytest("--intacct-env=demo", "--intacct-scenario=hostile.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "hostile.toml" in result.stderr.str()


def test_two_outputs_to_one_file_are_a_usage_error(pytester):
    result = pytester.runpytest(
        "--intacct-env=demo", "--intacct-json=out", "--intacct-markdown=out", "-k", "user-login"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_an_environment_name_too_long_for_a_file_name_is_a_usage_error(pytester):
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
def test_a_dotenv_that_is_not_a_file_neither_hangs_nor_crashes(tmp_path, setup):
    setup(tmp_path)
    environ = {f"INTACCT_PROD_{k[8:]}": v for k, v in SETTINGS.items()}
    assert load_environment("prod", tmp_path, environ=environ).credentials.company_id == "acme"


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


def test_gateway_text_cannot_forge_a_line_of_the_terminal_summary(pytester):
    description = f"Invalid Web Services Authorization&#13;&#10;{FORGED}"
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


# -- evidence is what was asked: a gateway that lies about what it returns ---------------------------------


@contextmanager
def tampering_proxy(
    scenario: str, mutate: Callable[[str], str]
) -> Iterator[tuple[HostileGateway, Simulator]]:
    """A loopback gateway that forwards every request to the simulator and alters its answers."""
    with Simulator(load_scenario(scenario)) as simulator, hostile_gateway() as gateway:
        upstream = simulator.endpoint.split("/ia/")[0]
        mine = gateway.url.split("/ia/")[0]

        def answer(body: bytes) -> Answer:
            path = gateway.received[-1].path
            reply = requests.post(
                upstream + path, data=body, headers={"Content-Type": "application/xml"}, timeout=10
            )
            return Answer(reply.status_code, mutate(reply.text.replace(upstream, mine)))

        gateway.script(answer)
        yield gateway, simulator


def _empty_roleusers(attributes: str) -> Callable[[str], str]:
    pattern = re.compile(r'<data listtype="roleusers"[^>]*>.*?</data>', re.DOTALL)
    return lambda text: pattern.sub(f'<data listtype="roleusers" {attributes}></data>', text)


@pytest.mark.parametrize(
    "attributes",
    [
        'count="1" totalcount="1" numremaining="0" resultId=""',
        'count="0" totalcount="3" numremaining="0" resultId=""',
    ],
    ids=["count-without-records", "totalcount-without-pages"],
)
def test_a_page_that_omits_the_records_it_announces_is_could_not_check(pytester, attributes):
    result = run_through(pytester, _empty_roleusers(attributes), "-rs", "-k", "role-assigned")
    skipped = [line for line in result.stdout.lines if "n/a: role-assigned" in line]
    assert skipped == []
    assert result.ret == 10


def run_through(pytester: pytest.Pytester, mutate: Callable[[str], str], *args: str) -> pytest.RunResult:
    """The shipped suites against the Trelica-ready simulator, every answer passed through ``mutate``."""
    with tampering_proxy("trelica-ready", mutate) as (gateway, simulator):
        login = simulator.primary_login
        dotenv(
            pytester,
            "stage",
            gateway.url,
            INTACCT_SENDER_ID=login.sender_id,
            INTACCT_SENDER_PASSWORD=login.sender_password,
            INTACCT_COMPANY_ID=login.company_id,
            INTACCT_USER_ID=login.user_id,
            INTACCT_USER_PASSWORD=login.user_password,
        )
        return pytester.runpytest("--intacct-env=stage", "--intacct-retries=0", *args)


def test_a_user_record_for_another_login_is_not_evidence(pytester):
    def other_login(text: str) -> str:
        return text.replace("<LOGINID>trelica_ws</LOGINID>", "<LOGINID>someone_else</LOGINID>")

    # user-active may still pass on the sign-in alone (only an active user gets a session); the user
    # type has no evidence but the record, so it must not be judged on someone else's.
    result = run_through(pytester, other_login, "-k", "user-type-business")
    assert result.ret == 10  # could not check
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*USERINFO answered for 'someone_else', not for 'trelica_ws'*"])


def test_an_untampered_proxy_gives_the_simulators_verdict(pytester):
    result = run_through(pytester, lambda text: text, "-k", "role-assigned or user-active")
    result.assert_outcomes(passed=2)


# -- "could not check" and failures are never silenced -----------------------------------------------------


def test_fail_on_new_never_exits_0_on_a_failure_the_baseline_does_not_know(pytester):
    baseline = pytester.runpytest("--intacct-env=demo", "--intacct-json=baseline.json", "-k", "test_user")
    assert baseline.ret == pytest.ExitCode.OK
    result = pytester.runpytest(
        "--intacct-env=demo:primary",
        "--intacct-scenario=user-inactive",
        "--intacct-baseline=baseline.json",
        "--intacct-fail-on=new",
        "-k",
        "test_user",
    )
    result.stdout.fnmatch_lines(["verdict: NOT READY", "drift against baseline.json: 6 added"])
    assert result.ret != pytest.ExitCode.OK


@pytest.mark.parametrize("live", ["https://evil.test/reset", "www.evil.test", "@acme/admins"])
def test_gateway_text_in_the_markdown_makes_no_link_or_mention(live):
    from pytest_intacct.reporting.markdown import escape

    assert live not in escape(f"Sign-in refused: see {live} to unlock")


def test_a_session_id_that_is_a_json_word_cannot_corrupt_the_evidence_pack(pytester):
    # The secret registry is per process: register the hostile session id in a subprocess run only.
    pytester.makeconftest(
        "from pytest_intacct.safety.redaction import register_secret\n\n"
        "register_secret('false')  # what getAPISession would register as the session id\n"
    )
    result = pytester.runpytest_subprocess(
        "--intacct-env=demo", "--intacct-record=pack.json", "-k", "user-login"
    )
    assert result.ret == pytest.ExitCode.OK
    pack = evidence.load_pack(pytester.path / "pack.json")
    assert [snapshot.production for snapshot in pack.snapshots] == [False]

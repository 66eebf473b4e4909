"""docs/security.md section 11: canary secrets: no run, with any flag, shows a password, session id, REST
client secret or access token in any artifact or encoding.

The canaries hold ``<"&\\`` and a non-ASCII letter, so each takes a different shape on the way (XML-escaped in
the request, JSON- and HTML-escaped in the report, base64 in pytest-html's extras, URL-encoded in a URL). The
artifacts are decoded before they are searched, and every encoded shape of each canary is searched for.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import os
import re
from urllib.parse import parse_qs, quote, quote_plus
from xml.sax.saxutils import escape

import pytest

from pytest_intacct.evidence import packs as evidence
from pytest_intacct.reporting.outputs import OUTPUTS
from tests.helpers.artifacts import every_output, options, written
from tests.helpers.environments import dotenv, write_fleet
from tests.helpers.hostile_gateway import Answer
from tests.helpers.proxy import rest_tampering_proxy, tampering_proxy

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


SENDER_CANARY = 'Sender<"&\\é-8e1f2a'
USER_CANARY = 'User<"&\\ü-4b7c9d'
REST_CANARY = 'RestClient<"&\\å-9d3e5f'  # the REST client application's secret
# Each canary ends in a tag no encoding changes, so a secret is found whatever shape it took.
TAGS = ("8e1f2a", "4b7c9d", "9d3e5f")
# The simulator's access tokens are JWTs: every one starts with this header (base64url of its JSON).
JWT_HEADER = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
# pytest's --showlocals wraps long values over lines as adjacent string literals: join them again.
WRAPPED = re.compile(r"""['"]\s*\n\s*b?['"]""")
# Session ids end in ".." (docs/simulator.md); nothing else in a report looks like one.
SESSION_ID = re.compile(r"[A-Za-z0-9_\-~]{12,}\.\.")
LOUD = ("-vv", "--tb=long", "--showlocals", "-rA", "--log-level=DEBUG", "-o", "log_cli=true")

# TOML literal strings ('...') take the canaries as they are.
CANARY_SCENARIO = f"""
extends = "{{base}}"

[[logins]]
name = "primary"
sender_id = "TrelicaMPP"
sender_password = '{SENDER_CANARY}'
company_id = "TRELICA-DEMO"
user_id = "trelica_ws"
user_password = '{USER_CANARY}'
rest_client_id = "trelica-checker.app.sage.com"
rest_client_secret = '{REST_CANARY}'

[senders.TrelicaMPP]
password = '{SENDER_CANARY}'

[rest_clients."trelica-checker.app.sage.com"]
secret = '{REST_CANARY}'

[companies.TRELICA-DEMO.users.trelica_ws]
password = '{USER_CANARY}'
"""

# A test of the user's own, on a network that fails in a way nobody foresaw: the exception rises through
# requests' frames (which hold the request body) and the client's, and pytest prints them with --showlocals.
USER_TEST = """
import pytest
import requests


@pytest.fixture(scope="session")
def unforeseen_network_failure():
    original = requests.Session.send

    def send(self, request, **kwargs):
        raise RuntimeError("the network stack broke")

    requests.Session.send = send
    yield
    requests.Session.send = original


def test_my_own_read(unforeseen_network_failure, intacct_client):
    assert intacct_client.read_by_query("DEPARTMENT", "", ("RECORDNO",))
"""


def shapes(secret: str) -> set[str]:
    """The forms a secret can take in an artifact."""
    return {
        secret,
        escape(secret, {'"': "&quot;"}),
        html.escape(secret),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        secret.encode("unicode_escape").decode(),
    }


def decoded(text: str) -> list[str]:
    """The text itself, HTML-unescaped, and every string inside pytest-html's JSON blob, base64 decoded."""
    texts = [text, html.unescape(text)]
    blob = re.search(r'data-jsonblob="([^"]*)"', text)
    if blob:
        texts += list(_strings(json.loads(html.unescape(blob.group(1)))))
    for data_uri in re.findall(r"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)", "\n".join(texts)):
        try:
            texts.append(base64.b64decode(data_uri).decode("utf-8", "replace"))
        except binascii.Error:
            continue
    return texts


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def assert_no_secret(artifacts: dict[str, str], *others: str) -> None:
    forbidden = shapes(SENDER_CANARY) | shapes(USER_CANARY) | shapes(REST_CANARY) | set(TAGS) | {JWT_HEADER}
    forbidden |= {shape for other in others for shape in shapes(other)}
    for name, text in artifacts.items():
        for form in decoded(text):
            form = WRAPPED.sub("", form)
            for secret in forbidden:
                assert secret not in form, f"{name} holds {secret!r}"
            assert not SESSION_ID.search(form), f"{name} holds a session id"


def run_with_artifacts(pytester, base: str, *args: str) -> tuple[pytest.RunResult, dict[str, str]]:
    """A demo run on a canary scenario writing every declared output, and the terminal."""
    scenario = pytester.path / "canary.toml"
    scenario.write_text(CANARY_SCENARIO.replace("{base}", base), encoding="utf-8")
    outputs, paths = every_output(pytester.path)
    result = pytester.runpytest(
        "--intacct-env=demo", f"--intacct-scenario={scenario}", *outputs, *LOUD, *args
    )
    artifacts = written(paths)
    assert options(artifacts) == {declared.option for declared in OUTPUTS}, "a demo run writes every output"
    artifacts["terminal"] = result.stdout.str() + result.stderr.str()
    return result, artifacts


@pytest.mark.parametrize("base", ["missing-permissions", "sender-not-authorized"])
def test_no_artifact_of_a_run_contains_a_secret(pytester, base):
    """Canary passwords in a failing run reach no artifact, in any encoding."""
    result, artifacts = run_with_artifacts(pytester, base)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # both scenarios have findings
    assert "<password>***</password>" in artifacts["terminal"], "the DEBUG request log ran, redacted"
    assert "NOT READY" in artifacts["--intacct-markdown"]
    assert '"snapshots"' in artifacts["--intacct-record"]
    assert "client_secret=***" in artifacts["terminal"], (
        "the REST token was asked for, its request log redacted"
    )
    assert_no_secret(artifacts)


def test_an_exception_through_the_client_shows_no_secret_in_its_traceback(pytester):
    """An exception from below requests into a user's own test shows no secret under --full-trace."""
    suite = pytester.makepyfile(test_mine=USER_TEST)
    from pytest_intacct.plugin import suites_dir

    # --full-trace keeps every frame between the test and the raise: requests', urllib3's and the client's.
    result, artifacts = run_with_artifacts(
        pytester, "trelica-ready", str(suites_dir()), str(suite), "--full-trace"
    )
    # With REST access (its client secret a canary too): only the allowlist is skipped, n/a.
    result.assert_outcomes(passed=19, skipped=1, errors=1)
    assert "test_my_own_read" in artifacts["terminal"]
    assert "the network stack broke" in artifacts["terminal"]
    assert_no_secret(artifacts)


def test_a_fleet_naming_path_or_home_as_a_secret_never_prints_their_values(pytester, monkeypatch):
    """A fleet reading PATH and HOME as passwords never prints their values."""
    # Held: PATH and HOME are read as secrets and sent only where the entry points (here: nowhere
    # listening); no error, summary or file repeats their values.
    monkeypatch.setenv("HOME", "/home/canary-home-7f3a")
    monkeypatch.setenv("PATH", os.environ["PATH"] + ":/opt/canary-path-91be")
    write_fleet(
        pytester.path,
        '[[environment]]\nname = "acme"\nprofile = "trelica"\nsender = "S"\ncompany = "acme"\nuser = "u"\n'
        "production = false\n"
        'endpoint = "http://127.0.0.1:9/ia/xml/xmlgw.phtml"\n'
        'sender_password_var = "PATH"\nuser_password_var = "HOME"\n',
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-fleet=fleet.toml", "--intacct-retries=0",
        "--intacct-timeout=2", "--intacct-json=out.json", "--junitxml=out.xml",
    )  # fmt: skip
    assert result.ret == 10  # nothing listens on port 9: could not check
    written = "".join(p.read_text() for p in (pytester.path / "out.json", pytester.path / "out.xml"))
    for text in (str(result.stdout), str(result.stderr), written):
        assert "canary-home-7f3a" not in text
        assert "canary-path-91be" not in text


def test_a_session_id_that_is_a_json_word_cannot_corrupt_the_evidence_pack(pytester):
    """A session id spelled "false" is redacted in the pack's values without corrupting the pack."""
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


def test_a_secret_echoed_inside_read_data_reaches_no_artifact(pytester, monkeypatch):
    """A proxy that returns the user's password as USERINFO.STATUS and the session id as USERTYPE: every
    value that enters a finding or its evidence is redacted at the source, so no artifact shows either."""
    scenario = pytester.path / "canary.toml"
    scenario.write_text(CANARY_SCENARIO.replace("{base}", "trelica-ready"), encoding="utf-8")
    session = {}

    def echo(answer: str) -> str:
        found = re.search(r"<sessionid>([^<]*)</sessionid>", answer)
        session.update(id=found.group(1)) if found else None
        answer = answer.replace("<STATUS>active</STATUS>", f"<STATUS>{escape(USER_CANARY)}</STATUS>")
        return answer.replace(
            "<USERTYPE>business user</USERTYPE>", f"<USERTYPE>{session.get('id')}</USERTYPE>"
        )

    with tampering_proxy(scenario, echo) as (proxy, simulator):
        login = simulator.primary_login
        for key, value in {
            "SENDER_ID": login.sender_id, "SENDER_PASSWORD": login.sender_password,
            "COMPANY_ID": login.company_id, "USER_ID": login.user_id, "USER_PASSWORD": login.user_password,
            "ENDPOINT": proxy.url, "PROFILE": "trelica", "PRODUCTION": "false",
        }.items():  # fmt: skip
            monkeypatch.setenv(f"INTACCT_PROD_{key}", value)
        outputs, paths = every_output(pytester.path)
        result = pytester.runpytest("--intacct-env=prod", *outputs, *LOUD)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # STATUS and USERTYPE are not what the runbook says
    artifacts = written(paths) | {"terminal": result.stdout.str() + result.stderr.str()}
    assert "observed: USERINFO.STATUS is '***'" in artifacts["terminal"]  # the echo was read, and masked
    assert session["id"] not in artifacts["terminal"]
    assert_no_secret(artifacts)


def test_a_session_id_echoed_in_read_data_leaks_under_xdist(pytester, monkeypatch):
    """Attack: a proxy returns the session id as USERINFO.USERTYPE (the attack of section 11's
    ``test_a_secret_echoed_inside_read_data_reaches_no_artifact``), and the run uses ``-n 1`` (``-n 2``
    alike).

    The controlling process signs in and hands the snapshots, raw, to the workers; the session id is
    registered as a secret only in the controller. A worker's finding, failure message and HTML extras are
    redacted with a registry that does not know it, so the session id appears in clear in the FAILURES
    section of the terminal, in JUnit's <failure> and in the HTML page (only the controller-rendered JSON,
    Markdown and summary mask it). Breaks section 11: "No password or session id appears in the terminal,
    the HTML report, JUnit ...".
    """
    session: dict[str, str] = {}

    def echo(answer: str) -> str:
        found = re.search(r"<sessionid>([^<]*)</sessionid>", answer)
        if found:
            session["id"] = found.group(1)
        return answer.replace(
            "<USERTYPE>business user</USERTYPE>", f"<USERTYPE>{session.get('id')}</USERTYPE>"
        )

    with tampering_proxy("trelica-ready", echo) as (proxy, simulator):
        login = simulator.primary_login
        for key, value in {
            "SENDER_ID": login.sender_id, "SENDER_PASSWORD": login.sender_password,
            "COMPANY_ID": login.company_id, "USER_ID": login.user_id, "USER_PASSWORD": login.user_password,
            "ENDPOINT": proxy.url, "PROFILE": "trelica", "PRODUCTION": "false",
        }.items():  # fmt: skip
            monkeypatch.setenv(f"INTACCT_PROD_{key}", value)
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--intacct-env=prod", "--junitxml=junit.xml", "-n", "1",
            "-k", "user-type",
        )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the echoed USERTYPE is not 'business user'
    assert session["id"]
    assert session["id"] not in result.stdout.str()
    assert session["id"] not in (pytester.path / "junit.xml").read_text(encoding="utf-8")


def test_a_dotenv_that_interpolates_another_environments_password_prints_it(pytester, monkeypatch):
    """Attack: a ``.env.acme`` handed to the operator sets
    ``INTACCT_COMPANY_ID=${INTACCT_PROD_USER_PASSWORD}``. CI holds every environment's secrets as
    variables; the run checks ``acme`` only.

    python-dotenv interpolates ``${...}`` from the process environment, and the prod password is never
    wrapped as a Secret (prod is not selected), so it is shown in clear as acme's company id in the header
    and the acceptance JSON (and sent to acme's endpoint). Breaks section 11 ("No password ... appears in
    the terminal, ..., the acceptance JSON") for a file someone else wrote (threat model: "Files someone
    else wrote").
    """
    canary = "ProdPassword-canary-4e9d"
    monkeypatch.setenv("INTACCT_PROD_USER_PASSWORD", canary)
    dotenv(
        pytester,
        "acme",
        "http://127.0.0.1:9/ia/xml/xmlgw.phtml",  # nothing listens: could not check
        INTACCT_COMPANY_ID="${INTACCT_PROD_USER_PASSWORD}",
        INTACCT_PRODUCTION="false",
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=acme", "--intacct-retries=0", "--intacct-timeout=2",
        "--intacct-json=out.json", "-v", "-k", "user-login",
    )  # fmt: skip
    assert result.ret == 10
    assert canary not in result.stdout.str()
    assert canary not in (pytester.path / "out.json").read_text(encoding="utf-8")


def test_the_rest_tokens_and_client_secret_echoed_inside_rest_data_reach_no_artifact(pytester, monkeypatch):
    """A proxy hands out the simulator's tokens, then returns the access token as the IP filter mode, the
    client secret it was sent as the user's status and the refresh token as its type: every value entering
    a finding is redacted at the source, so no artifact shows any of them."""
    scenario = pytester.path / "canary.toml"
    scenario.write_text(CANARY_SCENARIO.replace("{base}", "trelica-ready"), encoding="utf-8")
    seen: dict[str, str] = {}
    proxy: list = []

    def echo(path: str, answer: Answer) -> Answer:
        document = json.loads(answer.body)
        if path.endswith("/oauth2/token"):
            form = parse_qs(proxy[0].received[-1].body.decode())
            seen.update(
                access=document["access_token"],
                refresh=document["refresh_token"],
                secret=form["client_secret"][0],
            )
            return answer
        record = document["ia::result"]
        if isinstance(record, dict) and "ipAddressFiltering" in record:
            record["ipAddressFiltering"] = seen["access"]
        if isinstance(record, dict) and record.get("id") == "trelica_ws":
            record.update(status=seen["secret"], userType=seen["refresh"])
        return Answer(answer.status, json.dumps(document), answer.headers)

    with rest_tampering_proxy(scenario, echo) as (gateway, simulator):
        proxy.append(gateway)
        login = simulator.primary_login
        for key, value in {
            "SENDER_ID": login.sender_id, "SENDER_PASSWORD": login.sender_password,
            "COMPANY_ID": login.company_id, "USER_ID": login.user_id, "USER_PASSWORD": login.user_password,
            "ENDPOINT": gateway.url, "PROFILE": "trelica", "PRODUCTION": "false",
            "REST_CLIENT_ID": str(login.rest_client_id), "REST_CLIENT_SECRET": str(login.rest_client_secret),
        }.items():  # fmt: skip
            monkeypatch.setenv(f"INTACCT_PROD_{key}", value)
        outputs, paths = every_output(pytester.path)
        result = pytester.runpytest("--intacct-env=prod", *outputs, *LOUD)
    assert seen["secret"] == REST_CANARY
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the echoed status is not active
    artifacts = written(paths) | {"terminal": result.stdout.str() + result.stderr.str()}
    assert "REST user.status is '***'" in artifacts["terminal"]  # the echo was read, and masked
    assert_no_secret(artifacts, seen["access"], seen["refresh"])


def test_no_output_of_a_merge_contains_a_secret(pytester, monkeypatch, capsys):
    """Canary passwords of a fleet checked in two shards reach no shard file and no output of their merge."""
    from pytest_intacct import merge
    from pytest_intacct.simulator import Simulator, load_scenario
    from tests.helpers.environments import simulated_fleet

    scenario = pytester.path / "canary.toml"
    scenario.write_text(CANARY_SCENARIO.replace("{base}", "missing-permissions"), encoding="utf-8")
    with Simulator(load_scenario(scenario)) as simulator:
        fleet = pytester.path / "fleet.toml"
        members = [("acme", "acme", simulator, "primary"), ("globex", "globex", simulator, "primary")]
        for variable, value in simulated_fleet(fleet, members).items():
            monkeypatch.setenv(variable, value)
        terminal = ""
        for k in (1, 2):
            shard = ("-p", "no:cacheprovider", f"--intacct-fleet={fleet}", f"--intacct-shard={k}/2")
            result = pytester.runpytest(*shard, f"--intacct-json=shard-{k}.json", *LOUD)
            terminal += result.stdout.str() + result.stderr.str()
    # Every output the merge can write, each under its option's name.
    outputs = {merge.merge_option(d): merge.merge_option(d).strip("-") for d in merge.merge_outputs()}
    assert {"--json", "--markdown", "--csv", "--html", "--fleet-report"} <= outputs.keys()
    shards = [str(pytester.path / f"shard-{k}.json") for k in (1, 2)]
    code = merge.main([*shards, *(f"{option}={pytester.path / name}" for option, name in outputs.items())])
    assert code == 1  # missing permissions: NOT READY, so the reports have findings to show
    captured = capsys.readouterr()
    artifacts = {"shard terminals": terminal, "merge terminal": captured.out + captured.err}
    for path in [pytester.path / "shard-1.json", pytester.path / "shard-2.json"] + [
        pytester.path / name for name in outputs.values()
    ]:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        artifacts |= {str(f): f.read_text(encoding="utf-8") for f in files if f.is_file()}
    assert len(artifacts) > len(outputs) + 3, "the fleet report wrote its index and group pages"
    assert "NOT READY" in artifacts[str(pytester.path / "markdown")]
    assert_no_secret(artifacts)

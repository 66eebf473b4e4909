"""A gateway that is down, throttling or answering garbage gives "could not check" -- never a verdict."""

from __future__ import annotations

import json

import pytest

from tests.helpers.runs import TRELICA_IDS, outcomes, run_acceptance, trelica


def faulty_scenario(pytester, faults: str):
    path = pytester.path / "faulty.toml"
    path.write_text(f'extends = "trelica-ready"\n\n[faults]\n{faults}\n')
    return f"--intacct-scenario={path}"


@pytest.mark.parametrize(
    ("faults", "cause"),
    [
        pytest.param(
            "fail_every = 1\nfail_status = 503", "HTTP 503 from the gateway after 2 attempt(s)", id="5xx"
        ),
        pytest.param(
            "fail_every = 1\nfail_status = 524", "HTTP 524 from the gateway after 1 attempt(s)", id="524"
        ),
        pytest.param(
            'next = [{ kind = "throttle", count = 10 }]', "GW-0010 API rate limit exceeded", id="429"
        ),
        pytest.param('next = [{ kind = "truncate", count = 10 }]', "was cut off", id="truncated"),
        pytest.param('next = [{ kind = "reset", count = 10 }]', "could not reach 127.0.0.1", id="reset"),
    ],
)
def test_a_gateway_that_never_answers_properly_errors_every_requirement(pytester, faults, cause):
    result, _, by_env = run_acceptance(
        pytester, "--intacct-env=demo", faulty_scenario(pytester, faults), "--intacct-retries=1"
    )
    env = by_env["demo"]
    assert outcomes(env) == trelica("error")
    assert all(cause in entry["observed"] for entry in env.values()), env["user-login"]["observed"]
    assert all(entry.get("root_cause") is None for entry in env.values())
    result.assert_outcomes(errors=len(TRELICA_IDS))


def test_a_failure_after_sign_in_leaves_only_what_sign_in_proved(pytester):
    # Request 1 (getAPISession) succeeds; request 2, the batch of reads, gets an HTML error page. So do
    # the REST reads (requests 4 and 6, after the token, request 3), so what only they tell is not checked.
    _, _, by_env = run_acceptance(
        pytester, "--intacct-env=demo", faulty_scenario(pytester, "fail_every = 2"), "--intacct-retries=0"
    )
    proven_by_sign_in = {"web-services-subscription", "sender-authorized", "user-login", "user-active"}
    assert outcomes(by_env["demo"]) == {
        rid: "pass" if rid in proven_by_sign_in else "error" for rid in TRELICA_IDS
    }
    assert "HTTP 503 from the REST API" in by_env["demo"]["ip-allowlist"]["observed"]


def test_an_unreachable_real_endpoint_is_one_error_per_requirement(pytester):
    pytester.path.joinpath(".env.prod").write_text(
        "INTACCT_PROFILE=trelica\nINTACCT_SENDER_ID=TrelicaMPP\nINTACCT_SENDER_PASSWORD=x-canary-1\n"
        "INTACCT_COMPANY_ID=acme\nINTACCT_USER_ID=trelica_ws\nINTACCT_USER_PASSWORD=y-canary-2\n"
        # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        "INTACCT_ENDPOINT=http://127.0.0.1:9/ia/xml/xmlgw.phtml\n"
    )
    out = pytester.path / "acceptance.json"
    result = pytester.runpytest("--intacct-env=prod", "--intacct-retries=0", f"--intacct-json={out}")
    result.assert_outcomes(errors=len(TRELICA_IDS))
    entries = json.loads(out.read_text())["environments"][0]["requirements"]
    assert {e["outcome"] for e in entries} == {"error"}
    assert "could not reach 127.0.0.1:9" in entries[0]["observed"]
    assert "canary" not in result.stdout.str()

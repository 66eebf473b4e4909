"""The REST API's lens (docs/rest.md), end to end through pytest and the simulator: the IP filter mode decides
whether the allowlist applies, a locked-out user is told from an inactive one, a refused token costs the REST
facts only (under one root cause), and without REST settings nothing but the REST-backed requirements changes.
"""

from __future__ import annotations

import pytest

from pytest_intacct.checks import KINDS
from pytest_intacct.profiles import load_profile
from pytest_intacct.simulator import Simulator, load_scenario
from tests.helpers.runs import SUPPORT_ID, outcomes, run_acceptance, trelica

pytestmark = pytest.mark.usefixtures("no_intacct_variables")

TRELICA = load_profile("trelica")
# The primary login of trelica-ready, restated: a scenario's [[logins]] replace its parent's.
LOGIN = """
[[logins]]
name = "primary"
sender_id = "TrelicaMPP"
sender_password = "Trelica-sender-pass-1"
company_id = "TRELICA-DEMO"
user_id = "trelica_ws"
user_password = "Trelica-ws-pass-1"
"""
REST_LOGIN = 'rest_client_id = "trelica-checker.app.sage.com"\nrest_client_secret = "Trelica-rest-secret-1"\n'


def sources(requirement_id: str) -> set[str]:
    """Where the kind of a Trelica requirement reads its facts: ``xml``, ``rest`` or both."""
    return {need.source for need in KINDS[TRELICA.requirement(requirement_id).check].reads}


REST_ONLY = [r.id for r in TRELICA.requirements if sources(r.id) == {"rest"}]
XML_ONLY = [r.id for r in TRELICA.requirements if "rest" not in sources(r.id)]
BOTH = [r.id for r in TRELICA.requirements if sources(r.id) == {"xml", "rest"}]


def scenario(pytester, name: str, text: str) -> str:
    path = pytester.path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(pytester, scenario_: str, *args: str):
    return run_acceptance(pytester, "--intacct-env=demo", f"--intacct-scenario={scenario_}", *args)


def test_the_profile_has_requirements_of_each_source():
    assert REST_ONLY == ["ip-allowlist", "user-password-never-expires", "rest-access"]
    assert BOTH == ["user-active", "user-web-services-only", "role-assigned"]
    assert "permission-employees-edit" in XML_ONLY


def test_no_ip_filter_makes_the_allowlist_not_applicable_with_the_mode_as_evidence(pytester):
    result, _, by_env = run(pytester, "trelica-ready", "-rs")
    allowlist = by_env["demo"]["ip-allowlist"]
    assert allowlist["outcome"] == "n/a"
    assert allowlist["evidence"]["company-preference.ipAddressFiltering"] == "none"
    assert "enforces no IP address filters" in allowlist["observed"]
    result.stdout.fnmatch_lines(["*n/a: ip-allowlist: the company enforces no IP address filters*"])


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("companyLevel", "enforced at company level"),
        ("companyLevelOverrideUserLevel", "users' own filters override it"),
        ("userLevel", "enforced per user"),
    ],
)
def test_enforced_filters_keep_the_allowlist_manual_with_the_mode(pytester, mode, words):
    text = f'extends = "ip-filtered"\n\n[companies.TRELICA-DEMO.ip_filter]\nmode = "{mode}"\n'
    result, document, by_env = run(pytester, scenario(pytester, mode, text), "-rs")
    allowlist = by_env["demo"]["ip-allowlist"]
    assert allowlist["outcome"] == "manual"
    assert allowlist["evidence"]["company-preference.ipAddressFiltering"] == mode
    assert words in allowlist["observed"]
    assert "this machine's sign-in was accepted" in allowlist["observed"]  # the behavioural proof
    # Sage does not confirm that the filters apply to API calls: the attestation says so.
    assert "Whether the filters apply to API calls is unconfirmed" in allowlist["observed"]
    assert (document["verdict"], document["attestations_owed"]) == ("READY", 1)
    result.stdout.fnmatch_lines([f"*manual: ip-allowlist: IP address filters are enforced*{mode}*"])


def test_the_shipped_ip_blocked_company_enforces_filters_at_company_level(pytester):
    # Its REST token is refused from this machine's address too (an assumption, docs/simulator.md), so the
    # refused XML sign-in stays the one root cause, and the allowlist is could not check under it.
    _, _, by_env = run(pytester, "ip-blocked")
    demo = by_env["demo"]
    assert outcomes(demo) == trelica("error", user_login="fail")
    assert {entry["root_cause"] for rid, entry in demo.items() if rid != "user-login"} == {"user-login"}
    company = load_scenario("ip-blocked").companies["TRELICA-DEMO"]
    assert (company.ip_filter_enforced, company.ip_filter_mode) == (True, "companyLevel")


@pytest.mark.parametrize(
    ("status", "rest_status", "fix"),
    [
        ("lockedout", "lockedOut", "only an admin can unlock a locked-out user"),
        ("inactive", "inactive", TRELICA.requirement("user-active").remediation),
    ],
)
def test_a_refused_sign_in_is_told_locked_out_or_inactive_by_the_rest_api(pytester, status, rest_status, fix):
    # No auditor: the REST API reads the user as an admin (its client authorized for that admin), so a user
    # the XML gateway refuses without saying why is told locked out (only an admin unlocks) or inactive.
    text = (
        f'extends = "trelica-ready"\n{LOGIN}{REST_LOGIN}rest_username = "jsmith@TRELICA-DEMO"\n\n'
        '[companies.TRELICA-DEMO.authorized_clients."trelica-checker.app.sage.com"]\nuser = "jsmith"\n\n'
        f'[companies.TRELICA-DEMO.users.trelica_ws]\nstatus = "{status}"\n'
    )
    result, _, by_env = run(pytester, scenario(pytester, status, text))
    active = by_env["demo"]["user-active"]
    assert active["outcome"] == "fail"
    assert active["observed"].startswith(
        f"REST user.status is '{rest_status}' (read by the REST API (login 'jsmith@TRELICA-DEMO'))"
    )
    assert active["evidence"]["user.status"] == rest_status
    assert fix in active["remediation"]
    assert by_env["demo"]["user-login"]["root_cause"] == "user-active"
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_refused_token_costs_the_rest_facts_only_under_one_root_cause(pytester):
    _, _, ready = run(pytester, "trelica-ready")
    result, document, refused = run(pytester, "rest-token-refused")
    ready, refused = ready["demo"], refused["demo"]
    # What the XML gateway alone judges is judged exactly as with a granted token.
    for rid in XML_ONLY:
        assert (refused[rid]["outcome"], refused[rid]["observed"]) == (
            ready[rid]["outcome"],
            ready[rid]["observed"],
        ), rid
    # What both read keeps the XML gateway's outcome, and says why the REST API's half is missing.
    for rid in BOTH:
        assert refused[rid]["outcome"] == ready[rid]["outcome"] == "pass", rid
        assert "the token request was refused" in refused[rid]["evidence"]["rest_error"], rid
    # What only the REST API reads could not be checked, under one root cause.
    assert {rid: refused[rid]["outcome"] for rid in REST_ONLY} == dict.fromkeys(REST_ONLY, "error")
    assert {refused[rid]["root_cause"] for rid in REST_ONLY} == {"rest-token-refused"}
    [cause] = document["root_causes"]
    assert (cause["id"], cause["requirements"]) == ("rest-token-refused", REST_ONLY)
    assert "unauthorized_client" in cause["title"]
    assert "Authorized client applications" in cause["fix"]
    assert "INTACCT_DEMO_REST_CLIENT_SECRET" in cause["fix"]
    assert document["verdict"] == "INCOMPLETE"  # could not check, never a failure of the company
    assert result.ret == 10
    result.stdout.fnmatch_lines(["*the REST API refused a token for 'trelica_ws@TRELICA-DEMO'*"])


@pytest.mark.parametrize(
    "base",
    [
        "trelica-ready",
        "missing-permissions",
        "user-based-permissions",
        "no-permission-visibility",
        "user-inactive",
    ],
)
def test_without_rest_settings_only_the_rest_backed_requirements_change(pytester, base):
    _, _, with_rest = run(pytester, base)
    without = scenario(pytester, f"{base}-xml-only", f'extends = "{base}"\n{LOGIN}')
    _, document, xml_only = run(pytester, without)
    with_rest, xml_only = with_rest["demo"], xml_only["demo"]

    def seen(entry: dict) -> tuple:
        return entry["outcome"], SUPPORT_ID.sub("[Support ID]", entry["observed"]), entry.get("root_cause")

    for rid in XML_ONLY:
        assert seen(xml_only[rid]) == seen(with_rest[rid]), rid
    for rid in BOTH:  # on these companies the REST API agrees with the XML gateway
        assert xml_only[rid]["outcome"] == with_rest[rid]["outcome"], rid
        assert not any(
            key.startswith(("user.", "company-preference.", "rest_")) for key in xml_only[rid]["evidence"]
        )
    signed_in = outcomes(xml_only)["user-login"] == "pass"
    for rid in REST_ONLY:
        entry = xml_only[rid]
        if not signed_in:  # a refused sign-in is the root cause of everything, with or without REST
            assert entry["outcome"] == "error", rid
            continue
        assert entry["outcome"] in ("manual", "n/a"), rid
        # The reason says what REST access would add, and which settings give it.
        assert "REST access is not configured (INTACCT_DEMO_REST_CLIENT_ID and" in entry["observed"], rid
        assert "with it, the checker reads" in entry["observed"], rid
    assert "rest-token-refused" not in {cause["id"] for cause in document["root_causes"]}


def test_a_fleet_gives_rest_access_entry_by_entry(pytester, monkeypatch):
    """The fleet's REST keys, end to end: an entry with them reads what the REST API tells, one without
    says what REST access would add."""
    with Simulator("trelica-ready") as simulator:
        login = simulator.primary_login
        monkeypatch.setenv("SENDER_PW", login.sender_password)
        monkeypatch.setenv("WS_PW", login.user_password)
        monkeypatch.setenv("CHECKER_SECRET", str(login.rest_client_secret))
        common = (
            f'company = "{login.company_id}"\nuser = "{login.user_id}"\nsender = "{login.sender_id}"\n'
            f'endpoint = "{simulator.endpoint}"\n'
            'sender_password_var = "SENDER_PW"\nuser_password_var = "WS_PW"\n'
        )
        pytester.path.joinpath("fleet.toml").write_text(
            '[defaults]\nprofile = "trelica"\nproduction = false\n\n'
            f'[[environment]]\nname = "with-rest"\n{common}rest_client_id = "{login.rest_client_id}"\n'
            'rest_client_secret_var = "CHECKER_SECRET"\n\n'
            f'[[environment]]\nname = "xml-only"\n{common}',
            encoding="utf-8",
        )
        result, _, by_env = run_acceptance(pytester, "--intacct-fleet=fleet.toml")
    assert outcomes(by_env["with-rest"]) == trelica("pass", ip_allowlist="n/a")
    assert outcomes(by_env["xml-only"]) == trelica(
        "pass", ip_allowlist="manual", user_password_never_expires="manual", rest_access="n/a"
    )
    assert result.ret == pytest.ExitCode.OK

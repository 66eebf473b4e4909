"""docs/security.md section 6: evidence is what was asked: a result for another function, controlid, login or
status, or a page lying about its records, is "could not check", never a verdict; so is any REST answer that
is not the evidence asked for.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

import pytest
from lxml import etree

from pytest_intacct.checks import evaluate
from pytest_intacct.client import ErrorKind, GatewayRejected, GatewayUnavailable, IntacctError
from pytest_intacct.client import functions as fn
from pytest_intacct.evidence.rest_reads import MAX_SANDBOXES, _sandboxes
from pytest_intacct.evidence.snapshot import Reading
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.results.finding import Outcome
from tests.helpers import answers
from tests.helpers.hostile_client import (
    SESSION_CANARY,
    assert_no_secret,
    chain_texts,
    controlids,
    hostile_client,
    reply,
    session,
    users,
)
from tests.helpers.hostile_gateway import Answer, hostile_gateway
from tests.helpers.proxy import run_rest_through, run_through
from tests.helpers.snapshots import snapshot

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


def test_a_result_missing_from_the_answer_is_typed_not_a_key_error():
    """An answer without the asked result is a typed error, not a KeyError, and holds no secret."""
    with hostile_gateway() as gateway:
        gateway.script(session(gateway.url), Answer(body=answers.response()))
        client = hostile_client(gateway)
        with pytest.raises(IntacctError, match="0 results with controlid") as info:
            client.read_by_query("DEPARTMENT")
    assert not isinstance(info.value, KeyError)
    assert_no_secret(*chain_texts(info.value))


def test_a_result_for_another_function_is_not_evidence():
    """A result under the asked controlid but for another function is not taken."""
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: answers.response(answers.result("create", ids[0], "<data/>"))),
        )
        with pytest.raises(IntacctError, match="is for 'create', not 'readByQuery'"):
            hostile_client(gateway).read_by_query("DEPARTMENT")


def test_a_duplicated_result_is_not_evidence():
    """Two results under one controlid are not taken."""
    empty = '<data listtype="department" count="0" numremaining="0"/>'
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(
                lambda ids: answers.response(
                    answers.result("readByQuery", ids[0], empty), answers.result("readByQuery", ids[0], empty)
                )
            ),
        )
        with pytest.raises(IntacctError, match="2 results with controlid"):
            hostile_client(gateway).read_by_query("DEPARTMENT")


@pytest.mark.parametrize("status", [402, 404, 500, 503])
def test_a_non_2xx_answer_with_a_success_envelope_is_could_not_check(status):
    """An error status under a success envelope is "could not check", never a refusal."""
    with hostile_gateway() as gateway:
        gateway.script(Answer(status, answers.session(SESSION_CANARY, gateway.url, "x")))
        with pytest.raises(GatewayUnavailable, match=f"HTTP {status}") as info:
            hostile_client(gateway).sign_in()
    assert not isinstance(info.value, GatewayRejected)


def test_a_non_2xx_answer_carrying_results_is_could_not_check():
    """Results carried by an HTTP 500 answer are not taken."""
    empty = '<data listtype="department" count="0" numremaining="0"/>'
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            lambda body: Answer(
                500, answers.response(answers.result("readByQuery", controlids(body)[0], empty))
            ),
        )
        with pytest.raises(GatewayUnavailable, match="HTTP 500"):
            hostile_client(gateway).read_by_query("DEPARTMENT")


def control_failure(errorno: str, description: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status></control>'
        f"<errormessage>{answers.error(errorno, description)}</errormessage></response>"
    )


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, answers.SIGN_IN_401, ErrorKind.SIGN_IN_FAILED),
        (400, control_failure("GW-0011", "Invalid sender or tenant"), ErrorKind.COMPANY_UNAVAILABLE),
        (400, control_failure("invalidRequest", "Invalid Request"), ErrorKind.COMPANY_UNAVAILABLE),
        (429, control_failure("GW-0010", "API rate limit exceeded"), ErrorKind.THROTTLED),
    ],
)
def test_the_documented_failure_answers_keep_their_meaning(status, body, kind):
    """The control: the gateway's documented failure answers keep their meaning."""
    with hostile_gateway() as gateway:
        gateway.script(Answer(status, body))
        with pytest.raises(GatewayRejected) as info:
            hostile_client(gateway).sign_in()
    assert info.value.kind is kind


def test_an_undocumented_refusal_outside_2xx_is_could_not_check():
    """A 403 dressed as a sign-in refusal is "could not check", not a failed sign-in."""
    with hostile_gateway() as gateway:
        gateway.script(Answer(403, answers.SIGN_IN_401))
        with pytest.raises(GatewayUnavailable, match="not one of the gateway's documented answers"):
            hostile_client(gateway).sign_in()


def test_a_read_that_succeeds_without_data_is_an_error():
    """A read that claims success without its <data> is unreadable."""
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: answers.response(answers.result("getUserPermissions", ids[0]))),
        )
        with pytest.raises(GatewayUnavailable, match="without the <data>") as info:
            hostile_client(gateway).get_user_permissions("trelica_ws")
    assert info.value.kind is ErrorKind.UNREADABLE


@pytest.mark.parametrize(
    "attribute", ['numremaining="lots"', 'count="-1"', 'numremaining="1e3"', 'count="٣"']
)
def test_a_non_numeric_paging_attribute_is_unreadable(attribute):
    """Paging attributes that are not whole counts (words, -1, 1e3, Arabic digits) are unreadable."""
    data = f'<data listtype="department" {attribute}/>'
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: answers.response(answers.result("readByQuery", ids[0], data))),
        )
        with pytest.raises(GatewayUnavailable, match="not a count") as info:
            hostile_client(gateway).read_by_query("DEPARTMENT")
    assert info.value.kind is ErrorKind.UNREADABLE


def departments(department: str, attributes: str) -> str:
    row = f"<department><DEPARTMENTID>{department}</DEPARTMENTID></department>"
    return f'<data listtype="department" {attributes}>{row}</data>'


def test_read_to_end_follows_a_batched_read_by_query_and_a_batched_query():
    """The control: a batched read is read to its end through exactly the pages it asked for."""

    def batch(ids):
        rbq = departments("D1", 'count="1" numremaining="1" resultId="R9"')
        query = users("1", 'count="1" numremaining="1" offset="0"')
        return answers.response(
            answers.result("readByQuery", ids[0], rbq), answers.result("query", ids[1], query)
        )

    def more(body):
        root = etree.fromstring(body)
        ids = controlids(body)
        if root.find(".//readMore") is not None:
            assert root.findtext(".//readMore/resultId") == "R9"
            data = departments("D2", 'count="1" numremaining="0" resultId="R9"')
            return Answer(body=answers.response(answers.result("readMore", ids[0], data)))
        assert root.findtext(".//query/offset") == "1"
        data = users("2", 'count="1" numremaining="0" offset="1"')
        return Answer(body=answers.response(answers.result("query", ids[0], data)))

    with hostile_gateway() as gateway:
        gateway.script(session(gateway.url), reply(batch), more, more)
        client = hostile_client(gateway)
        rbq, query = (
            fn.read_by_query("DEPARTMENT", pagesize=1),
            fn.query("USERINFO", ["RECORDNO"], pagesize=1),
        )
        response = client.execute([rbq, query])
        all_departments = client.read_to_end(rbq, response.result(rbq.controlid, "readByQuery"))
        all_users = client.read_to_end(query, response.result(query.controlid, "query"))
    assert [r["DEPARTMENTID"] for r in all_departments] == ["D1", "D2"]
    assert [r["RECORDNO"] for r in all_users] == ["1", "2"]


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
    """A ROLEUSERS page announcing records it does not carry is "could not check", not "no role"."""
    result = run_through(pytester, _empty_roleusers(attributes), "-rs", "-k", "role-assigned")
    skipped = [line for line in result.stdout.lines if "n/a: role-assigned" in line]
    assert skipped == []
    assert result.ret == 10


def test_a_user_record_for_another_login_is_not_evidence(pytester):
    """A USERINFO answer holding another login's record is not evidence about ours."""

    def other_login(text: str) -> str:
        return text.replace("<LOGINID>trelica_ws</LOGINID>", "<LOGINID>someone_else</LOGINID>")

    # user-active may still pass on the sign-in alone (only an active user gets a session); the user
    # type has no evidence but the record, so it must not be judged on someone else's.
    result = run_through(pytester, other_login, "-k", "user-type-business")
    assert result.ret == 10  # could not check
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*USERINFO answered for 'someone_else', not for 'trelica_ws'*"])


def test_an_untampered_proxy_gives_the_simulators_verdict(pytester):
    """The control: the proxy passing answers through unchanged gives the simulator's verdict."""
    result = run_through(pytester, lambda text: text, "-k", "role-assigned or user-active")
    result.assert_outcomes(passed=2)


ACTIVE_USER = re.compile(
    r"<USERINFO>(?:(?!</USERINFO>).)*<LOGINID>trelica_ws</LOGINID>(?:(?!</USERINFO>).)*</USERINFO>", re.S
)


def twice(order: tuple[str, str]) -> Callable[[str], str]:
    """The user's USERINFO record answered twice, its STATUS as ``order`` says (count kept true)."""

    def mutate(text: str) -> str:
        found = ACTIVE_USER.search(text)
        if found is None:
            return text
        record = found.group()
        doubled = "".join(
            record.replace("<STATUS>active</STATUS>", f"<STATUS>{status}</STATUS>") for status in order
        )
        text = text.replace(record, doubled)
        return text.replace('listtype="USERINFO" count="1"', 'listtype="USERINFO" count="2"')

    return mutate


@pytest.mark.parametrize(
    "order", [("active", "inactive"), ("inactive", "active")], ids=["active-first", "inactive-first"]
)
def test_a_record_answered_twice_with_different_facts_is_could_not_check(pytester, order):
    """USERINFO holding the user's record twice, active then inactive, passed user-active (the first won);
    the reverse order failed it; the report never showed the contradiction. Now either order is could
    not check, showing both."""
    result = run_through(pytester, twice(order), "-k", "user-active", "--intacct-json=out.json")
    assert result.ret == 10
    text = result.stdout.str()
    assert f"STATUS '{order[0]}' / '{order[1]}'" in text
    assert "the records disagree" in text


def test_a_policy_listed_twice_with_different_rights_is_could_not_check(pytester):
    """getUserPermissions listing Employees twice, View|Edit and View: the Edit right, judged from declared
    permissions alone, is could not check, both lists shown (before, the rights were merged)."""

    def contradict(text: str) -> str:
        policy = "<policy><policyName>Employees</policyName><rights>View|Edit</rights></policy>"
        return text.replace(policy, policy + policy.replace("View|Edit", "View"))

    result = run_through(pytester, contradict, "-k", "permission-employees-edit")
    assert result.ret == 10
    assert "Employees twice, with rights Edit|View and View" in result.stdout.str()


def test_a_policy_listed_twice_in_another_case_is_could_not_check(pytester):
    """Attack: getUserPermissions lists ``Employees: View|Edit`` and ``EMPLOYEES: View`` under Company.

    The contradiction check compares raw policy names, but the permission check matches them case-folded
    and unions their rights, so the self-contradicting answer passes permission-employees-edit (READY,
    exit 0); the same answer with both spelled ``Employees`` is could not check. Breaks section 6: "one
    policy listed twice under one application with different rights" is ``contradictory``, could not
    check.
    """

    def contradict(text: str) -> str:
        policy = "<policy><policyName>Employees</policyName><rights>View|Edit</rights></policy>"
        other = policy.replace("View|Edit", "View").replace("Employees", "EMPLOYEES")
        return text.replace(policy, policy + other)

    result = run_through(pytester, contradict, "-k", "permission-employees-edit")
    assert result.ret == 10
    assert "twice" in result.stdout.str()


@pytest.mark.parametrize("second", ["inactive", "active"], ids=["contradicting", "repeated"])
def test_a_field_answered_twice_in_one_record_is_not_a_failure(pytester, second):
    """Attack: the user's USERINFO record carries ``<STATUS>active</STATUS><STATUS>{second}</STATUS>``.

    The record parser turns the repeated field into a list and user-active compares that list with
    'active': ``FAIL user-active: USERINFO.STATUS is ['active', 'inactive']`` (NOT READY, exit 1), and the
    same for a plain repetition of 'active'. A lying gateway gets a false "requirement not met". Breaks
    section 6: an answer that contradicts itself is ``contradictory``, "could not check" for every
    requirement that reads it.
    """

    def repeat(text: str) -> str:
        return text.replace("<STATUS>active</STATUS>", f"<STATUS>active</STATUS><STATUS>{second}</STATUS>")

    result = run_through(pytester, repeat, "-k", "user-active")
    assert result.ret != pytest.ExitCode.TESTS_FAILED
    assert "FAIL   user-active" not in result.stdout.str()


# -- the REST API's answers -----------------------------------------------------------------------------

JSON_TYPE = {"Content-Type": "application/json"}
CLOUDFLARE = (
    "<html><head><title>Attention Required! | Cloudflare</title></head><body>cf-error-details</body></html>"
)


def _reads(mutate: Callable[[str, Answer], Answer]) -> Callable[[str, Answer], Answer]:
    """``mutate`` applied to the REST reads, never to the token (the REST lens needs it to get this far)."""
    return lambda path, answer: answer if path.endswith("/oauth2/token") else mutate(path, answer)


def _json(document: object) -> Callable[[str, Answer], Answer]:
    return _reads(lambda path, answer: Answer(200, json.dumps(document), JSON_TYPE))


def _edited(edit: Callable[[dict], None], where: str) -> Callable[[str, Answer], Answer]:
    def mutate(path: str, answer: Answer) -> Answer:
        if where not in path or answer.status != 200:
            return answer
        document = json.loads(answer.body)
        edit(document)
        return Answer(200, json.dumps(document), JSON_TYPE)

    return _reads(mutate)


def _user_of(login: str) -> Callable[[dict], None]:
    def edit(document: dict) -> None:
        record = document["ia::result"]
        if isinstance(record, dict) and record.get("id") == "trelica_ws":
            record["id"] = login

    return edit


def _total(count: int) -> Callable[[dict], None]:
    return lambda document: document["ia::meta"].update(totalCount=count)


def _nested(depth: int) -> str:
    return '{"ia::result":' + "[" * depth + "]" * depth + "}"


REST_LIES = {
    "html-page": _reads(lambda path, answer: Answer(200, CLOUDFLARE, {"Content-Type": "text/html"})),
    "html-error-page": _reads(lambda path, answer: Answer(502, CLOUDFLARE, {"Content-Type": "text/html"})),
    "not-json": _reads(lambda path, answer: Answer(200, "ia::result=ok", JSON_TYPE)),
    "no-envelope": _json({"status": "active", "ipAddressFiltering": "none"}),
    "error-inside-a-success": _json(
        {
            "ia::result": {"ia::error": {"code": "invalidRequest", "message": "no"}},
            "ia::meta": {"totalError": 1},
        }
    ),
    "result-of-the-wrong-shape": _json({"ia::result": "none", "ia::meta": {}}),
    "another-users-record": _edited(_user_of("jsmith"), "/objects/company-config/user/"),
    "query-total-lies": _edited(_total(3), "/services/core/query"),
    "nested-past-the-bound": _reads(lambda path, answer: Answer(200, _nested(5000), JSON_TYPE)),
    "token-endpoint-html": lambda path, answer: Answer(200, CLOUDFLARE, {"Content-Type": "text/html"}),
    "token-without-access-token": lambda path, answer: Answer(200, '{"token_type": "Bearer"}', JSON_TYPE),
    "a-record-key-that-is-a-path": _edited(
        lambda document: document["ia::result"][0].update(key="../../oauth2/token"), "/services/core/query"
    ),
}


# What each lie breaks: every REST read, or the user's alone (the company's preferences stay readable, so the
# allowlist is still n/a: no IP filter is enforced).
USER_LIES = {"another-users-record", "query-total-lies", "a-record-key-that-is-a-path"}


@pytest.mark.parametrize("lie", list(REST_LIES))
def test_a_broken_or_lying_rest_api_is_could_not_check_never_a_verdict(pytester, lie):
    """Whatever the REST API answers that is not the evidence asked for, every requirement only it can check
    is could not check, never a pass or a failure; what the XML gateway reads is judged as before."""
    result = run_rest_through(pytester, REST_LIES[lie], "--intacct-json=out.json")
    document = json.loads((pytester.path / "out.json").read_text())
    entries = {e["id"]: e for e in document["environments"][0]["requirements"]}
    unchecked = {"user-password-never-expires", "rest-access"} | (
        set() if lie in USER_LIES else {"ip-allowlist"}
    )
    assert {rid for rid, e in entries.items() if e["outcome"] == "error"} == unchecked
    assert {e["outcome"] for rid, e in entries.items() if rid not in unchecked} == (
        {"pass", "n/a"} if lie in USER_LIES else {"pass"}
    )
    assert (
        "rest_error" in entries["user-active"]["evidence"]
    )  # judged on USERINFO, saying why REST is missing
    assert result.ret == 10


def test_an_untampered_rest_proxy_gives_the_simulators_verdict(pytester):
    """The control: REST answers passed through unchanged give trelica-ready's verdict."""
    result = run_rest_through(pytester, lambda path, answer: answer, "--intacct-json=out.json")
    assert result.ret == 0
    result.assert_outcomes(passed=19, skipped=1)  # the allowlist n/a: no IP filter enforced


def _twice(name: str, first: str, where: str) -> Callable[[str, Answer], Answer]:
    """The record's ``name`` stated twice, ``first`` before the true value (a JSON parser keeps the last)."""

    def mutate(path: str, answer: Answer) -> Answer:
        if where not in path or answer.status != 200:
            return answer
        text = json.dumps(json.loads(answer.body))
        value = json.dumps(json.loads(answer.body)["ia::result"][name])
        twice = text.replace(f'"{name}": {value}', f'"{name}": {json.dumps(first)}, "{name}": {value}', 1)
        assert twice != text
        return Answer(200, twice, JSON_TYPE)

    return _reads(mutate)


@pytest.mark.parametrize(
    ("mutate", "requirement", "outcome"),
    [
        (_twice("ipAddressFiltering", "companyLevel", "/company-preference/"), "ip-allowlist", "error"),
        (_twice("status", "inactive", "/objects/company-config/user/"), "user-active", "pass"),
    ],
    ids=["ip-filter-mode", "user-status"],
)
def test_a_rest_field_stated_twice_in_one_object_is_could_not_check(pytester, mutate, requirement, outcome):
    """Attack: a REST object states a field twice (``{"status": "inactive", "status": "active"}``); json
    kept the last, so the allowlist was n/a and the user active on REST's word, where a field twice in XML
    is could not check. Now the REST fact is could not check (user-active judged on USERINFO alone)."""
    run_rest_through(pytester, mutate, "--intacct-json=out.json")
    document = json.loads((pytester.path / "out.json").read_text())
    entry = {e["id"]: e for e in document["environments"][0]["requirements"]}[requirement]
    assert entry["outcome"] == outcome
    assert "twice" in entry["evidence"]["rest_error"]


def test_a_rest_user_record_without_a_status_is_not_a_disagreement(pytester):
    """Attack: the REST user record leaves out ``status``; user-active failed, saying the XML gateway and
    the REST API disagree, where the REST API stated nothing."""

    def drop(document: dict) -> None:
        document["ia::result"].pop("status", None)

    run_rest_through(pytester, _edited(drop, "/objects/company-config/user/"), "--intacct-json=out.json")
    document = json.loads((pytester.path / "out.json").read_text())
    entries = {e["id"]: e for e in document["environments"][0]["requirements"]}
    assert entries["user-active"]["outcome"] != "fail"


class _Sandboxes:
    """A REST client listing sandboxes whose records give ``states`` (None: a record without a state)."""

    def __init__(self, states: list[str | None]) -> None:
        self.states = states

    def references(self, obj: str) -> list[dict]:
        return [{"key": str(n), "id": f"sbx-{n}"} for n in range(len(self.states))]

    def record(self, obj: str, key: str) -> dict:
        state = self.states[int(key)]
        return {"key": key} if state is None else {"key": key, "state": state}


@pytest.mark.parametrize(
    "states",
    [["inProgress"] * MAX_SANDBOXES + ["ready"], ["inProgress", None]],
    ids=["ready-one-past-the-bound", "a-record-without-a-state"],
)
def test_a_sandbox_whose_state_was_not_read_is_never_a_failure(states):
    """Attack: a ready sandbox past the ten whose states are read (or a record without a state); the
    sandbox requirement failed, "no sandbox is ready", on a state it never read."""
    sandboxes = Reading(_sandboxes(_Sandboxes(states)))  # type: ignore[arg-type]
    snap = snapshot()
    snap = dataclasses.replace(
        snap,
        readings={**snap.readings, "rest:sandbox": sandboxes},
        rest_username="trelica_ws@acme",
        rest_sign_in=Reading({"username": "trelica_ws@acme", "client_id": "checker"}),
    )
    sandbox = Requirement(
        "r", "the runbook's line", "step", "high", "setup", "sandbox", MappingProxyType({}), "A"
    )
    profile = Profile("acme", "Acme", "the runbook", Path("acme.toml"), MappingProxyType({}), ())
    finding = evaluate(sandbox, profile, snap)
    assert finding.outcome is Outcome.ERROR


def test_a_sandbox_reference_without_a_key_is_unreadable_never_read_as_none():
    """Attack: a sandbox reference with no key was read as the record "None" (a request for
    .../sandbox/None); it is unreadable, the sandbox requirement could not check."""

    class Keyless(_Sandboxes):
        def references(self, obj: str) -> list:
            return [{"id": "sbx-0"}]

    with pytest.raises(GatewayUnavailable, match="a sandbox reference without a key"):
        _sandboxes(Keyless(["ready"]))  # type: ignore[arg-type]

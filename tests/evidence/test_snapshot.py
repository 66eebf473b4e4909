"""Collection: declared reads go out once, in one batch; anything wrong with one answer is that reading's
problem ("could not check"), never a value and never an exception out of ``collect``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import pytest
from lxml import etree

from pytest_intacct.checks import evaluate, plan
from pytest_intacct.client import Credentials, IntacctClient
from pytest_intacct.client import functions as fn
from pytest_intacct.client.response import Response, Result, parse_response
from pytest_intacct.evidence.reads import Read, Subject
from pytest_intacct.evidence.snapshot import Problem, Reading, Snapshot, collect
from pytest_intacct.identity import Identity
from pytest_intacct.profiles import load_profile
from pytest_intacct.results.finding import Outcome
from pytest_intacct.safety.redaction import Secret
from tests.helpers import answers

TRELICA = load_profile("trelica")
USER = "trelica_ws"
PROD = Identity("prod", "acme", USER, "TrelicaMPP", "https://api.intacct.com/ia/xml/xmlgw.phtml", True)
READS = plan(TRELICA, Subject(USER))
Answer = Callable[[fn.Function], str | None]  # a <result> for the function, or None to leave it out


def user_record(function: fn.Function) -> str:
    return answers.result(
        function.name,
        function.controlid,
        '<data listtype="USERINFO" count="1"><USERINFO><LOGINID>trelica_ws</LOGINID>'
        "<STATUS>active</STATUS><USERTYPE>business user</USERTYPE></USERINFO></data>",
    )


def role_page(function: fn.Function, role: str, remaining: str = "0", result_id: str = "r1") -> str:
    return answers.result(
        function.name,
        function.controlid,
        f'<data listtype="ROLEUSERS" count="1" numremaining="{remaining}" resultId="{result_id}">'
        f"<ROLEUSERS><USERLOGINID>trelica_ws</USERLOGINID><ROLENAME>{role}</ROLENAME></ROLEUSERS></data>",
    )


def good(function: fn.Function) -> str:
    """A compliant gateway's answer to each shipped read."""
    obj = function.element.findtext("object")
    if obj == "USERINFO":
        return user_record(function)
    if obj == "ROLEUSERS":
        return role_page(function, "Trelica Integration")
    if function.name == "getUserPermissions":
        return answers.result(
            function.name,
            function.controlid,
            "<data><permissions><appSubscription><applicationName>Company</applicationName>"
            "<policies><policy><policyName>Departments</policyName><rights>List|View</rights></policy>"
            "</policies></appSubscription></permissions></data>",
        )
    return answers.result(
        function.name,
        function.controlid,
        f'<data listtype="{obj}" count="1"><{obj}><RECORDNO>1</RECORDNO></{obj}></data>',
    )


class ScriptedClient(IntacctClient):
    """The client ``collect`` uses, answering from a script: the real parser and the real paging."""

    production = True

    def __init__(  # the real client's transport is never built: the script answers instead
        self, answer: Answer = good, *, more: Callable[[str], str] | None = None
    ) -> None:
        self.credentials = Credentials("TrelicaMPP", Secret("s"), "acme", USER, Secret("u"))
        self.answer = answer
        self.more = more
        self.round_trips = 0
        self.sent: list[list[str]] = []

    def sign_in(self) -> object:
        self.round_trips += 1
        return type(
            "Session",
            (),
            {"endpoint": "https://gw", "user_id": USER, "company_id": "acme", "location_id": ""},
        )()

    def execute(self, functions: Sequence[fn.Function]) -> Response:
        self.round_trips += 1
        self.sent.append([f.name for f in functions])
        results = [r for r in (self.answer(f) for f in functions) if r is not None]
        return parse_response(answers.response(*results).encode(), http_status=200, content_type="text/xml")

    def call(self, function: fn.Function) -> Result:
        """readMore: the script's next page for the resultId, under this function's controlid."""
        assert self.more is not None, "no readMore was expected"
        self.round_trips += 1
        self.sent.append([function.name])
        page = self.more(function.element.findtext("resultId") or "")
        body = answers.response(page.replace("CONTROLID", function.controlid))
        return parse_response(body.encode(), http_status=200, content_type="text/xml").result(
            function.controlid
        )

    max_pages = 5


def collected(client: ScriptedClient) -> Snapshot:
    return collect(client, PROD, READS)  # type: ignore[arg-type]


def key_of(name: str) -> str:
    return {
        "user": f"USERINFO/{USER}",
        "roles": f"ROLEUSERS/{USER}",
        "permissions": f"getUserPermissions/{USER}",
    }[name]


def test_every_declared_read_goes_once_in_one_batch_after_sign_in():
    client = ScriptedClient()
    snapshot = collected(client)
    assert client.round_trips == 2
    assert len(client.sent) == 1
    # Trelica: USERINFO, ROLEUSERS, getUserPermissions once, and 8 object probes.
    assert sorted(client.sent[0]).count("getUserPermissions") == 1
    assert len(client.sent[0]) == len(snapshot.readings) == 11
    assert all(reading.ok for reading in snapshot.readings.values())
    assert snapshot.readings[key_of("roles")].value == ["Trelica Integration"]


def without(name: str, replacement: Answer | None = None) -> Answer:
    def answer(function: fn.Function) -> str | None:
        if function.element.findtext("object") == name or function.name == name:
            return replacement(function) if replacement else None
        return good(function)

    return answer


def test_a_result_missing_for_one_controlid_is_a_problem_of_that_reading_only():
    snapshot = collected(ScriptedClient(without("USERINFO")))
    user = snapshot.readings[key_of("user")]
    assert user.problem is not None
    assert "0 results with controlid" in user.problem.message  # the client's ResultMissing
    others = [r for key, r in snapshot.readings.items() if key != key_of("user")]
    assert all(r.ok for r in others)
    verdict = evaluate(TRELICA.requirement("user-type-business"), TRELICA, snapshot)
    assert verdict.outcome is Outcome.ERROR
    assert evaluate(TRELICA.requirement("permission-departments-view"), TRELICA, snapshot).outcome is (
        Outcome.PASS
    )


def test_a_result_of_another_function_under_the_controlid_is_not_taken():
    def wrong_function(function: fn.Function) -> str:
        return answers.result("readByQuery", function.controlid, '<data count="0"></data>')

    snapshot = collected(ScriptedClient(without("getUserPermissions", wrong_function)))
    problem = snapshot.readings[key_of("permissions")].problem
    assert problem is not None
    assert "is for 'readByQuery', not 'getUserPermissions'" in problem.message


def test_a_success_without_data_is_could_not_check_never_fail():
    def no_data(function: fn.Function) -> str:
        return answers.result(function.name, function.controlid)

    snapshot = collected(ScriptedClient(without("USERINFO", no_data)))
    problem = snapshot.readings[key_of("user")].problem
    assert problem is not None
    assert "without the <data>" in problem.message
    for requirement_id in ("user-type-business", "user-admin-full", "user-web-services-only"):
        assert evaluate(TRELICA.requirement(requirement_id), TRELICA, snapshot).outcome is Outcome.ERROR


def test_a_non_numeric_paging_attribute_is_a_problem_of_that_reading_only():
    def garbled(function: fn.Function) -> str:
        return role_page(function, "Trelica Integration", remaining="lots")

    snapshot = collected(ScriptedClient(without("ROLEUSERS", garbled)))
    problem = snapshot.readings[key_of("roles")].problem
    assert problem is not None
    assert "numremaining='lots', not a count" in problem.message  # the client's typed unreadable error
    assert evaluate(TRELICA.requirement("role-assigned"), TRELICA, snapshot).outcome is Outcome.ERROR
    assert snapshot.readings[key_of("user")].ok


def test_a_paged_roleusers_answer_is_read_to_its_end():
    def first(function: fn.Function) -> str:
        return role_page(function, "Auditor", remaining="1", result_id="r1")

    def more(result_id: str) -> str:
        assert result_id == "r1"
        return role_page(
            fn.Function("readMore", fn.read_more("r1").element, "CONTROLID"), "Trelica Integration"
        )

    client = ScriptedClient(without("ROLEUSERS", first), more=more)
    snapshot = collected(client)
    assert snapshot.readings[key_of("roles")].value == ["Auditor", "Trelica Integration"]
    assert client.sent[1:] == [["readMore"]]
    verdict = evaluate(TRELICA.requirement("role-assigned"), TRELICA, snapshot)
    assert verdict.outcome is Outcome.PASS


def test_a_gateway_that_always_promises_more_pages_is_stopped_and_could_not_check():
    def first(function: fn.Function) -> str:
        return role_page(function, "Auditor", remaining="1")

    def more(result_id: str) -> str:
        return role_page(
            fn.Function("readMore", fn.read_more(result_id).element, "CONTROLID"), "Auditor", "1"
        )

    client = ScriptedClient(without("ROLEUSERS", first), more=more)
    snapshot = collected(client)
    problem = snapshot.readings[key_of("roles")].problem
    assert problem is not None
    assert "made no progress" in problem.message
    assert len(client.sent) == 2  # the batch, then one readMore that did not shrink what remains
    assert evaluate(TRELICA.requirement("role-assigned"), TRELICA, snapshot).outcome is Outcome.ERROR


def test_a_gateway_that_pages_on_and_on_is_stopped_at_the_page_bound():
    def first(function: fn.Function) -> str:
        return role_page(function, "Auditor", remaining="1000")

    remaining = iter(range(999, 0, -1))

    def more(result_id: str) -> str:
        function = fn.Function("readMore", fn.read_more(result_id).element, "CONTROLID")
        return role_page(function, "Auditor", str(next(remaining)))

    client = ScriptedClient(without("ROLEUSERS", first), more=more)
    snapshot = collected(client)
    problem = snapshot.readings[key_of("roles")].problem
    assert problem is not None
    assert f"stopped at the bound of {client.max_pages} pages" in problem.message
    assert len(client.sent) == client.max_pages  # the batch, then max_pages - 1 readMore


def test_more_pages_without_a_result_id_is_could_not_check():
    def first(function: fn.Function) -> str:
        return role_page(function, "Auditor", remaining="3", result_id="")

    snapshot = collected(ScriptedClient(without("ROLEUSERS", first)))
    problem = snapshot.readings[key_of("roles")].problem
    assert problem is not None
    assert "no resultId" in problem.message


def test_an_exception_in_the_whole_batch_is_a_problem_for_every_reading():
    class Broken(ScriptedClient):
        def execute(self, functions: Sequence[fn.Function]) -> Response:
            raise RuntimeError("socket closed mid-answer")

    snapshot = collected(Broken())
    assert snapshot.sign_in.ok
    assert len(snapshot.readings) == 11
    assert {r.problem for r in snapshot.readings.values()} == {
        Problem("other", "internal", "RuntimeError: socket closed mid-answer")
    }
    outcomes = {evaluate(r, TRELICA, snapshot).outcome for r in TRELICA.requirements}
    assert Outcome.FAIL not in outcomes
    assert Outcome.ERROR in outcomes


def test_an_exception_in_sign_in_is_the_sign_in_problem():
    class Broken(ScriptedClient):
        def sign_in(self) -> object:
            raise ValueError("no result for controlid s")

    snapshot = collected(Broken())
    assert snapshot.sign_in.problem == Problem("other", "internal", "ValueError: no result for controlid s")
    verdicts = [evaluate(r, TRELICA, snapshot) for r in TRELICA.requirements]
    assert {v.outcome for v in verdicts} == {Outcome.ERROR}
    assert all("ValueError" in v.observed for v in verdicts)


def test_a_snapshot_round_trips_through_json():
    snapshot = collected(ScriptedClient(without("USERINFO")))
    loaded = Snapshot.from_dict(json.loads(json.dumps(snapshot.to_dict())))
    assert loaded == snapshot
    assert snapshot.to_dict()["format"] == 3  # 3: the REST API's token and readings; 2: read_by


def test_a_snapshot_of_the_format_before_still_loads():
    """Evidence packs recorded before readings named their login replay as they are."""
    document = collected(ScriptedClient()).to_dict()
    older = {key: value for key, value in document.items() if not key.startswith(("auditor", "rest"))}
    older["format"] = 1
    for reading in older["readings"].values():
        del reading["read_by"]
    del older["sign_in"]["read_by"]
    loaded = Snapshot.from_dict(older)
    assert loaded.readings.keys() == document["readings"].keys()
    assert all(reading.read_by is None for reading in loaded.readings.values())


@pytest.mark.parametrize(
    ("document", "message"),
    [({"format": 4}, "format 4"), ({"format": 1, "environment": "prod"}, "malformed snapshot")],
)
def test_a_snapshot_of_another_format_or_malformed_is_refused(document, message):
    with pytest.raises(ValueError, match=message):
        Snapshot.from_dict(document)


@pytest.mark.parametrize("value", [frozenset({"View"}), ("a",), {1: "x"}, {"x": object()}])
def test_a_reading_holds_plain_json_data_only(value):
    with pytest.raises(TypeError, match="reading value"):
        Reading(value)


# --- A bad declaration costs its own reading, not the batch ---------------------------------------------


def read(key: str, build: Callable[[], fn.Function], parse: Callable[..., object] = lambda pages: 1) -> Read:
    return Read(key, build, parse)  # type: ignore[arg-type]


def test_a_read_that_cannot_be_built_or_is_not_a_read_is_its_own_problem():
    def broken() -> fn.Function:
        raise RuntimeError("no object named")

    writes = read("create/DEPARTMENT", lambda: fn.Function("create", etree.Element("create")))
    client = ScriptedClient()
    snapshot = collect(client, PROD, [*READS, read("broken", broken), writes])  # type: ignore[arg-type]
    assert snapshot.readings["broken"].problem == Problem(
        "other", "internal", "RuntimeError: no object named"
    )
    refused = snapshot.readings["create/DEPARTMENT"].problem
    assert refused is not None
    assert "refused to send 'create'" in refused.message
    assert "create" not in client.sent[0]
    assert len(client.sent[0]) == 11  # the shipped reads still went, in one batch
    assert all(snapshot.readings[r.key].ok for r in READS)


def test_a_parser_that_returns_other_than_plain_data_is_its_own_problem():
    sets = read("readByQuery/DEPARTMENT", lambda: fn.read_by_query("DEPARTMENT"), lambda pages: {"a"})
    snapshot = collect(ScriptedClient(), PROD, [sets])  # type: ignore[arg-type]
    problem = snapshot.readings["readByQuery/DEPARTMENT"].problem
    assert problem is not None
    assert problem.message.startswith("TypeError: reading value: set")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"production": "false"}, id="production-text"),
        pytest.param({"round_trips": True}, id="round-trips-bool"),
        pytest.param({"readings": []}, id="readings-list"),
        pytest.param({"readings": {"k": {"value": ["x"]}}}, id="reading-without-problem"),
        pytest.param({"readings": {"k": {"value": None, "problem": {"kind": "other"}}}}, id="short-problem"),
        pytest.param(
            {"sign_in": {"value": None, "problem": {"kind": 1, "level": "x", "message": "m"}}}, id="kind"
        ),
        pytest.param({"developer_user_id": 7}, id="developer"),
    ],
)
def test_a_tampered_snapshot_document_is_refused(change):
    document = {**collected(ScriptedClient()).to_dict(), **change}
    with pytest.raises(ValueError, match="malformed snapshot"):
        Snapshot.from_dict(document)

"""A check kind from outside the package, registered the two documented ways (docs/checks.md#your-own-kinds),
with a read no shipped kind uses (``inspect``), runs end to end against the simulator in one batch."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pytest_intacct.checks import KINDS

# A kind that reads `inspect` of every object: is the runbook's object exposed to the API at all?
KIND_MODULE = textwrap.dedent(
    '''
    from pytest_intacct.checks import EnvironmentContext, check
    from pytest_intacct.client import functions as fn
    from pytest_intacct.profiles import Param
    from pytest_intacct.evidence.reads import Need, Read
    from pytest_intacct.results.finding import Finding


    def object_names(pages):
        return sorted(t.get("typename", "") for page in pages for t in page.iter("type"))


    OBJECTS = Need(
        "objects",
        "inspect of every object",
        lambda subject, params: Read("inspect/*", lambda: fn.inspect("*"), object_names),
    )


    @check("object-exposed", params={"object": Param()}, reads=[OBJECTS])
    def object_exposed(ctx: EnvironmentContext) -> Finding:
        """The object is listed by inspect."""
        wanted = ctx.params["object"]
        reading = ctx.reading("objects")
        if reading.problem is not None:
            return Finding.error(f"{wanted} is exposed", f"not checked: {reading.problem.message}")
        if wanted in reading.value:
            return Finding.passed(f"{wanted} is exposed", "inspect lists it", {"objects": len(reading.value)})
        return Finding.failed(f"{wanted} is exposed", "inspect does not list it")
    '''
)
PROFILE = textwrap.dedent(
    """
    name = "acme"
    title = "Acme integration"
    source = "Acme's runbook"

    [[requirements]]
    id = "user-login"
    title = "The web services user signs in"
    runbook_step = "Web services user"
    severity = "critical"
    area = "access"
    check = "user-login"
    remediation = "Company > Admin > Web Services users"

    [[requirements]]
    id = "department-exposed"
    title = "Departments are exposed to the API"
    runbook_step = "Objects"
    severity = "high"
    area = "permissions"
    check = "object-exposed"
    params = { object = "DEPARTMENT" }
    remediation = "Company > Admin > Subscriptions > Company"

    [[requirements]]
    id = "widget-exposed"
    title = "Widgets are exposed to the API"
    runbook_step = "Objects"
    severity = "low"
    area = "permissions"
    check = "object-exposed"
    params = { object = "WIDGET" }
    remediation = "Company > Admin > Subscriptions > Widgets"
    """
)


@pytest.fixture
def registry(monkeypatch):
    """Kinds registered during the test are forgotten after it; entry points are looked up afresh."""
    saved = dict(KINDS)
    monkeypatch.setattr("pytest_intacct.checks._loaded_entry_points", False)
    yield
    KINDS.clear()
    KINDS.update(saved)


def run_profile(pytester: pytest.Pytester) -> tuple[pytest.RunResult, dict[str, dict], list[dict]]:
    profile = pytester.path / "acme.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    out, journal = pytester.path / "acceptance.json", pytester.path / "journal.jsonl"
    result = pytester.runpytest(
        "--intacct-env=demo",
        f"--intacct-profile={profile}",
        f"--intacct-json={out}",
        f"--intacct-journal={journal}",
    )
    entries = json.loads(out.read_text())["environments"][0]["requirements"]
    requests = [json.loads(line) for line in journal.read_text().splitlines()]
    return result, {e["id"]: e for e in entries}, requests


def assert_ran_end_to_end(result: pytest.RunResult, entries: dict[str, dict], requests: list[dict]) -> None:
    assert {rid: e["outcome"] for rid, e in entries.items()} == {
        "user-login": "pass",
        "department-exposed": "pass",
        "widget-exposed": "fail",
    }
    assert entries["department-exposed"]["evidence"]["objects"] > 0
    result.assert_outcomes(passed=2, failed=1)
    assert len(requests) == 2  # getAPISession alone, then the declared reads in one batch
    assert requests[1]["functions"] == ["inspect"]  # once, though two requirements need it


def test_a_kind_registered_by_a_conftest_runs_end_to_end(pytester, registry):
    pytester.makepyfile(acme_checks=KIND_MODULE)
    pytester.makeconftest("import acme_checks  # noqa: F401  (registers the object-exposed kind)")
    assert_ran_end_to_end(*run_profile(pytester))


def test_a_kind_registered_by_an_entry_point_runs_end_to_end(pytester, registry):
    site = pytester.mkdir("site")
    (site / "acme_entry_checks.py").write_text(KIND_MODULE, encoding="utf-8")
    dist = site / "acme_checks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pytest_intacct.checks]\nacme = acme_entry_checks\n")
    pytester.syspathinsert(site)
    assert_ran_end_to_end(*run_profile(pytester))


def test_an_unregistered_kind_is_a_usage_error(pytester: pytest.Pytester, registry) -> None:
    profile = Path(pytester.path / "acme.toml")
    profile.write_text(PROFILE, encoding="utf-8")
    result = pytester.runpytest("--intacct-env=demo", f"--intacct-profile={profile}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*requirement 'department-exposed': unknown check 'object-exposed'*"])


def test_an_entry_point_that_fails_to_load_is_a_usage_error_naming_it(pytester, registry):
    site = pytester.mkdir("site")
    dist = site / "broken_checks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-checks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pytest_intacct.checks]\nbroken = no_such_module_here\n")
    pytester.syspathinsert(site)
    result = pytester.runpytest("--intacct-env=demo")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*check kinds from entry point 'broken' (no_such_module_here) failed to load: ModuleNotFoundError*"]
    )

"""``--intacct-fleet-report=DIR`` and ``--intacct-csv`` for a fleet, end to end against the simulator: the
index (counts by verdict, each finding once, what is not READY worst first, every group linked), one
self-contained go-live page per group, and one CSV row per company."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pytest_intacct.reporting.fleet import index_html, render_fleet_report, slug_names
from pytest_intacct.simulator import Simulator, load_scenario
from pytest_intacct.simulator.replicate import replicate
from tests.helpers.browser import printed_text
from tests.helpers.pages import static_page, text
from tests.helpers.results import fleet_report

# name, group, simulator, login: two scenarios behind two simulators; umbrella has no group of its own.
ENTRIES = (
    ("acme-sandbox", "acme", "ready", "primary-0001"),
    ("acme-prod", "acme", "missing", "primary-0001"),
    ("globex-prod", "globex", "missing", "primary-0002"),
    ("initech-prod", "initech", "ready", "primary-0002"),
    ("umbrella", None, "ready", "primary-0003"),
)


def plain(node) -> str:
    """A node's text as it reads, inline elements and all."""
    return " ".join(node.text_content().split())


@pytest.fixture
def fleet(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Five companies in four groups: three ready, two missing permissions."""
    simulators = {
        "ready": Simulator(replicate(load_scenario("trelica-ready"), 3)).start(),
        "missing": Simulator(replicate(load_scenario("missing-permissions"), 2)).start(),
    }
    entries = []
    for name, group, which, login_name in ENTRIES:
        login = simulators[which].logins[login_name]
        variable = f"FLEET_{name.replace('-', '_').upper()}"
        monkeypatch.setenv(f"{variable}_SENDER", login.sender_password)
        monkeypatch.setenv(f"{variable}_PW", login.user_password)
        entries.append(
            f'[[environment]]\nname = "{name}"\n'
            + (f'group = "{group}"\n' if group else "")
            + f'company = "{login.company_id}"\nuser = "{login.user_id}"\nsender = "{login.sender_id}"\n'
            f'endpoint = "{simulators[which].endpoint}"\nproduction = {str("prod" in name).lower()}\n'
            f'sender_password_var = "{variable}_SENDER"\nuser_password_var = "{variable}_PW"\n'
        )
    path = pytester.path / "fleet.toml"
    path.write_text('[defaults]\nprofile = "trelica"\n\n' + "\n".join(entries), encoding="utf-8")
    yield path
    for simulator in simulators.values():
        simulator.stop()


@pytest.fixture
def written(pytester: pytest.Pytester, fleet: Path) -> tuple[pytest.RunResult, Path]:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", f"--intacct-fleet={fleet}", "--intacct-fleet-report=fleet-report",
        "--intacct-csv=fleet.csv",
    )  # fmt: skip
    return result, pytester.path / "fleet-report"


def test_the_index_counts_verdicts_and_lists_each_finding_once_and_only_what_is_not_ready(written):
    result, directory = written
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"fleet report: {directory}"])
    assert sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*.html")) == [
        "groups/acme.html",
        "groups/globex.html",
        "groups/initech.html",
        "groups/umbrella.html",
        "index.html",
    ]
    page = static_page(directory / "index.html")  # as a reader without JavaScript gets it
    assert text(page.find(".//title")) == "NOT READY: Intacct fleet acceptance: 5 environments, 4 groups"
    counts = [[text(c) for c in row] for row in page.get_element_by_id("fleet-verdicts").iter("tr")]
    assert counts == [
        ["verdict", "environments", "groups"],
        ["NOT READY", "2", "2"],
        ["INCOMPLETE", "0", "0"],
        ["READY", "3", "2"],
    ]
    findings = [plain(li) for li in page.get_element_by_id("fleet-findings")]
    assert len(findings) == 2  # two requirements failed in two companies each: two lines, not four
    assert findings[0].startswith(
        "FAIL permission-employees-edit failed: Trelica can edit Employees, needed to deprovision users "
        "(Company > Employees: Edit) (high) 2 environments: acme-prod, globex-prod"
    )
    assert "fix: Company > Admin > Roles > Trelica Integration" in findings[0]
    bad = [[text(c) for c in row] for row in page.get_element_by_id("fleet-not-ready").iter("tr")][1:]
    assert [row[:3] for row in bad] == [
        ["acme-prod", "acme", "NOT READY"],
        ["globex-prod", "globex", "NOT READY"],
    ]
    assert bad[0][5] == "permission-employees-edit; permission-ap-adjustments-view"
    # Without REST access two attestations are owed everywhere, each listed once with where it is owed.
    owed, expiry = (plain(item) for item in page.get_element_by_id("fleet-attestations"))
    assert owed.startswith("ip-allowlist: If IP address filters are enforced, Trelica's IP address is")
    assert "to attest: the IP filter list is not readable through the API" in owed
    assert expiry.startswith("user-password-never-expires: The Trelica web services user's password never")
    assert "REST access is not configured" in expiry
    every = "5 environments: acme-sandbox, acme-prod, globex-prod, initech-prod, umbrella"
    assert every in owed
    assert every in expiry
    groups = [[text(c) for c in row] for row in page.get_element_by_id("fleet-groups").iter("tr")][1:]
    assert [row[:2] for row in groups] == [
        ["acme", "NOT READY"],
        ["globex", "NOT READY"],
        ["initech", "READY"],
        ["umbrella", "READY"],
    ]
    links = {a.get("href") for a in page.iter("a")}
    assert links == {f"groups/{group}.html" for group in ("acme", "globex", "initech", "umbrella")}
    assert page.get_element_by_id("fleet-search-box").get("hidden") is not None  # shown by its script


def test_a_group_page_is_the_go_live_page_of_that_groups_environments_alone(written):
    _, directory = written
    source = (directory / "groups" / "acme.html").read_text(encoding="utf-8")
    page = lxml_html.fromstring(source)
    assert text(page.find(".//title")).startswith("NOT READY: Intacct acceptance: Trelica integration")
    assert text(page.find(".//title")).endswith("(acme-sandbox, acme-prod)")
    counts = [[text(c) for c in row][:2] for row in page.get_element_by_id("intacct-counts")]
    assert counts == [["environment", "group"], ["acme-sandbox", "acme"], ["acme-prod", "acme"]]
    shown = text(page)
    assert "globex" not in shown
    assert "umbrella" not in shown
    assert "MANUAL ip-allowlist in 2 environments" in shown
    assert "Owed in acme-sandbox, acme-prod" in shown
    assert "FAIL permission-employees-edit in acme-prod" in shown
    assert "All results" not in shown  # no pytest-html table follows here
    # Self-contained: nothing to fetch, no script, and its policy says so.
    assert not page.xpath("//script | //link | //img | //iframe | //object | //*[@src]")
    [policy] = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy.startswith("default-src 'none';")
    assert "script-src" not in policy


def test_a_group_page_prints_every_requirement_without_javascript(written, tmp_path):
    _, directory = written
    printed = " ".join(printed_text(directory / "groups" / "globex.html", tmp_path / "browser").split())
    assert printed.startswith("NOT READY: Intacct acceptance")
    for requirement in (
        "permission-employees-edit",
        "user-login",
        "ip-allowlist",
        "Passed and not applicable",
    ):
        assert requirement in printed


def test_the_csv_has_one_row_per_company_with_its_group(written, pytester):
    rows = list(csv.DictReader(io.StringIO(pytester.path.joinpath("fleet.csv").read_text(), newline="")))
    assert [(r["name"], r["group"], r["verdict"], r["production"]) for r in rows] == [
        ("acme-sandbox", "acme", "READY", "false"),
        ("acme-prod", "acme", "NOT READY", "true"),
        ("globex-prod", "globex", "NOT READY", "true"),
        ("initech-prod", "initech", "READY", "true"),
        ("umbrella", "umbrella", "READY", "false"),
    ]
    assert {r["attestations_owed"] for r in rows} == {"2"}  # the IP allowlist and, without REST, the expiry


def test_a_run_without_a_fleet_is_one_group(pytester):
    result = pytester.runpytest("-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-fleet-report=out")
    assert result.ret == 0
    assert sorted(p.name for p in (pytester.path / "out").rglob("*.html")) == ["default.html", "index.html"]


def test_group_file_names_are_safe_and_unique_whatever_the_group_is_called():
    names = slug_names(["acme", "ACME", "a/b", "..", "", "<img src=x>", "x" * 100, "acme-2", "eu.west"])
    assert list(names.values()) == [
        "acme",
        "acme-2",
        "a-b",
        "group",
        "group-2",
        "img-src-x",
        "x" * 64,
        "acme-2-2",
        "eu.west",
    ]


def test_every_group_has_its_page_and_the_index_links_each(tmp_path):
    files = render_fleet_report(fleet_report(40))
    assert sorted(files) == ["groups/" + f"customer-{n:05d}.html" for n in range(20)] + ["index.html"]
    links = {a.get("href") for a in lxml_html.fromstring(files["index.html"]).iter("a")}
    assert links == set(files) - {"index.html"}


def test_a_thousand_company_index_stays_small_and_lists_only_what_is_not_ready():
    index = index_html(fleet_report(1000))
    page = lxml_html.fromstring(index)
    assert len(page.get_element_by_id("fleet-findings")) == 2
    assert len(page.get_element_by_id("fleet-not-ready").find("tbody")) == 140
    assert len(index) < 400_000
    # The long lists are bounded, and expandable to the full list.
    [summary] = page.get_element_by_id("fleet-attestations").iter("summary")
    assert text(summary).endswith("and 955 more")

"""docs/security.md section 12: every string the go-live page shows is inert, whatever its source.

pytest-html's own script inserts its environment table, result rows, logs and extras as markup
(``innerHTML``), and the plugin's static summary is a template. Markup arriving from a profile, an evidence
pack (the environment's identity, the readings) or the gateway must show as text and never run: proved
in a real headless Chromium with JavaScript on, not by searching the file.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

import pytest_intacct.reporting
from pytest_intacct.identity import Identity
from pytest_intacct.profiles import load_profile
from pytest_intacct.reporting.fleet import render_fleet_report
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.results.finding import Finding, RequirementResult
from pytest_intacct.safety.files import write_files
from tests.helpers.browser import rendered_dom
from tests.helpers.results import TRELICA, WHEN, fleet_report

pytestmark = pytest.mark.usefixtures("no_intacct_variables")

# Each payload, if it ever ran, would mark the page's body.
PAYLOADS = (
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
    "<svg onload=\"document.body.setAttribute('data-pwned','svg')\"></svg>",
    "</td></tr></table><script>document.body.setAttribute('data-pwned','script')</script>",
)
HOSTILE = " ".join(PAYLOADS)


def marked(dom: str) -> str | None:
    """What a payload left on the rendered page's body, if one ran."""
    return lxml_html.fromstring(dom).body.get("data-pwned")


def test_the_browser_check_sees_a_payload_that_runs(tmp_path):
    """The check can fail: the same payloads, inserted as markup the way pytest-html inserts, do run."""
    page = tmp_path / "unsafe.html"
    page.write_text(  # as pytest-html does: text in a data attribute, inserted by script as markup
        f'<html><body><div id="t" data-text="{html.escape(HOSTILE)}"></div><script>'
        "const t = document.getElementById('t'); t.innerHTML = t.dataset.text;"
        "</script></body></html>",
        encoding="utf-8",
    )
    assert marked(rendered_dom(page, tmp_path / "browser")) is not None


def hostile_profile(directory: Path) -> Path:
    """The Trelica runbook with markup in its title and in a requirement's runbook step and fix."""
    text = load_profile("trelica").path.read_text(encoding="utf-8")
    text = text.replace('title = "Trelica integration for Sage Intacct"', f"title = {json.dumps(HOSTILE)}")
    text = text.replace(
        'runbook_step = "Create a web services user"', f"runbook_step = {json.dumps(HOSTILE)}"
    )
    path = directory / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def hostile_pack(pytester: pytest.Pytester) -> Path:
    """A recorded pack whose identity and readings carry markup: what a tampered pack or a gateway sends."""
    pytester.runpytest("-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-record=pack.json")
    path = pytester.path / "pack.json"
    pack = json.loads(path.read_text(encoding="utf-8"))
    snapshot = pack["snapshots"][0]
    snapshot |= {"company_id": HOSTILE, "sender_id": HOSTILE, "endpoint": HOSTILE}
    user = snapshot["readings"]["USERINFO/trelica_ws"]["value"]
    user |= {"STATUS": HOSTILE, "USERTYPE": HOSTILE}
    path.write_text(json.dumps(pack), encoding="utf-8")
    return path


def test_markup_from_a_profile_a_pack_and_the_gateway_never_runs_in_the_report(pytester, tmp_path):
    """Markup in the profile's title (pytest-html's environment table), the identity (the summary's
    environment table), readings (failures, their extras and logs) and a runbook step shows as text."""
    pack = hostile_pack(pytester)
    profile = hostile_profile(pytester.path)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", f"--intacct-replay={pack}", f"--intacct-profile={profile}",
        "--html=report.html", "--self-contained-html",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # USERINFO.STATUS is not active
    dom = rendered_dom(pytester.path / "report.html", tmp_path / "browser")
    assert marked(dom) is None
    page = lxml_html.fromstring(dom)
    shown = " ".join(page.itertext())
    # Not vacuous: the markup reached every part of the page, as text.
    assert PAYLOADS[0] in " ".join(page.get_element_by_id("environment").itertext())  # pytest-html's table
    assert PAYLOADS[0] in " ".join(page.get_element_by_id("intacct-environments").itertext())
    assert shown.count(PAYLOADS[0]) >= 4
    assert not page.xpath(
        "//img[contains(@onerror, 'pwned')] | //svg[@onload] | //script[contains(., 'pwned')]"
    )


def test_a_branch_name_from_ci_runs_script_in_the_go_live_page(pytester, tmp_path, monkeypatch):
    """Attack: a merge request from a branch named ``<svg/onload=...>`` (a valid git ref name). GitLab CI
    exports it as ``CI_COMMIT_REF_NAME``; pytest-metadata copies it (and ``APPVEYOR_REPO_COMMIT_MESSAGE``,
    ``GIT_BRANCH``, ...) into the metadata the go-live page's environment table shows, and pytest-html's
    script inserts that value as markup. The plugin escapes only its own two keys, so the approver's
    browser runs the branch's script (seen in headless Chromium). Breaks section 12: "Every string the
    page shows, from any input, is text".
    """
    monkeypatch.setenv("CI_COMMIT_REF_NAME", "<svg/onload=document.body.setAttribute('data-pwned','ci')>")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", "-k", "user-login", "--html=report.html",
        "--self-contained-html",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK
    dom = rendered_dom(pytester.path / "report.html", tmp_path / "browser")
    assert lxml_html.fromstring(dom).body.get("data-pwned") is None


def hostile_fleet(directory: Path) -> Path:
    """The fleet report of companies and a group named with markup (a hand-made report: fleet files
    refuse such names), a company id and gateway text holding it too."""
    name, group = PAYLOADS[0], PAYLOADS[1]  # names and ids are cut at 200 characters; each payload fits
    environments = [
        EnvironmentInfo(Identity(name, company_id=PAYLOADS[2], group=group, production=True), TRELICA),
        EnvironmentInfo(Identity("acme-prod", company_id="ACME", group="acme"), TRELICA),
    ]
    failed = Finding.failed("active", HOSTILE, {"raw": HOSTILE})
    results = [
        RequirementResult(env.name, TRELICA.requirement("user-active"), failed) for env in environments
    ] + [RequirementResult(name, TRELICA.requirement("user-login"), Finding.error("login", HOSTILE))]
    report = build_report(results, environments, plugin_version="0", started_at=WHEN)
    write_files(directory, render_fleet_report(report))
    return directory


def test_markup_in_names_and_a_search_string_never_runs_in_the_fleet_pages(tmp_path):
    """The index (with its own script on, given the payload as its search string) and the hostile group's
    page show the markup as text; no payload runs."""
    directory = hostile_fleet(tmp_path / "fleet")
    dom = rendered_dom(directory / "index.html", tmp_path / "browser", fragment=PAYLOADS[0])
    assert marked(dom) is None
    page = lxml_html.fromstring(dom)
    status = " ".join(page.get_element_by_id("fleet-search-status").itertext())
    assert status.endswith("rows match")  # the search ran on the payload and wrote text only
    assert PAYLOADS[0] in " ".join(page.get_element_by_id("fleet-not-ready").itertext())
    assert not page.xpath("//img | //svg | //script[contains(., 'pwned')]")
    [group_page] = (directory / "groups").glob("svg-*.html")
    group_dom = rendered_dom(group_page, tmp_path / "browser-group")
    assert marked(group_dom) is None
    shown = " ".join(lxml_html.fromstring(group_dom).itertext())
    assert shown.count(PAYLOADS[0]) >= 3  # title, environments table, the failures
    assert PAYLOADS[1] in shown  # the group, in the environments table


def test_the_fleet_pages_run_no_script_but_the_search_and_fetch_nothing(tmp_path):
    """The index's policy admits its own script by hash and nothing else; a script added to the page (as
    markup that slipped through would be) does not run."""
    directory = hostile_fleet(tmp_path / "fleet")
    index = directory / "index.html"
    source = index.read_text(encoding="utf-8")
    [policy] = lxml_html.fromstring(source).xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy.startswith("default-src 'none'; ")
    assert "script-src 'sha256-" in policy
    index.write_text(
        source.replace("</main>", "<script>document.body.setAttribute('data-pwned','added')</script></main>")
    )
    dom = lxml_html.fromstring(rendered_dom(index, tmp_path / "browser"))
    assert dom.body.get("data-pwned") is None  # the policy stopped it
    assert dom.get_element_by_id("fleet-search-box").get("hidden") is None  # the page's own script ran


def test_the_search_box_filters_and_a_page_without_script_shows_every_row(tmp_path):
    directory = tmp_path / "fleet"
    write_files(directory, render_fleet_report(fleet_report(60)))
    dom = lxml_html.fromstring(rendered_dom(directory / "index.html", tmp_path / "browser", "co-00010"))
    rows = dom.get_element_by_id("fleet-not-ready").find("tbody")
    visible = [" ".join(row.itertext()) for row in rows if row.get("hidden") is None]
    assert len(rows) == 9  # six companies NOT READY, three INCOMPLETE
    assert len(visible) == 1
    assert visible[0].startswith("co-00010")
    # Its row, the failure it shares, the attestation it owes and its group: of 9 + 2 + 1 + 30 rows.
    assert " ".join(dom.get_element_by_id("fleet-search-status").itertext()) == "4 of 42 rows match"
    static = lxml_html.fromstring((directory / "index.html").read_text())
    assert all(row.get("hidden") is None for row in static.get_element_by_id("fleet-not-ready").find("tbody"))
    assert static.get_element_by_id("fleet-search-box").get("hidden") is not None


def test_the_search_script_inserts_no_markup():
    """What the policy admits must not turn data into markup itself (the policy would be its only guard)."""
    script = (Path(pytest_intacct.reporting.__file__).parent / "templates" / "fleet.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
        assert sink not in script
    assert "textContent" in script

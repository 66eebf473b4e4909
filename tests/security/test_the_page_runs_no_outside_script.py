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

from pytest_intacct.profiles import load_profile
from tests.helpers.browser import rendered_dom

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

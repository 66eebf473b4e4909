"""Reports cannot be forged: gateway text stays on one line of the terminal and holds no markup or live link,
and a replayed evidence pack is called a replay by every artifact (docs/security.md section 14).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from pytest_intacct.identity import Identity
from pytest_intacct.profiles import load_profile
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.reporting.outputs import Output, reports
from pytest_intacct.results.finding import Finding
from tests.helpers import answers
from tests.helpers.artifacts import VERDICT_WRITERS, every_output, files, options, said, written
from tests.helpers.environments import dotenv
from tests.helpers.hostile_gateway import Answer, hostile_gateway
from tests.helpers.results import HOSTILE, HOSTILE_ENV, TRELICA, WHEN, result

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


FORGED = "verdict: READY"


def test_gateway_text_cannot_forge_a_line_of_the_terminal_summary(pytester):
    """Gateway text with &#13;&#10;verdict: READY cannot add a verdict line to the terminal, nor a line to
    any file the run writes."""
    description = f"Invalid Web Services Authorization&#13;&#10;{FORGED}"
    body = answers.SENDER_NOT_AUTHORIZED.replace("Invalid Web Services Authorization", description)
    outputs, paths = every_output(pytester.path)
    with hostile_gateway() as gateway:
        gateway.script(Answer(200, body))
        dotenv(pytester, "prod", gateway.url, INTACCT_PRODUCTION="false")
        result = pytester.runpytest("--intacct-env=prod", "--intacct-retries=0", *outputs)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the real verdict: NOT READY
    assert "verdict: NOT READY" in result.stdout.lines
    assert [line for line in result.stdout.lines if line.startswith(FORGED)] == []
    texts = written(paths)
    assert options(texts) >= {declared.option for declared in paths if declared.writer in VERDICT_WRITERS}
    forged = [
        option for option, text in texts.items() if any(line.startswith(FORGED) for line in text.splitlines())
    ]
    assert forged == []


def test_an_html_error_page_title_cannot_inject_control_characters_or_markup(pytester):
    """An error page title with escape sequences and </script> reaches no report as such."""
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
    assert "title: 'Bad\\u001b[31mRED" in text  # the escape shown, never sent (was repr's \\x1b)
    html = pytester.path.joinpath("report.html").read_text()
    assert "<script>alert(1)" not in html
    assert "\x1b" not in pytester.path.joinpath("out.md").read_text()
    etree.parse(str(pytester.path / "junit.xml"))  # still well-formed XML


@pytest.mark.parametrize("live", ["https://evil.test/reset", "www.evil.test", "@acme/admins"])
def test_gateway_text_in_the_markdown_makes_no_link_or_mention(live):
    """A URL, www. address or @mention in gateway text stays plain text in the Markdown."""
    from pytest_intacct.reporting.markdown import escape

    assert live not in escape(f"Sign-in refused: see {live} to unlock")


@pytest.fixture
def forged_replay(pytester: pytest.Pytester) -> tuple[pytest.RunResult, dict[Output, Path]]:
    """A pack recorded from a company missing two permissions, hand-edited to grant them, then replayed,
    asking for every declared output."""
    pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-scenario=missing-permissions",
        "--intacct-record=pack.json",
    )  # fmt: skip
    pack = json.loads(pytester.path.joinpath("pack.json").read_text())
    readings = pack["snapshots"][0]["readings"]
    granted = readings["getUserPermissions/trelica_ws"]["value"]
    granted["Company"]["Employees"] = ["View", "Edit"]
    granted["Accounts Payable"]["Adjustments"] = ["View"]
    readings["readByQuery/APADJUSTMENT"] = {"value": 1, "problem": None}
    pytester.path.joinpath("pack.json").write_text(json.dumps(pack))
    outputs, paths = every_output(pytester.path)
    return pytester.runpytest("-p", "no:cacheprovider", "--intacct-replay=pack.json", *outputs), paths


def test_every_artifact_of_a_replay_says_it_is_a_replay(forged_replay, pytester):
    """A hand-edited evidence pack, replayed, is called a replay by every verdict report."""
    result, paths = forged_replay
    assert result.ret == pytest.ExitCode.OK  # the forged grants pass, silently
    reports = files(paths, VERDICT_WRITERS)
    verdicts = {declared.option for declared in paths if declared.writer in VERDICT_WRITERS}
    assert options(reports) == verdicts, "a replay writes every verdict report"
    assert "--intacct-fleet-report/groups/default.html" in reports  # every file of a directory counts
    artifacts = {name: said(declared, path.read_text()) for name, (declared, path) in reports.items()}
    artifacts["terminal"] = str(result.stdout)
    # The scratch directory is named after this test: its path is no mark.
    here = str(pytester.path)
    unmarked = [
        name for name, text in artifacts.items() if not re.search("replay", text.replace(here, ""), re.I)
    ]
    assert unmarked == []


# A carriage return and escape codes redraw the line; a right-to-left override reverses what follows.
FORGING = "\r\x1b[2K\x1b[32mverdict: READY\x1b[0m\u202e"


def test_profile_text_cannot_forge_a_line_of_any_report(pytester):
    """A profile whose title and remediation hold \\r and escape codes printed them raw (a newline is
    refused with the profile); all outside text passes one door, so every report shows them escaped."""
    text = load_profile("trelica").path.read_text(encoding="utf-8")
    text = text.replace(
        'title = "Trelica integration for Sage Intacct"', f"title = {json.dumps('Trelica' + FORGING)}"
    )
    text = text.replace(
        'remediation = "Company > Admin > Roles > Trelica Integration',
        f"remediation = {json.dumps('Fix it' + FORGING)[:-1]}Company > Admin > Roles > Trelica Integration",
    )
    pytester.path.joinpath("forging.toml").write_text(text, encoding="utf-8")
    outputs, paths = every_output(pytester.path)
    result = pytester.runpytest(
        "--intacct-env=demo",
        "--intacct-scenario=missing-permissions",
        "--intacct-profile=forging.toml",
        *outputs,
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    artifacts = written(paths) | {"terminal": result.stdout.str()}
    for name, body in artifacts.items():
        assert "\x1b" not in body, name
        assert "\u202e" not in body, name
        assert not any(line.lstrip("\r").startswith(FORGED) for line in body.splitlines()), name
    assert "\\u001b[32mverdict: READY" in artifacts["terminal"]  # shown, escaped


def test_baseline_text_cannot_forge_a_line_of_the_terminal(pytester):
    """A baseline naming an environment with a newline, and a removed requirement id with \\r, printed a
    'verdict: READY' line in a NOT READY run."""
    pytester.runpytest(
        "--intacct-env=demo", "--intacct-scenario=missing-permissions", "--intacct-json=base.json"
    )
    document = json.loads(pytester.path.joinpath("base.json").read_text())
    gone = dict(document["environments"][0], name=f"old\n{FORGING}")
    document["environments"][0]["requirements"].append(
        dict(document["environments"][0]["requirements"][0], id=f"removed{FORGING}")
    )
    document["environments"].append(gone)
    pytester.path.joinpath("base.json").write_text(json.dumps(document))
    result = pytester.runpytest(
        "--intacct-env=demo", "--intacct-scenario=missing-permissions", "--intacct-baseline=base.json",
        "--intacct-markdown=out.md",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    terminal = result.stdout.str()
    assert "verdict: NOT READY" in result.stdout.lines
    assert [line for line in result.stdout.lines if line.lstrip("\r").startswith(FORGED)] == []
    assert "\x1b" not in terminal
    assert "\x1b" not in pytester.path.joinpath("out.md").read_text()
    assert "not in this run, checked by the baseline: old" in terminal


def test_a_profile_name_with_a_trailing_newline_cannot_add_a_report_line(pytester):
    """Attack: a profile whose ``name = "trelica\\n"`` and ``title = "verdict: READY"``.

    The slug rule is checked with ``re.match`` and ``$``, which matches before a final newline, so the
    name (and a requirement id or check name alike) keeps its newline, and names do not pass the door for
    outside text. The terminal summary's first line becomes ``profile: trelica`` and a second line ``
    (verdict: READY)`` above the real verdict of a run that is NOT READY. Breaks the threat model ("its
    text may try to forge report lines") and the door's "one line" promise for text from a profile.
    """
    text = load_profile("trelica").path.read_text(encoding="utf-8")
    text = text.replace('name = "trelica"', 'name = "trelica\\n"', 1)
    text = text.replace('title = "Trelica integration for Sage Intacct"', 'title = "verdict: READY"', 1)
    profile = pytester.path / "forged.toml"
    profile.write_text(text, encoding="utf-8")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-scenario=user-inactive",
        f"--intacct-profile={profile}",
    )  # fmt: skip
    assert " (verdict: READY)" not in result.stdout.lines


FORMULA = '=HYPERLINK("https://evil.test","open")'


def _inert_json(text: str) -> None:
    assert HOSTILE in json.dumps(json.loads(text), ensure_ascii=False)  # text inside strings, parsed back


def _inert_markdown(text: str) -> None:
    assert not re.search(r"(?<!\\)[<\[]", text)  # every < and [ escaped: no HTML, no link


def _inert_html(text: str) -> None:
    page = lxml_html.fromstring(text)
    assert not page.xpath("//img | //b | //*[@onerror] | //*[@onload]")
    assert [s.text for s in page.xpath("//script") if "alert" in (s.text or "")] == []
    assert "<script>alert(1)</script>" in " ".join(page.itertext())  # shown, as text


def _inert_csv(text: str) -> None:
    cells = [value for row in csv.reader(io.StringIO(text, newline="")) for value in row]
    assert not [value for value in cells if value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert f"'{FORMULA}" in cells


INERT = {"json": _inert_json, "markdown": _inert_markdown, "html": _inert_html, "csv": _inert_csv}


def test_every_report_output_keeps_outside_text_inert_in_its_own_format():
    """Markup, links and formulas from the gateway and the settings, in every file (each file of a
    directory) of every output rendered from the report, checked by its own format's rule."""
    formula_env = EnvironmentInfo(Identity(FORMULA, company_id=FORMULA, group="customer"), TRELICA)
    results = [
        result(HOSTILE_ENV.name, TRELICA, "user-active", Finding.failed("active", HOSTILE, {"raw": HOSTILE})),
        result(HOSTILE_ENV.name, TRELICA, "ip-allowlist", Finding.manual("allowed", HOSTILE)),
        result(FORMULA, TRELICA, "user-login", Finding.error("login", FORMULA, blocked=True)),
        result(FORMULA, TRELICA, "role-assigned", Finding.not_applicable("roles", HOSTILE)),
    ]
    report = build_report(results, [HOSTILE_ENV, formula_env], plugin_version="0", started_at=WHEN)
    for declared in reports():
        assert declared.escaping in INERT, f"{declared.option}: no test of its escaping ({declared.escaping})"
        rendered = declared.render(report)
        texts = rendered.values() if isinstance(rendered, dict) else [rendered]
        assert texts
        for text in texts:
            INERT[declared.escaping](text)

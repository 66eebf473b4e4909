"""The CSV: one row per environment for a spreadsheet, and no cell a spreadsheet would evaluate."""

from __future__ import annotations

import csv
import io

import pytest

from pytest_intacct.identity import Identity
from pytest_intacct.reporting.csv import HEADER, cell, render_csv
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.results.finding import Finding
from tests.helpers.results import TRELICA, WHEN, fleet_report, result


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_a_run_writes_one_row_per_environment_through_pytest(pytester):
    # IP address filters enforced, so the IP allowlist is an attestation owed (the REST API reads the mode).
    scenario = pytester.path / "missing-permissions-filtered.toml"
    scenario.write_text('extends = ["missing-permissions", "ip-filtered"]\n', encoding="utf-8")
    result_ = pytester.runpytest(
        "--intacct-env=demo", f"--intacct-scenario={scenario}", "--intacct-csv=out.csv"
    )
    assert result_.ret == pytest.ExitCode.TESTS_FAILED
    result_.stdout.fnmatch_lines([f"CSV: {pytester.path / 'out.csv'}"])
    text = pytester.path.joinpath("out.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(HEADER)
    [demo] = rows(text)
    assert demo == {
        "name": "demo",
        "group": "default",
        "profile": "trelica",
        "production": "false",
        "company_id": "TRELICA-DEMO",
        "verdict": "NOT READY",
        "pass": "17",
        "fail": "2",
        "error": "0",
        "manual": "1",
        "n/a": "0",
        "waived": "0",
        "not_run": "0",
        "attestations_owed": "1",
        "root_causes": "permission-employees-edit; permission-ap-adjustments-view",
        "judged_on": "gateway",
    }


def test_a_fleet_row_names_each_root_cause_once():
    table = rows(render_csv(fleet_report(30)))
    assert len(table) == 30
    by_name = {row["name"]: row for row in table}
    assert by_name["co-00000"]["root_causes"] == "permission-employees-edit"
    assert by_name["co-00001"]["root_causes"].startswith("not checked: sign-in could not complete")
    assert by_name["co-00001"]["error"] == str(len(TRELICA.requirements))  # every one, under that cause
    assert (by_name["co-00002"]["verdict"], by_name["co-00002"]["root_causes"]) == ("READY", "")
    assert by_name["co-00002"]["group"] == "customer-00001"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_evaluate_is_written_as_text(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize(
    "text", [" =1+1", "  @SUM(A1)", " -2+3", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)"]
)
def test_a_formula_after_spaces_or_in_full_width_is_written_as_text(text):
    """Spreadsheets that trim a cell's spaces (LibreOffice's import can), or take a full-width ``\uff1d`` as
    ``=`` (Excel with an East Asian input method), evaluate these: a company id or gateway text can hold
    them."""
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", ["acme", "1", "", "a=b", "'quoted", " acme", "a \uff1d b"])
def test_other_cells_are_written_as_they_are(text):
    assert cell(text) == text


def test_formulas_in_names_ids_and_gateway_text_are_never_formulas_in_the_file():
    """Names and company ids from a fleet file or pack, and gateway text, shaped as formulas; quotes and
    commas keep their cells."""
    env = EnvironmentInfo(
        Identity("=HYPERLINK(1)", company_id='@cmd|" /C calc"!A0', group="+acme,west", production=True),
        TRELICA,
    )
    report = build_report(
        [result(env.name, TRELICA, "user-login", Finding.error("login", "-2+3, refused", blocked=True))],
        [env],
        plugin_version="0",
        started_at=WHEN,
    )
    [row] = rows(render_csv(report))
    assert row["name"] == "'=HYPERLINK(1)"
    assert row["company_id"] == '\'@cmd|" /C calc"!A0'
    assert row["group"] == "'+acme,west"
    assert row["root_causes"] == "'-2+3, refused"
    assert not [value for value in row.values() if value.startswith(("=", "+", "-", "@", "\t", "\r"))]

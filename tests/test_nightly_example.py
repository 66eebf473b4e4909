"""examples/nightly/ as an operator runs it: the cron script the way cron runs it (``env -i``, cron's PATH,
HOME and the documented variables only), the crontab line with its mail, and the GitHub Actions workflow's
``run:`` steps in bash, its install line included. The company is a simulator on loopback, reached as a real
environment named ``prod`` through ``.env.prod``; each night may be another scenario of it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_intacct.simulator import Simulator
from tests.helpers.workflow import Job, job_steps, pip_installs

ROOT = Path(__file__).resolve().parent.parent
NIGHTLY = ROOT / "examples" / "nightly"
SCRIPT, CRONTAB, WORKFLOW = NIGHTLY / "nightly.sh", NIGHTLY / "crontab.txt", NIGHTLY / "intacct-nightly.yml"
CRON_PATH = "/usr/bin:/bin"  # what cron gives a job (Debian's cron, cronie, Vixie cron)
VENV = Path(sys.prefix)  # the virtual environment running these tests has pytest-intacct installed

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the examples are bash")


def settings(simulator: Simulator, *, secrets: bool) -> str:
    """``.env.prod`` for the simulated company; the passwords only when ``secrets``."""
    login = simulator.primary_login
    values = {
        "INTACCT_PROFILE": "trelica",
        "INTACCT_ENDPOINT": simulator.endpoint,
        "INTACCT_SENDER_ID": login.sender_id,
        "INTACCT_COMPANY_ID": login.company_id,
        "INTACCT_USER_ID": login.user_id,
    }
    if secrets:
        values |= {
            "INTACCT_SENDER_PASSWORD": login.sender_password,
            "INTACCT_USER_PASSWORD": login.user_password,
        }
    return "".join(f"{key}={value}\n" for key, value in values.items())


def as_cron(command: list[str], home: Path, **variables: str) -> list[str]:
    """``command`` with the environment cron gives a job: nothing but PATH, HOME and ``variables``."""
    environment = {"PATH": CRON_PATH, "HOME": str(home), **variables}
    return ["env", "-i", *(f"{key}={value}" for key, value in environment.items()), *command]


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False, **kwargs)


def verdict(acceptance: Path) -> str:
    return json.loads(acceptance.read_text())["verdict"]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """The script's STATE_DIR, where crontab.txt puts it: ``$HOME/intacct-nightly``."""
    folder = tmp_path / "intacct-nightly"
    folder.mkdir()
    return folder


def night(state: Path, simulator: Simulator, *, secrets: bool = True) -> subprocess.CompletedProcess[str]:
    """One night of nightly.sh under cron, against ``simulator``."""
    (state / ".env.prod").write_text(settings(simulator, secrets=secrets))
    return run(as_cron([str(SCRIPT)], state.parent, INTACCT_VENV=str(VENV), STATE_DIR=str(state)))


def test_three_nights(state, intacct_simulator):
    """Alerts only on change, and an INCOMPLETE night never becomes the baseline."""
    ready = night(state, intacct_simulator("trelica-ready"))
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert verdict(state / "baseline.json") == "READY"
    # New errors alert, and the INCOMPLETE night is not the next baseline.
    assert night(state, intacct_simulator("no-permission-visibility")).returncode == 10
    assert verdict(state / "baseline.json") == "READY"
    assert night(state, intacct_simulator("missing-permissions")).returncode == 1
    assert verdict(state / "baseline.json") == "NOT READY"
    runs = sorted((state / "reports").iterdir())
    assert len(runs) == 3
    assert all((folder / "report.html").is_file() for folder in runs)
    assert "NOT READY" in (state / "tonight.md").read_text()


def test_a_night_without_secrets_writes_its_own_note_and_keeps_the_baseline(state, intacct_simulator):
    simulator = intacct_simulator("trelica-ready")
    assert night(state, simulator).returncode == 0
    baseline = (state / "baseline.json").read_bytes()
    assert "READY" in (state / "tonight.md").read_text()

    without = night(state, simulator, secrets=False)

    assert without.returncode == 4, without.stdout + without.stderr
    note = (state / "tonight.md").read_text()
    assert note.startswith("# Intacct nightly: no report tonight (exit 4)")
    assert "INTACCT_SENDER_PASSWORD" in note  # the end of pytest's usage error says what is missing
    assert "READY" not in note, "last night's summary is never tonight's"
    assert (state / "baseline.json").read_bytes() == baseline
    login = simulator.primary_login
    written = [p for p in state.rglob("*") if p.is_file() and p.name != ".env.prod"]
    for path in written:
        text = path.read_text(errors="replace")
        assert login.sender_password not in text, path
        assert login.user_password not in text, path


def test_two_runs_in_one_minute_keep_both_reports(state, intacct_simulator):
    (state / ".env.prod").write_text(settings(intacct_simulator("trelica-ready"), secrets=True))
    argv = as_cron([str(SCRIPT)], state.parent, INTACCT_VENV=str(VENV), STATE_DIR=str(state))
    # Started together, the two runs share their minute and most likely their second.
    started = [subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    assert [process.wait(timeout=300) for process in started] == [0, 0]
    runs = sorted((state / "reports").iterdir())
    assert len(runs) == 2
    for folder in runs:
        assert {"report.html", "acceptance.json", "acceptance.md", "output.txt"} <= {
            p.name for p in folder.iterdir()
        }
    assert verdict(state / "baseline.json") == "READY"


def test_without_a_virtual_environment_the_night_says_so(state):
    result = run(as_cron([str(SCRIPT)], state.parent, STATE_DIR=str(state)))
    assert result.returncode == 4
    assert "INTACCT_VENV must name the virtual environment" in (state / "tonight.md").read_text()


def test_the_crontab_line_runs_as_cron_runs_it_and_mails_tonights_summary(tmp_path, state, intacct_simulator):
    shutil.copy(SCRIPT, state / "nightly.sh")
    (tmp_path / "intacct-venv").symlink_to(VENV)
    # cron's PATH, and after it a folder holding only a stand-in for mail(1)
    post = tmp_path / "post"
    post.mkdir()
    mail = post / "mail"
    mail.write_text('#!/bin/sh\n{ echo "subject: $2"; cat; } >"$HOME/mailbox"\n')
    mail.chmod(0o755)
    (line,) = [text for text in CRONTAB.read_text().splitlines() if text and not text.startswith("#")]
    command = line.split(None, 5)[5]

    def cron_night(simulator: Simulator, *, secrets: bool = True) -> str | None:
        (state / ".env.prod").write_text(settings(simulator, secrets=secrets))
        (tmp_path / "mailbox").unlink(missing_ok=True)
        argv = as_cron(["/bin/sh", "-c", command], tmp_path, PATH=f"{CRON_PATH}:{post}", SHELL="/bin/sh")
        run(argv)
        mailbox = tmp_path / "mailbox"
        return mailbox.read_text() if mailbox.exists() else None

    ready = intacct_simulator("trelica-ready")
    assert cron_night(ready) is None, (state / "nightly.log").read_text()  # nothing changed: no mail
    failing = cron_night(intacct_simulator("missing-permissions"))
    assert failing is not None
    assert failing.startswith("subject: Intacct drift (exit 1)\n")
    assert "NOT READY" in failing
    unset = cron_night(ready, secrets=False)
    assert unset is not None
    assert unset.startswith("subject: Intacct drift (exit 4)\n# Intacct nightly: no report tonight (exit 4)")
    assert "NOT READY" not in unset


# -- the GitHub Actions workflow ------------------------------------------------------------------------


def test_the_workflow_installs_pytest_intacct_from_its_checkout_never_by_name(tmp_path):
    steps = job_steps(WORKFLOW)
    assert pip_installs(steps) == [["./"]], "a name would be fetched from the package index"
    (install,) = [step for step in steps if "pip install" in step.get("run", "")]
    checkout = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/checkout@"))
    assert steps.index(install) > checkout

    # The line itself, run in the checkout with pip barred from every index: it can only install the checkout.
    site = tmp_path / "site"
    environ = {
        "PATH": f"{VENV / 'bin'}:{CRON_PATH}",
        "HOME": str(tmp_path),
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",  # the dependencies come from the index on a runner; this machine has them
        "PIP_NO_BUILD_ISOLATION": "0",  # build with this venv's hatchling, offline
        "PIP_TARGET": str(site),
    }
    job = Job(ROOT, tmp_path, environ)
    job.run([install])
    assert not job.failed, job.logs
    (dist,) = site.glob("pytest_intacct-*.dist-info")
    assert json.loads((dist / "direct_url.json").read_text())["url"] == ROOT.as_uri()
    assert (site / "pytest_intacct" / "plugin" / "__init__.py").is_file()


def test_the_workflow_keeps_the_baseline_and_fails_only_on_change(tmp_path, intacct_simulator):
    # Installed already (the test above runs the install line): this venv's pytest is on the job's PATH.
    steps = [step for step in job_steps(WORKFLOW) if "pip install" not in step.get("run", "")]
    environ = {"PATH": f"{VENV / 'bin'}:{CRON_PATH}", "HOME": str(tmp_path)}
    kept: Path | None = None

    def workflow_night(scenario: str, *, secrets: bool = True) -> Job:
        nonlocal kept
        checkout = tmp_path / f"night-{scenario}-{secrets}"
        checkout.mkdir()
        simulator = intacct_simulator(scenario)
        (checkout / ".env.prod").write_text(settings(simulator, secrets=False))  # the repository's settings
        if kept is not None:
            shutil.copy(kept, checkout / "baseline.json")  # actions/cache/restore
        login = simulator.primary_login
        passwords = {
            "INTACCT_PROD_SENDER_PASSWORD": login.sender_password,
            "INTACCT_PROD_USER_PASSWORD": login.user_password,
        }
        job = Job(checkout, checkout.parent, environ, secrets=passwords if secrets else {})
        job.run(steps)
        if "Keep tonight as the next baseline" in job.exits:
            kept = checkout / "baseline.json"  # actions/cache/save
        return job

    ready = workflow_night("trelica-ready")
    assert ready.outputs["check"] == {"status": "0", "verdict": "READY"}, ready.logs
    assert not ready.failed
    assert "READY" in ready.summary

    incomplete = workflow_night("no-permission-visibility")
    assert incomplete.outputs["check"] == {"status": "10", "verdict": "INCOMPLETE"}
    assert "Keep tonight as the next baseline" not in incomplete.exits
    assert incomplete.exits["Fail on new failures (exit 1) or new errors (exit 10)"] == 10

    unset = workflow_night("trelica-ready", secrets=False)
    assert unset.outputs["check"] == {"status": "4", "verdict": "INCOMPLETE"}
    assert "wrote no summary tonight (exit 4)" in unset.summary
    assert "Keep tonight as the next baseline" not in unset.exits

    failing = workflow_night("missing-permissions")
    assert failing.outputs["check"] == {"status": "1", "verdict": "NOT READY"}
    assert failing.exits["Keep tonight as the next baseline"] == 0
    assert failing.exits["Fail on new failures (exit 1) or new errors (exit 10)"] == 1
    assert kept is not None
    assert verdict(kept) == "NOT READY"

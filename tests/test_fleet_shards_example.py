"""examples/fleet-shards/ as CI runs it: the matrix job's ``run:`` steps once per shard, then the merge job's,
in bash, against simulated companies named and grouped as in examples/fleet.toml, with the secrets the
workflow passes. A night with a shard missing is merged to exit 4 and never becomes the baseline."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from pytest_intacct.simulator import Simulator, load_scenario
from pytest_intacct.simulator.replicate import replicate
from tests.helpers.workflow import Job, job_steps, jobs, pip_installs

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "fleet-shards" / "intacct-fleet-shards.yml"
VENV_BIN = Path(sys.prefix) / "bin"  # the virtual environment running these tests has pytest-intacct

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the examples are bash")


def test_a_merge_job_after_a_matrix_of_shards_each_installing_from_the_checkout():
    found = jobs(WORKFLOW)
    assert found["shard"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert found["merge"]["needs"] == "shard"
    assert found["merge"]["if"] == "always()"  # a failed shard is the merge's to report
    for job in found:
        assert pip_installs(job_steps(WORKFLOW, job)) == [["./"]]


@pytest.fixture
def checkout(tmp_path: Path):
    """The repository's checkout: a fleet.toml of examples/fleet.toml's companies on two simulators, and
    the secrets the workflow hands the shards."""
    trelica = Simulator(replicate(load_scenario("trelica-ready"), 3)).start()
    calance = Simulator(load_scenario("calance-ready")).start()
    t, c = trelica.logins, calance.logins
    entries = []
    for name, group, login, variable in (
        ("acme-sandbox", "acme", t["primary-0001"], "ACME_SANDBOX_WS_PASSWORD"),
        ("acme-prod", "acme", t["primary-0002"], "ACME_WS_PASSWORD"),
        ("globex", "globex", t["primary-0003"], "GLOBEX_WS_PASSWORD"),
    ):
        entries.append(
            f'[[environment]]\nname = "{name}"\ngroup = "{group}"\ncompany = "{login.company_id}"\n'
            f'user = "{login.user_id}"\nuser_password_var = "{variable}"\nproduction = false\n'
            f'sender = "{login.sender_id}"\nsender_password_var = "TRELICA_SENDER_PASSWORD"\n'
            f'endpoint = "{trelica.endpoint}"\n'
        )
    initech = c["production"]
    entries.append(
        f'[[environment]]\nname = "initech-prod"\ngroup = "initech"\nprofile = "calance"\n'
        f'sender = "{initech.sender_id}"\nsender_password_var = "CALANCE_SENDER_PASSWORD"\n'
        f'company = "{initech.company_id}"\nuser = "{initech.user_id}"\n'
        f'user_password_var = "INITECH_WS_PASSWORD"\ndeveloper_user = "{initech.developer_user_id}"\n'
        f'endpoint = "{calance.endpoint}"\nproduction = true\n'
    )
    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "fleet.toml").write_text('[defaults]\nprofile = "trelica"\n\n' + "\n".join(entries))
    secrets = {
        "TRELICA_SENDER_PASSWORD": t["primary-0001"].sender_password,
        "ACME_SANDBOX_WS_PASSWORD": t["primary-0001"].user_password,
        "ACME_WS_PASSWORD": t["primary-0002"].user_password,
        "GLOBEX_WS_PASSWORD": t["primary-0003"].user_password,
        "CALANCE_SENDER_PASSWORD": initech.sender_password,
        "INITECH_WS_PASSWORD": initech.user_password,
    }
    yield folder, secrets
    trelica.stop()
    calance.stop()


def night(folder: Path, secrets: dict[str, str], *, lost: int | None = None) -> Job:
    """Every shard's job in a checkout of its own, their results brought to the merge job's checkout (as the
    artifacts would bring them), then the merge job; ``lost``: that shard's results never arrive."""
    environ = {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(folder.parent)}
    installed = lambda step: "pip install" not in step.get("run", "")  # noqa: E731 (installed already)
    for old in folder.glob("shard-*.json"):
        old.unlink()
    for shard in range(1, 5):
        checkout = folder.parent / f"shard-{shard}"
        shutil.rmtree(checkout, ignore_errors=True)
        checkout.mkdir()
        shutil.copy(folder / "fleet.toml", checkout)
        job = Job(checkout, checkout, environ, secrets=secrets, matrix={"shard": str(shard)})
        job.run([step for step in job_steps(WORKFLOW, "shard") if installed(step)])
        assert not job.failed, job.logs
        if shard != lost:
            shutil.copy(checkout / f"shard-{shard}.json", folder)
    merge = Job(folder, folder.parent, environ)
    merge.run([step for step in job_steps(WORKFLOW, "merge") if installed(step)])
    return merge


def test_four_shards_and_a_merge_make_one_night_and_its_baseline(checkout):
    folder, secrets = checkout
    merged = night(folder, secrets)
    assert merged.outputs["merge"] == {"status": "0", "verdict": "READY"}, merged.logs
    assert not merged.failed
    fleet = json.loads((folder / "fleet.json").read_text())
    assert sorted(env["name"] for env in fleet["environments"] if not env["name"].startswith("*")) == [
        "acme-prod",
        "acme-sandbox",
        "globex",
        "initech-prod",
    ]
    assert (folder / "fleet-report" / "index.html").is_file()
    rows = (folder / "fleet.csv").read_text().splitlines()
    assert sorted(line.split(",")[0] for line in rows[1:] if not line.startswith("*")) == [
        "acme-prod",
        "acme-sandbox",
        "globex",
        "initech-prod",
    ]
    assert "READY" in merged.summary
    assert json.loads((folder / "baseline.json").read_text())["verdict"] == "READY"


def test_a_night_with_a_shard_missing_exits_4_and_keeps_the_old_baseline(checkout):
    folder, secrets = checkout
    night(folder, secrets)
    kept = (folder / "baseline.json").read_text()
    holding = next(
        k for k in range(1, 5) if json.loads((folder / f"shard-{k}.json").read_text())["environments"]
    )
    merged = night(folder, secrets, lost=holding)
    assert merged.outputs["merge"] == {"status": "4", "verdict": "INCOMPLETE"}
    assert f"shard {holding} of 4 missing" in merged.logs["One verdict for the fleet"]
    assert "could not be merged tonight (exit 4)" in merged.summary
    assert "Keep tonight as the next baseline" not in merged.exits
    assert merged.exits["Fail on new failures (exit 1), new errors (exit 10) or missing shards (exit 4)"] == 4
    assert (folder / "baseline.json").read_text() == kept

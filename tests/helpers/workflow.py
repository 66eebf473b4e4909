"""A GitHub Actions job's ``run:`` steps, run in bash as the runner runs them (``bash -e FILE``).

The workflow itself cannot run here. Only the expressions the examples use are understood:
``${{ secrets.NAME }}``, ``${{ github.run_id }}``, ``${{ matrix.KEY }}``, ``${{ steps.ID.outputs.KEY }}``,
and ``if:`` as ``always()`` or ``steps.ID.outputs.KEY != 'VALUE'``; anything else raises, so a change the
runner cannot follow fails loudly. ``uses:`` steps (checkout, setup-python, the cache, artifacts) are the
test's to stand in for.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PIP_INSTALL = re.compile(r"\bpip3?\s+install\b(.*)")
NOT_EQUAL = re.compile(r"(steps\.[\w-]+\.outputs\.[\w-]+)\s*!=\s*'([^']*)'")


def jobs(workflow: Path) -> dict[str, dict[str, Any]]:
    """The workflow's jobs by id."""
    return yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]


def job_steps(workflow: Path, job: str | None = None) -> list[dict[str, Any]]:
    """The steps of the job (the workflow's only job when not named)."""
    found = jobs(workflow)
    if job is None:
        (only,) = found.values()
        return only["steps"]
    return found[job]["steps"]


def pip_installs(steps: list[dict[str, Any]]) -> list[list[str]]:
    """The arguments of every ``pip install`` in the ``run:`` steps."""
    lines = (match.group(1) for step in steps for match in PIP_INSTALL.finditer(step.get("run", "")))
    return [shlex.split(line.rstrip("\\ "), comments=True) for line in lines]


@dataclass
class Job:
    """One run of a job's ``run:`` steps in ``folder`` (the checkout), their scripts written to ``scratch``;
    ``exits`` and ``logs`` hold each step's exit code and output by name."""

    folder: Path
    scratch: Path
    environ: Mapping[str, str]
    secrets: Mapping[str, str] = field(default_factory=dict)
    matrix: Mapping[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    exits: dict[str, int] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    failed: bool = False

    def run(self, steps: list[dict[str, Any]]) -> None:
        for number, step in enumerate(steps):
            if "run" in step and self._due(step.get("if")):
                self._run(step, number)

    def value(self, expression: str) -> str:
        kind, _, rest = expression.partition(".")
        if kind == "secrets":
            return self.secrets.get(rest, "")
        if kind == "matrix":
            return self.matrix[rest]
        if expression == "github.run_id":
            return "1"
        step, _, key = rest.partition(".outputs.")
        if kind == "steps" and key:
            return self.outputs.get(step, {}).get(key, "")
        raise ValueError(f"expression not understood here: {expression}")

    def expand(self, text: str) -> str:
        return EXPRESSION.sub(lambda match: self.value(match.group(1)), text)

    def _due(self, condition: str | None) -> bool:
        if condition is None:
            return not self.failed
        condition = condition.strip().removeprefix("${{").removesuffix("}}").strip()
        if condition == "always()":
            return True
        match = NOT_EQUAL.fullmatch(condition)
        if match is None:
            raise ValueError(f"condition not understood here: {condition}")
        return not self.failed and self.value(match.group(1)) != match.group(2)

    def _run(self, step: dict[str, Any], number: int) -> None:
        name = step.get("name", step.get("id", f"step {number}"))
        script, output, summary = (self.scratch / f"step-{number}{suffix}" for suffix in ("", ".out", ".md"))
        script.write_text(self.expand(step["run"]), encoding="utf-8")
        output.write_text("")
        summary.write_text("")
        env = {
            **self.environ,
            **{key: self.expand(str(value)) for key, value in step.get("env", {}).items()},
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        done = subprocess.run(
            ["bash", "-e", str(script)], cwd=self.folder, env=env, capture_output=True, text=True, timeout=300
        )
        self.exits[name], self.logs[name] = done.returncode, done.stdout + done.stderr
        self.failed = self.failed or done.returncode != 0
        self.summary += summary.read_text()
        if "id" in step:
            lines = output.read_text().splitlines()
            self.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)

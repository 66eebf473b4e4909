"""Every file a run can write, from the plugin's own list (``reporting.outputs.OUTPUTS``): the options that
ask for all of them, and their text as a reader gets it. Artifact-wide tests go through here, so an output
someone adds is inside every promise they check without being listed again; a directory output counts
every file in it."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from pytest_intacct.reporting.outputs import OUTPUTS, Output

# What verdict reports are: rendered from the run's report by the plugin or by pytest and pytest-html
# (the evidence pack and the journal are what was read and sent, not a verdict).
VERDICT_WRITERS = ("report", "pytest-html", "junitxml")


def every_output(directory: Path) -> tuple[list[str], dict[Output, Path]]:
    """Arguments asking for every declared output in ``directory``, and where each is written."""
    paths = {declared: directory / f"artifact-{declared.dest}{declared.suffix}" for declared in OUTPUTS}
    args = [f"{declared.option}={path}" for declared, path in paths.items()]
    if any(declared.writer == "pytest-html" for declared in paths):
        args.append("--self-contained-html")
    return args, paths


def files(
    paths: dict[Output, Path], writers: tuple[str, ...] | None = None
) -> dict[str, tuple[Output, Path]]:
    """Each file the outputs wrote (of ``writers`` only, when given), named by its option, and each file of
    a directory output by ``option/relative path``."""
    found: dict[str, tuple[Output, Path]] = {}
    for declared, path in paths.items():
        if writers is not None and declared.writer not in writers:
            continue
        if declared.kind == "directory" and path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                found[f"{declared.option}/{file.relative_to(path).as_posix()}"] = (declared, file)
        elif path.is_file():
            found[declared.option] = (declared, path)
    return found


def written(paths: dict[Output, Path], writers: tuple[str, ...] | None = None) -> dict[str, str]:
    """The text of each file that was written (of ``writers`` only, when given), named as :func:`files`
    names it."""
    return {name: path.read_text(encoding="utf-8") for name, (_, path) in files(paths, writers).items()}


def options(names: dict[str, object]) -> set[str]:
    """The options the named files were written for."""
    return {name.partition("/")[0] for name in names}


def said(declared: Output, text: str) -> str:
    """What an output says at its top, as a reader takes it in: JSON's run-level fields (not the evidence of
    each requirement), JUnit's properties, and the text of anything else."""
    if declared.escaping == "json" and declared.writer == "report":
        document = json.loads(text)
        return json.dumps({key: value for key, value in document.items() if key != "environments"})
    if declared.escaping == "xml":
        root = etree.fromstring(text.encode())
        return " ".join(f"{p.get('name')}={p.get('value')}" for p in root.iter("property"))
    return text

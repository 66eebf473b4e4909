"""Every file a run can write, declared once: its option, suffix, writer and how outside text is escaped.

The plugin's options, the rule that no two options name one file, the writing of each report at the end
of the run, the terminal lines naming them, and the project's artifact-wide tests (no secret, replay
label, no forged line, escaping) all come from :data:`OUTPUTS`. A new report format is a renderer
(``render(report: RunReport) -> str``) and one :class:`Output` line naming it; see docs/outputs.md. An
output of kind ``directory`` is a folder of files: its renderer returns ``{relative path: text}``.

Renderers are named by ``module:function`` and imported when a report is written, so a plain pytest
start pays nothing for them.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pytest_intacct.safety.files import output_directory, output_path, write_files, write_text

if TYPE_CHECKING:
    from pytest_intacct.profiles import Profile
    from pytest_intacct.reporting.model import RunReport

Writer = Literal["report", "profile", "evidence pack", "journal", "pytest-html", "junitxml"]
Escaping = Literal["json", "markdown", "html", "xml", "csv"]
Kind = Literal["file", "directory"]
Rendered = str | Mapping[str, str]  # a file's text, or a directory's files by relative path


@dataclass(frozen=True)
class Output:
    """One file (or directory of files) a run writes.

    ``writer`` says what writes it: ``report`` outputs are rendered from the run's report by
    ``renderer`` once the run ends, ``profile`` outputs from the run's profiles before anything is read
    (they need no environment); the evidence pack and the journal are written by the run and the
    simulator; ``--html`` and ``--junitxml`` belong to pytest-html and pytest, and are listed so every
    promise about a run's files covers them too.
    """

    option: str
    dest: str  # the option's name on pytest's config.option
    label: str  # what the terminal calls the file
    suffix: str  # "" for a directory
    escaping: Escaping  # what makes outside text inert in it
    writer: Writer
    help: str = ""
    renderer: str = ""  # "module:function", for writers "report" and "profile"
    kind: Kind = "file"

    @property
    def own(self) -> bool:
        """Whether the plugin declares the option (pytest and pytest-html declare their own)."""
        return self.writer not in ("pytest-html", "junitxml")

    @property
    def metavar(self) -> str:
        return "DIR" if self.kind == "directory" else "PATH"

    def render(self, report: RunReport) -> Rendered:
        """The file's text for ``report``, or a directory's files (``report`` outputs only)."""
        if self.writer != "report":
            raise TypeError(f"{self.option} is not rendered from the run's report")
        function: Callable[[RunReport], Rendered] = self._renderer()
        return function(report)

    def write(self, report: RunReport, path: str | os.PathLike[str]) -> None:
        """Render ``report`` and write it at ``path``: a file atomically, a directory's files each so."""
        rendered = self.render(report)
        if self.kind == "directory":
            if isinstance(rendered, str):
                raise TypeError(f"{self.renderer} must return {{relative path: text}} for a directory")
            write_files(path, rendered)
        elif isinstance(rendered, str):
            write_text(path, rendered)
        else:
            raise TypeError(f"{self.renderer} must return the file's text")

    def render_profiles(self, profiles: Sequence[Profile]) -> str:
        """The file's text for the run's profiles (``profile`` outputs only)."""
        if self.writer != "profile":
            raise TypeError(f"{self.option} is not rendered from profiles")
        function: Callable[[Sequence[Profile]], str] = self._renderer()
        return function(profiles)

    def _renderer(self) -> Callable[..., Any]:
        module, _, name = self.renderer.partition(":")
        function: Callable[..., Any] = getattr(importlib.import_module(module), name)
        return function


OUTPUTS: tuple[Output, ...] = (
    Output(
        "--intacct-json",
        "intacct_json",
        "acceptance file",
        ".json",
        "json",
        "report",
        "Write the run's results as a versioned acceptance file.",
        "pytest_intacct.reporting.acceptance_json:render_acceptance",
    ),
    Output(
        "--intacct-markdown",
        "intacct_markdown",
        "markdown",
        ".md",
        "markdown",
        "report",
        "Write the verdict, counts and failures as Markdown.",
        "pytest_intacct.reporting.markdown:render_markdown",
    ),
    Output(
        "--intacct-checklist",
        "intacct_checklist",
        "setup checklist",
        ".md",
        "markdown",
        "profile",
        "Write the profile as the customer's setup checklist (Markdown); with only --intacct-profile, "
        "nothing else runs.",
        "pytest_intacct.reporting.checklist:render_checklist",
    ),
    Output(
        "--intacct-csv",
        "intacct_csv",
        "CSV",
        ".csv",
        "csv",
        "report",
        "Write one row per environment as CSV, for a spreadsheet.",
        "pytest_intacct.reporting.csv:render_csv",
    ),
    Output(
        "--intacct-fleet-report",
        "intacct_fleet_report",
        "fleet report",
        "",
        "html",
        "report",
        "Write the fleet's index page and one page per group into the directory DIR.",
        "pytest_intacct.reporting.fleet:render_fleet_report",
        "directory",
    ),
    Output(
        "--intacct-record",
        "intacct_record",
        "evidence pack",
        ".json",
        "json",
        "evidence pack",
        "Write what every environment was judged on as an evidence pack (redacted).",
    ),
    Output(
        "--intacct-journal",
        "intacct_journal",
        "journal",
        ".jsonl",
        "json",
        "journal",
        "For demo environments: append every request the run makes to PATH as JSON lines.",
    ),
    Output("--html", "htmlpath", "HTML report", ".html", "html", "pytest-html"),
    Output("--junitxml", "xmlpath", "JUnit XML", ".xml", "xml", "junitxml"),
)


def output(option: str) -> Output:
    """The output declared for ``option``."""
    for declared in OUTPUTS:
        if declared.option == option:
            return declared
    raise KeyError(option)


def reports() -> list[Output]:
    """The outputs rendered from the run's report, in declaration order."""
    return [declared for declared in OUTPUTS if declared.writer == "report"]


def profile_outputs() -> list[Output]:
    """The outputs rendered from the run's profiles alone, in declaration order."""
    return [declared for declared in OUTPUTS if declared.writer == "profile"]


def checked_paths(
    given: Sequence[tuple[Output, str]], base: Path, named: Callable[[Output], str] = lambda d: d.option
) -> dict[Output, Path]:
    """Where each given output goes (relative to ``base``), each checked writable before anything runs.

    ValueError (naming each output as ``named`` does) when two outputs name one place, one would write
    inside another's directory, or a place cannot be written. Outputs others write (pytest-html, JUnit)
    take part in the first two rules only.
    """
    seen: dict[Path, Output] = {}
    for declared, value in given:
        path = Path(base, value).resolve()
        if path in seen:
            raise ValueError(
                f"{named(seen[path])} and {named(declared)} both write {path}; give each its own file"
            )
        seen[path] = declared
    for folder, owner in seen.items():
        inside = [named(d) for path, d in seen.items() if folder in path.parents]
        if owner.kind == "directory" and inside:
            raise ValueError(
                f"{', '.join(inside)} would write inside {folder}, the directory of {named(owner)}; "
                "give each its own place"
            )
    paths: dict[Output, Path] = {}
    for declared, value in given:
        if declared.kind == "directory":
            paths[declared] = output_directory(named(declared), value, base)
        elif declared.own:
            paths[declared] = output_path(named(declared), value, base, appended=declared.writer == "journal")
    return paths

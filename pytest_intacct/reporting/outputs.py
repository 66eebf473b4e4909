"""Every file a run can write, declared once: its option, suffix, writer and how outside text is escaped.

The plugin's options, the rule that no two options name one file, the writing of each report at the end
of the run, the terminal lines naming them, and the project's artifact-wide tests (no secret, replay
label, no forged line, escaping) all come from :data:`OUTPUTS`. A new report format is a renderer
(``render(report: RunReport) -> str``) and one :class:`Output` line naming it; see docs/outputs.md.

Renderers are named by ``module:function`` and imported when a report is written, so a plain pytest
start pays nothing for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pytest_intacct.profiles import Profile
    from pytest_intacct.reporting.model import RunReport

Writer = Literal["report", "profile", "evidence pack", "journal", "pytest-html", "junitxml"]
Escaping = Literal["json", "markdown", "html", "xml"]


@dataclass(frozen=True)
class Output:
    """One file a run writes.

    ``writer`` says what writes it: ``report`` outputs are rendered from the run's report by
    ``renderer`` once the run ends, ``profile`` outputs from the run's profiles before anything is read
    (they need no environment); the evidence pack and the journal are written by the run and the
    simulator; ``--html`` and ``--junitxml`` belong to pytest-html and pytest, and are listed so every
    promise about a run's files covers them too.
    """

    option: str
    dest: str  # the option's name on pytest's config.option
    label: str  # what the terminal calls the file
    suffix: str
    escaping: Escaping  # what makes outside text inert in it
    writer: Writer
    help: str = ""
    renderer: str = ""  # "module:function", for writers "report" and "profile"

    @property
    def own(self) -> bool:
        """Whether the plugin declares the option (pytest and pytest-html declare their own)."""
        return self.writer not in ("pytest-html", "junitxml")

    def render(self, report: RunReport) -> str:
        """The file's text for ``report`` (``report`` outputs only)."""
        if self.writer != "report":
            raise TypeError(f"{self.option} is not rendered from the run's report")
        function: Callable[[RunReport], str] = self._renderer()
        return function(report)

    def render_profiles(self, profiles: Sequence[Profile]) -> str:
        """The file's text for the run's profiles (``profile`` outputs only)."""
        if self.writer != "profile":
            raise TypeError(f"{self.option} is not rendered from profiles")
        function: Callable[[Sequence[Profile]], str] = self._renderer()
        return function(profiles)

    def _renderer(self) -> Callable[..., str]:
        module, _, name = self.renderer.partition(":")
        function: Callable[..., str] = getattr(importlib.import_module(module), name)
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

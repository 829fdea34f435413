"""The course's grading pipeline for nbgrader: what `nbgrader_config.py` applies when this package loads.

`configure(c)` sets every piece of the configuration that needs this package (autograde in the
sandbox, inert markup, confined kernels, readable damaged notebooks). `nbgrader_config.py` calls
it inside a guard: where it cannot be imported or fails, the configuration refuses every step
that would run or show a submission instead (see that file), so nbgrader never falls back to
its stock pipeline, which runs every cell of every submission unconfined.
"""

from __future__ import annotations

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets.config import Config

from autograder.platforms.nbgrader.autograde import GradeInSandbox
from autograder.platforms.nbgrader.kernel import ConfinedKernelManager
from autograder.platforms.nbgrader.markup import SanitizeMarkup
from autograder.platforms.nbgrader.structure import RestoreStructure
from autograder.platforms.nbgrader.unreadable import ReadableExporter


def configure(c: Config) -> None:
    """Apply the course's autograde, validate and feedback pipelines to `c` (nbgrader's configuration)."""
    # A submission that is not a readable notebook is read as the release, so that its test cells can say why it got 0.
    c.Autograde.exporter_class = ReadableExporter
    # Before nbgrader reads a submission's metadata, RestoreStructure puts the course's metadata back on the course's
    # cells (an editor may have dropped it, a student duplicated or deleted cells) and restores missing test cells.
    c.Autograde.sanitize_preprocessors = [
        RestoreStructure, ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
    ]
    # Autograde runs no kernel: GradeInSandbox grades the notebook with `autograder grade` (the student's code runs
    # only in its confined worker) and writes each test cell's checks and points into the cell; nothing else of the
    # notebook runs. SanitizeMarkup then makes the student's markdown, raw cells and outputs inert for the browsers
    # that show them (formgrader, feedback).
    c.Autograde.autograde_preprocessors = [
        GradeInSandbox, SanitizeMarkup, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties,
        CheckCellMetadata,
    ]
    # Whatever else nbgrader executes with this configuration (`nbgrader validate`, the Validate button) runs in a
    # confined kernel: reads limited to the system and the release, writes to a scratch folder, no processes, no
    # network, limits on memory, file size and CPU time.
    c.ExecutePreprocessor.kernel_manager_class = ConfinedKernelManager
    # Feedback shows every check's message, and no live markup of the student's.
    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        SanitizeMarkup,
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]

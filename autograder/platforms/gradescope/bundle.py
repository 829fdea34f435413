"""The autograder zip Gradescope expects: setup.sh, run_autograder, and the course itself.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once to build
the image, copies ``run_autograder`` to ``/autograder/run_autograder`` and runs it for each
submission. The course (package, source notebook, release, reference solution) travels
in ``course/`` and is installed by setup.sh; the graders never come from the submission.
run_autograder is written for the assignment's timeout (`TimeLimit`): it grades within
that timeout less a margin, so results.json is written before Gradescope stops the run.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from autograder.course.paths import ROOT
from autograder.platforms.gradescope.time_limit import TimeLimit


TEMPLATES = Path(__file__).with_name("templates")
COURSE_PARTS = ("pyproject.toml", "README.md", "nbgrader_config.py", "autograder", "source", "assignments", "solutions")
SKIPPED = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")


def course_files() -> list[Path]:
    """The repository files the graders need at grading time, relative to the repository root."""
    found = []
    for part in COURSE_PARTS:
        path = ROOT / part
        if path.is_file():
            found.append(Path(part))
        else:
            found += sorted(p.relative_to(ROOT) for p in path.rglob("*")
                            if p.is_file() and not any(s in p.parts for s in SKIPPED) and p.suffix != ".pyc")
    return found


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same course gives the same zip
    info.compress_type = zipfile.ZIP_DEFLATED
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    archive.writestr(info, data)


def _unconfined_flag(allow_unconfined: bool) -> str:
    return " --allow-unconfined" if allow_unconfined else ""


def run_autograder(limit: TimeLimit, allow_unconfined: bool = False) -> str:
    """The run_autograder script for an assignment whose Gradescope timeout and margin are `limit`'s."""
    text = (TEMPLATES / "gradescope-run_autograder").read_text(encoding="utf-8")
    for name, seconds in (("TIMEOUT", limit.timeout), ("MARGIN", limit.margin), ("BUDGET", limit.budget),
                          ("WATCHDOG", limit.watchdog), ("HARD_STOP", limit.hard_stop)):
        text = text.replace(f"@{name}@", f"{seconds:g}")
    return text.replace("@UNCONFINED@", _unconfined_flag(allow_unconfined))


def setup_script(allow_unconfined: bool = False) -> str:
    """setup.sh: install the course, then prove the install (and the sandbox) by grading the reference."""
    text = (TEMPLATES / "gradescope-setup.sh").read_text(encoding="utf-8")
    return text.replace("@UNCONFINED@", _unconfined_flag(allow_unconfined))


def build(out: Path, limit: TimeLimit | None = None, allow_unconfined: bool = False) -> Path:
    """Write the bundle to `out` (a .zip) for an assignment with `limit` (Gradescope's default 600 s) and return its path.

    `allow_unconfined` builds one that grades even where the sandbox cannot confine submissions (see
    `autograder.sandbox.confinement`); its results then say so.
    """
    limit = limit or TimeLimit()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "setup.sh", setup_script(allow_unconfined).encode("utf-8"), executable=True)
        _add(archive, "run_autograder", run_autograder(limit, allow_unconfined).encode("utf-8"), executable=True)
        for relative in course_files():
            path = ROOT / relative
            _add(archive, f"course/{relative.as_posix()}", path.read_bytes(), executable=bool(path.stat().st_mode & 0o111))
    return out

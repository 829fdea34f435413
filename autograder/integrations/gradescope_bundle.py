"""The autograder zip Gradescope expects: setup.sh, run_autograder, and the course itself.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once to build
the image, copies ``run_autograder`` to ``/autograder/run_autograder`` and runs it for each
submission. The course (package, source notebook, release, reference solution) travels
in ``course/`` and is installed by setup.sh; the graders never come from the submission.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from autograder.course.paths import ROOT


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


def build(out: Path) -> Path:
    """Write the bundle to `out` (a .zip) and return its path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "setup.sh", (TEMPLATES / "gradescope-setup.sh").read_bytes(), executable=True)
        _add(archive, "run_autograder", (TEMPLATES / "gradescope-run_autograder").read_bytes(), executable=True)
        for relative in course_files():
            path = ROOT / relative
            _add(archive, f"course/{relative.as_posix()}", path.read_bytes(), executable=bool(path.stat().st_mode & 0o111))
    return out

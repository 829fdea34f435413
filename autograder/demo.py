"""The demo: build the release and the reference solution, run the assignment, then run the course.

Executes the source notebook (the reference solution) in a fresh kernel, saves the executed
notebook and every figure as PNG, and prints the accuracy tables. Then it teaches the course
once with nbgrader in a temporary course folder (SQLite gradebook): three sample students
submit, nbgrader autogrades them and writes feedback, `autograder batch` grades the same
submissions, a table shows both scores per student, and the class report (report.html)
is written for them.
"""

from __future__ import annotations

import base64
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.course import release, samples, solutions
from autograder.course.execute import execute, stream_text
from autograder.course.paths import ROOT, SOURCE_NOTEBOOK
from autograder.platforms.nbgrader.course import Course
from autograder.reporting.report import write_report


def export_figures(nb, out_dir: Path) -> list[Path]:
    """Write each PNG output of a cell with metadata "figure" to out_dir/<figure>.png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for cell in nb.cells:
        name = cell.get("metadata", {}).get("figure")
        pngs = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        for i, png in enumerate(pngs if name else []):
            path = out_dir / (f"{name}.png" if i == 0 else f"{name}_{i + 1}.png")
            path.write_bytes(base64.b64decode(png))
            written.append(path)
    return written


def tagged_output(nb, tag: str) -> str:
    return "".join(stream_text(c) for c in nb.cells if tag in c.get("metadata", {}).get("tags", []))


def teach(out: Path) -> list[tuple[str, float, float]]:
    """Run the course with the sample students; (student, nbgrader score, autograder score) each."""
    with tempfile.TemporaryDirectory(prefix="planar-course-") as tmp:
        course = Course(Path(tmp) / "course")
        course.generate()
        print(f"course folder (temporary):  {course.root}")
        nbgrader_scores = {}
        for student in samples.SAMPLES:
            course.submit(student, samples.sample_notebook(student))
            print(f"  nbgrader autograde {student} ...", flush=True)
            course.autograde(student)
            feedback = course.generate_feedback(student)
            (out / "feedback").mkdir(parents=True, exist_ok=True)
            shutil.copy(feedback, out / "feedback" / f"{student}.html")
        nbgrader_scores = course.exported_scores()
        print("  autograder batch on the same submissions ...", flush=True)
        graded = out / "autograder"
        subprocess.run([sys.executable, "-m", "autograder", "batch", str(course.root / "submitted"), "--out", str(graded),
                        "--force"], check=True, capture_output=True, text=True)
        with (graded / "grades.csv").open(newline="") as f:
            ours = {row["student"]: float(row["score"]) for row in csv.DictReader(f)}
    return [(student, nbgrader_scores[student], ours[student]) for student in samples.SAMPLES]


def score_table(rows: list[tuple[str, float, float]]) -> str:
    lines = [f"{'student':<14} {'nbgrader':>9} {'autograder':>11}", f"{'-' * 14} {'-' * 9} {'-' * 11}"]
    lines += [f"{student:<14} {a:>9g} {b:>11g}{'' if a == b else '   (differ!)'}" for student, a, b in rows]
    return "\n".join(lines)


def run(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    release_dir = release.generate()
    print(f"release built by nbgrader:  {release_dir.relative_to(ROOT)}/")
    solution = solutions.write()
    print(f"reference solution:         {solution.relative_to(ROOT)}")
    print("running the assignment with the reference solution (fresh kernel)...")
    nb = execute(SOURCE_NOTEBOOK)
    executed = out / "planar_classification.executed.ipynb"
    nbformat.write(nb, str(executed))
    figures = export_figures(nb, out / "figures")
    print()
    print(tagged_output(nb, "accuracy-table").rstrip())
    print()
    print(f"executed notebook:          {executed}")
    print(f"{len(figures)} figures:                 {out / 'figures'}/ ({', '.join(p.stem for p in figures)})")
    print()
    print("teaching the course with nbgrader: three sample students (max 68 points)")
    rows = teach(out)
    print()
    print(score_table(rows))
    print()
    print(f"feedback (nbgrader HTML):   {out / 'feedback'}/ ({', '.join(s + '.html' for s in samples.SAMPLES)})")
    print(f"autograder results:         {out / 'autograder'}/ (grades.csv, <student>/results.json, junit.xml)")
    report, report_figures = write_report(out / "autograder", out / "report.html")
    print(f"class report:               {report} ({len(report_figures)} figures beside it; `autograder report` writes it)")
    print(f"done in {time.perf_counter() - start:.0f} s")

"""The demo: build the release and the reference solution, then run the assignment end to end.

Executes the source notebook (the reference solution) in a fresh kernel, saves the executed
notebook and every figure as PNG, and prints the accuracy tables.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

import nbformat

from autograder.course import release, solutions
from autograder.course.execute import execute, stream_text
from autograder.course.paths import ROOT, SOURCE_NOTEBOOK


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
    print(f"done in {time.perf_counter() - start:.0f} s")

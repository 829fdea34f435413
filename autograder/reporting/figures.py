"""The report's figures, drawn with matplotlib (Agg) and returned as PNG bytes.

Each function takes plain numbers (from stats) and returns the PNG, or None when there is
nothing to draw; labels are whatever the caller passes (pseudonyms, never names).
"""

from __future__ import annotations

import io

import matplotlib
import matplotlib.ticker


matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


DPI = 110
PASS, FAIL, NEUTRAL, ACCENT = "#2e7d32", "#c62828", "#4e79a7", "#f28e2b"


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def score_histogram(scores: list[float], max_score: float, mean: float | None, median: float | None) -> bytes | None:
    """Histogram of total scores, mean and median as vertical lines."""
    if not scores:
        return None
    fig, ax = plt.subplots(figsize=(7, 3.4))
    top = max(max_score, max(scores), 1.0)
    bins = min(20, max(5, int(top) // 4))
    ax.hist(scores, bins=bins, range=(0, top), color=NEUTRAL, edgecolor="white")
    if mean is not None:
        ax.axvline(mean, color=ACCENT, linewidth=2, label=f"mean {mean:.1f}")
    if median is not None:
        ax.axvline(median, color="black", linestyle="--", linewidth=1.5, label=f"median {median:g}")
    ax.set_xlabel(f"score (of {max_score:g})")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left")
    ax.set_title("Score distribution")
    return _png(fig)


def cell_points(points: dict[str, list[float]], maxima: dict[str, float]) -> bytes | None:
    """One stacked bar per graded cell (notebook order, top to bottom): share of students with full, partial, no points."""
    cells = [c for c, values in points.items() if values]
    if not cells:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.34 * len(cells) + 1.4))
    full = [sum(v >= maxima.get(c, float("inf")) for v in points[c]) / len(points[c]) for c in cells]
    zero = [sum(v <= 0 for v in points[c]) / len(points[c]) for c in cells]
    partial = [1 - f - z for f, z in zip(full, zero)]
    y = range(len(cells))
    ax.barh(y, full, color=PASS, label="full points")
    ax.barh(y, partial, left=full, color="#f2b447", label="some points")
    ax.barh(y, zero, left=[f + p for f, p in zip(full, partial)], color=FAIL, label="no points")
    ax.set_yticks(y, [f"{c} ({maxima.get(c, 0):g} pts)" for c in cells], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of graded students")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    ax.set_title("Points per graded cell", pad=24)
    return _png(fig)


def pass_rates(groups: list[list[tuple[str, str, float]]]) -> bytes | None:
    """Horizontal bars of pass rate; `groups` of (function, check, rate), drawn in the given order."""
    groups = [[row for row in group if row[2] < 1] for group in groups]
    groups = [group for group in groups if group]
    rows = [row for group in groups for row in group]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(10, 0.24 * len(rows) + 1.2))
    colours = ["#4e79a7", "#a0cbe8"]
    y = 0
    ticks, labels = [], []
    for g, group in enumerate(groups):
        for function, check, rate in group:
            ax.barh(y, rate, color=FAIL if rate < 0.5 else colours[g % 2])
            ticks.append(y)
            labels.append(_short(check if check.startswith(function) else f"{function}: {check}", 58))
            y += 1
        y += 0.4
    ax.set_yticks(ticks, labels, fontsize=7)
    ax.set_ylim(y - 0.4 + 0.2, -0.8)  # top to bottom, no empty band
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of graded students passing (red: under half)")
    ax.set_title("Pass rate per check (checks someone fails), worst first")
    return _png(fig)


def causes(rows: list[tuple[str, str, int, bool]]) -> bytes | None:
    """Horizontal bars: (function, cause label, students, diagnosed) each; undiagnosed in grey."""
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(rows) + 1.2))
    ax.barh(range(len(rows)), [n for _, _, n, _ in rows], color=[FAIL if d else "#9e9e9e" for _, _, _, d in rows])
    ax.set_yticks(range(len(rows)), [_short(f"{f}: {label}", 85) for f, label, _, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("students (grey: failures with no diagnosis)")
    ax.set_title("Diagnosed mistakes per graded function")
    return _png(fig)


def load_problems(rows: list[tuple[str, int]]) -> bytes | None:
    """Bars of students per load-problem kind."""
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(rows) + 1.2))
    ax.barh(range(len(rows)), [n for _, n in rows], color=ACCENT)
    ax.set_yticks(range(len(rows)), [k for k, _ in rows])
    ax.invert_yaxis()
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("students")
    ax.set_title("Problems loading the submissions")
    return _png(fig)


def fail_together(functions: list[str], matrix: list[list[int]]) -> bytes | None:
    """Heat map: students failing both functions (diagonal: failing each)."""
    if len(functions) < 2:
        return None
    size = 0.42 * len(functions) + 2.4
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    image = ax.imshow(matrix, cmap="Reds", vmin=0)
    ax.set_xticks(range(len(functions)), functions, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(functions)), functions, fontsize=8)
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", fontsize=7, color="white" if n > peak / 2 else "black")
    bar = fig.colorbar(image, ax=ax, label="students failing both", shrink=0.8)
    bar.locator = matplotlib.ticker.MaxNLocator(integer=True)
    bar.update_ticks()
    ax.set_title("Functions that fail together")
    return _png(fig)


def grading_times(rows: list[tuple[str, float]], slow: set[str]) -> bytes | None:
    """Horizontal bars of seconds per submission, slowest first; `slow` labels in red."""
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.26 * len(rows) + 1.2))
    ax.barh(range(len(rows)), [t for _, t in rows], color=[FAIL if s in slow else NEUTRAL for s, _ in rows])
    ax.set_yticks(range(len(rows)), [s for s, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("seconds to grade (red: over 3x the median)")
    ax.set_title("Grading time per submission")
    return _png(fig)

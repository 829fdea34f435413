"""`autograder report`: read a batch folder, count, draw, and write the HTML page and its PNG figures.

By default the page is safe to share with teaching assistants: no student name and no
submission path appears; example messages are scrubbed of paths and of the student's name,
and per-student rows (grading time) use stable pseudonyms. `names=True` shows names.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from autograder.reporting import anonymise, figures, page, stats
from autograder.reporting.classdata import ClassResults, read_class
from autograder.results import causes as cause_names
from autograder.results.files import write_atomically


REPORT_FILE = "report.html"


class Labels:
    """Who is shown how: names or pseudonyms, and messages as they are or scrubbed."""

    def __init__(self, cls: ClassResults, names: bool):
        self.names = names
        self.pseudonyms = anonymise.pseudonyms([s.student for s in cls.students])
        self.paths = {s.student: [p for p in (s.submission, str(Path(s.submission).parent)) if s.submission]
                      for s in cls.students}

    def student(self, student: str) -> str:
        return student if self.names else self.pseudonyms[student]

    def message(self, student: str, text: str) -> str:
        return text if self.names else anonymise.scrub(text, [student], self.paths.get(student, []))


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "-"


def _scores_section(cls: ClassResults) -> page.Section:
    summary = stats.score_summary(cls)
    points, maxima = stats.cell_points(cls), stats.cell_maxima(cls)
    rows = []
    for cell, values in points.items():
        if not values:
            continue
        mean = sum(values) / len(values)
        full = sum(v >= maxima.get(cell, float("inf")) for v in values)
        rows.append(({"cell": cell, "mean": f"{mean:.6g}", "full": str(full), "students": str(len(values))},
                     [cell, f"{maxima.get(cell, 0):g}", f"{mean:.2f}", f"{full}/{len(values)}"]))
    return page.Section(
        "scores", "Scores",
        "Total scores of the graded submissions, then each graded cell's points as a share of what it is worth.",
        [page.Figure("scores", "histogram of total scores with mean and median",
                     figures.score_histogram(summary.scores, summary.max_score, summary.mean, summary.median)),
         page.Figure("cell_points", "points per graded cell", figures.cell_points(points, maxima))],
        [page.Table("cells", ["graded cell", "points", "mean", "full marks"], rows)])


def _pass_rate_section(cls: ClassResults) -> page.Section:
    groups = stats.check_rates(cls)
    rows = []
    for group in groups:
        for rate in group:
            rows.append(({"function": rate.function, "check": rate.name, "passed": str(rate.passed),
                          "total": str(rate.total)},
                         [rate.function, rate.name, f"{rate.passed}/{rate.total}", _pct(rate.passed, rate.total)]))
    drawn = [[(r.function, r.name, r.rate) for r in group] for group in groups]
    return page.Section(
        "pass-rates", "Pass rate per check",
        "Every check of every graded function, functions with the worst check first and, within each, worst check first. "
        "The figure leaves out the checks every graded student passes.",
        [page.Figure("pass_rates", "pass rate per check", figures.pass_rates(drawn))],
        [page.Table("pass-rates", ["graded function", "check", "passed", "rate"], rows, "no graded results")])


def _causes_section(cls: ClassResults, labels: Labels) -> page.Section:
    counted = stats.cause_counts(cls)
    rows, bars = [], []
    for function, counts in counted.items():
        for count in counts:
            label = cause_names.describe(count.cause)
            student, message = count.example
            rows.append(({"function": function, "cause": count.cause or "", "students": str(len(count.students))},
                         [function, count.cause or "(none)", label, str(len(count.students)),
                          labels.message(student, message)]))
            bars.append((function, label, len(count.students), count.cause is not None))
    return page.Section(
        "mistakes", "Diagnosed mistakes",
        "For each graded function, how many students hit each mistake the graders recognised (a student counts once "
        "per mistake and function), with one example message. \"no diagnosis\" counts students whose failing checks "
        "named no cause: look at those by hand. Submissions that could not be read are under load problems instead.",
        [page.Figure("mistakes", "students per diagnosed mistake", figures.causes(bars))],
        [page.Table("causes", ["graded function", "cause", "what it means", "students", "example"], rows,
                    "no failing checks", message_column=4)])


def _load_section(cls: ClassResults, labels: Labels) -> page.Section:
    counted = stats.load_problem_counts(cls)
    rows = [({"kind": c.kind, "students": str(len(c.students)), "occurrences": str(c.occurrences)},
             [c.kind, str(len(c.students)), str(c.occurrences), labels.message(*c.example)]) for c in counted]
    missing = stats.not_graded(cls)
    missing_rows = [({"status": s.status}, [labels.student(s.student), s.status,
                                            labels.message(s.student, s.problem or s.message)]) for s in missing]
    return page.Section(
        "load-problems", "Problems loading the submissions",
        "Files that could not be read, statements that failed or hung when the submission was loaded, crashes and "
        "memory: counted per student (and per occurrence), with one example. Below, the submissions with no grade.",
        [page.Figure("load_problems", "students per load problem", figures.load_problems(
            [(c.kind, len(c.students)) for c in counted]))],
        [page.Table("load-problems", ["kind", "students", "occurrences", "example"], rows, "every submission loaded",
                    message_column=3),
         page.Table("not-graded", ["student", "status", "why"], missing_rows, "every submission was graded",
                    message_column=2)])


def _repairs_section(cls: ClassResults, labels: Labels) -> page.Section:
    rows = [({"student": labels.student(s.student), "repairs": str(len(s.repairs))},
             [labels.student(s.student), "\n".join(s.repairs)]) for s in cls.graded if s.repairs]
    return page.Section(
        "damaged", "Damaged notebooks",
        "Notebooks whose structure was not the release's: metadata an editor dropped, cells duplicated, merged, deleted "
        "or turned into markdown. The grader lined each up with the release (by the functions a graded cell defines "
        "and a locked cell's code) before grading, and told the student what it found, as written here.",
        tables=[page.Table("repairs", ["student", "what the grader recognised or restored"], rows,
                           "every notebook had the release's structure", message_column=1)])


def _together_section(cls: ClassResults) -> page.Section:
    functions, matrix = stats.fail_together(cls)
    rows = []
    for k in stats.knock_ons(cls):
        why = ", ".join(f"{dep} ({n})" for dep, n in k.because_of.items()) or "-"
        rows.append(({"function": k.function, "failing": str(k.failing), "own": str(k.own)},
                     [k.function, str(k.failing), str(k.own), why]))
    return page.Section(
        "together", "Functions that fail together",
        "A function whose checks fail because a function it relies on fails (nn_model because of "
        "backward_propagation, say) is a knock-on, not a separate misunderstanding. \"own\" counts students failing "
        "the function while everything it relies on passes.",
        [page.Figure("fail_together", "students failing both functions", figures.fail_together(functions, matrix))],
        [page.Table("knock-ons", ["graded function", "students failing", "own", "also failing what it relies on"],
                    rows, "no failing functions")])


def _time_section(cls: ClassResults, labels: Labels) -> page.Section:
    times = stats.grading_times(cls)
    slow = stats.slow(times)
    shown = [(labels.student(s), t) for s, t in times]
    rows = [({"student": labels.student(s), "seconds": f"{t:.3f}"},
             [labels.student(s), f"{t:.1f} s", "slow" if s in slow else ""]) for s, t in times]
    return page.Section(
        "time", "Grading time per submission",
        "Seconds each submission took to grade, slowest first; a submission far slower than the rest (red) may loop "
        "or hit the time limits.",
        [page.Figure("grading_time", "seconds to grade each submission",
                     figures.grading_times(shown, {labels.student(s) for s in slow}))],
        [page.Table("times", ["student", "grading time", ""], rows, "no grading times recorded")])


def _roster_section(cls: ClassResults) -> page.Section:
    pseudonyms = anonymise.pseudonyms([s.student for s in cls.students])
    rows = [({"student": s.student}, [s.student, pseudonyms[s.student], s.status,
                                      "" if s.score is None else f"{s.score:g}"]) for s in cls.students]
    return page.Section("students", "Students", "Names and the pseudonyms the shareable report uses.",
                        tables=[page.Table("students", ["student", "pseudonym", "status", "score"], rows)])


def build(cls: ClassResults, names: bool = False) -> tuple[str, list[page.Figure]]:
    """The page's HTML and its figures."""
    labels = Labels(cls, names)
    summary = stats.score_summary(cls)
    sections = [_scores_section(cls), _pass_rate_section(cls), _causes_section(cls, labels),
                _load_section(cls, labels), _repairs_section(cls, labels), _together_section(cls),
                _time_section(cls, labels)]
    if names:
        sections.append(_roster_section(cls))
    facts = [("students", "students", str(len(cls.students))), ("graded", "graded", str(len(summary.scores))),
             ("not-graded", "not graded", str(summary.not_graded)),
             ("max-score", "points possible", f"{summary.max_score:g}"),
             ("mean", "mean score", "-" if summary.mean is None else f"{summary.mean:.2f}"),
             ("median", "median score", "-" if summary.median is None else f"{summary.median:g}")]
    when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    meta = f"batch folder {cls.folder.name}, report written {when}" + (
        "; shows student names" if names else "; no student names (pseudonyms only)")
    html_text = page.render("What the class got wrong", meta, facts, sections)
    return html_text, [f for s in sections for f in s.figures if f.png is not None]


def write_report(folder: Path, out: Path | None = None, names: bool = False) -> tuple[Path, list[Path]]:
    """Write the page (default FOLDER/report.html) and its figures beside it as <stem>-<figure>.png."""
    cls = read_class(folder)
    out = out or folder / REPORT_FILE
    html_text, drawn = build(cls, names)
    out.parent.mkdir(parents=True, exist_ok=True)
    pngs = []
    for figure in drawn:
        path = out.with_name(f"{out.stem}-{figure.name}.png")
        path.write_bytes(figure.png)
        pngs.append(path)
    write_atomically(out, html_text)
    return out, pngs

"""`autograder report` on a generated class: its numbers against the results files, its privacy, its page in a browser.

One class is graded once by `autograder batch` (two jobs, tight limits): correct submissions,
the reference with planted bugs of several kinds, broken files and hostile code. Every number
the tests expect is recomputed here from grades.csv and the students' results.json, never
taken from a list of causes: the graders gain cause names over time.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.course.paths import RELEASE_DIR, ROOT, SOLUTION_FILE
from autograder.reporting import anonymise
from autograder.results import causes


sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import damaged  # noqa: E402
import hostile  # noqa: E402
import mutants  # noqa: E402


LIMITS = ["--call-timeout", "3", "--memory-mb", "1024", "--budget", "120"]
PREFIX = "zqx"  # every student's name starts with it, so a leaked name is easy to find
SECRET_DIR = f"/home/{PREFIX}_ivy/private"
SUBMISSION_WIDE = {"unreadable"}


def autograder(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, timeout=1200)


def write_class(folder: Path) -> None:
    """Correct, buggy (several kinds, one bug twice), broken, hostile, damaged, and one student with nothing to
    grade."""
    reference = SOLUTION_FILE.read_text(encoding="utf-8")
    by_name = {m.name: m for m in mutants.MUTANTS}
    files = {"ada.py": reference, "ben.py": (Path(__file__).parent / "submissions" / "alternative.py").read_text()}
    for student, mutant in [("cyd", "tanh_backward_one_minus_A"), ("dee", "backward_dW1_missing_mean"),
                            ("eli", "backward_dW1_missing_mean"), ("fay", "backward_db1_no_keepdims"),
                            ("gus", "update_ascent"), ("hal", "cost_missing_mean")]:
        files[f"{student}.py"] = mutants.apply(reference, by_name[mutant])
    # a statement that fails at import, quoting the student's own name and a path of theirs
    files["ivy.py"] = hostile.at_import(f'raise RuntimeError("{PREFIX}_ivy cannot open {SECRET_DIR}/notes.txt")')
    cases = {c.name: c for c in hostile.hostile_cases(str(RELEASE_DIR), str(ROOT)) + hostile.broken_cases()}
    for student, case in [("jon", "truncated"), ("kim", "loop_in_count_linear_regions"),
                          ("lou", "sleep_forever_at_import")]:
        files[f"{student}{cases[case].suffix}"] = cases[case].text
    for student, kind in [("nia", "stripped_metadata"), ("oz", "duplicated_cells")]:  # damaged notebooks
        files[f"{student}.ipynb"] = json.dumps(damaged.KINDS[kind].make())
    for name, text in files.items():
        (folder / f"{PREFIX}_{name}").write_text(text, encoding="utf-8")
    (folder / f"{PREFIX}_mo").mkdir()  # nothing gradable: an error row


class Rows(HTMLParser):
    """Every element's data-* attributes, by the id of the table (or list) it is in."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.current: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("table", "dl"):
            self.current = attrs.get("id")
            self.tables.setdefault(self.current, [])
        data = {k[5:]: v for k, v in attrs.items() if k.startswith("data-")}
        if data and self.current:
            self.tables[self.current].append(data)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("class-graded")
    write_class(folder)
    run = autograder("batch", str(folder), "--out", str(out), "--jobs", "2", *LIMITS)
    report = autograder("report", str(out))
    named = autograder("report", str(out), "--names", "--out", str(out / "named" / "class.html"))
    with (out / "grades.csv").open(newline="") as f:
        grades = list(csv.DictReader(f))
    results = {row["student"]: json.loads((out / row["student"] / "results.json").read_text())
               for row in grades if row["status"] == "graded"}
    return {"folder": folder, "out": out, "batch": run, "report": report, "named": named, "grades": grades,
            "results": results}


def page(graded, name: str = "report.html") -> str:
    return (graded["out"] / name).read_text(encoding="utf-8")


def tables(html: str) -> dict[str, list[dict[str, str]]]:
    parser = Rows()
    parser.feed(html)
    return parser.tables


def failing(test: dict) -> bool:
    return test["score"] < test["max_score"] and test["extra_data"]["cause"] not in SUBMISSION_WIDE


def test_batch_points_at_the_report_and_the_report_is_written(graded):
    assert graded["batch"].stdout.rstrip().splitlines()[-1] == f"what the class got wrong: autograder report {graded['out']}"
    assert graded["report"].returncode == 0, graded["report"].stderr
    assert graded["named"].returncode == 0, graded["named"].stderr
    assert len(graded["results"]) == 14 and len(graded["grades"]) == 15


def test_causes_are_counted_per_student_and_function_from_the_results(graded):
    expected: Counter[tuple[str, str]] = Counter()
    for document in graded["results"].values():
        expected.update({(t["tags"][0], t["extra_data"]["cause"] or "") for t in document["tests"] if failing(t)})
    shown = {(r["function"], r["cause"]): int(r["students"]) for r in tables(page(graded))["causes"]}
    assert shown == dict(expected)
    assert any(cause for _, cause in expected), "the class should hit at least one diagnosed mistake"
    html = page(graded)
    for _, cause in expected:
        assert html_escape(causes.describe(cause or None)) in html


def test_pass_rates_match_the_results_and_are_sorted_worst_first(graded):
    passed, total = Counter(), Counter()
    for document in graded["results"].values():
        for t in document["tests"]:
            total[(t["tags"][0], t["name"])] += 1
            passed[(t["tags"][0], t["name"])] += t["score"] >= t["max_score"]
    rows = tables(page(graded))["pass-rates"]
    assert {(r["function"], r["check"]): (int(r["passed"]), int(r["total"])) for r in rows} == \
        {key: (passed[key], total[key]) for key in total}
    rate = lambda r: int(r["passed"]) / int(r["total"])
    functions = [r["function"] for r in rows]
    groups = list(dict.fromkeys(functions))
    assert functions == sorted(functions, key=groups.index), "checks of one function are not together"
    firsts = [next(r for r in rows if r["function"] == f) for f in groups]
    assert [rate(r) for r in firsts] == sorted(rate(r) for r in firsts)
    for function in groups:
        rates = [rate(r) for r in rows if r["function"] == function]
        assert rates == sorted(rates)


def test_totals_and_cells_match_grades_csv(graded):
    shown = tables(page(graded))
    summary = {r["key"]: r for r in shown["summary"]}
    scores = [float(row["score"]) for row in graded["grades"] if row["status"] == "graded"]
    html = page(graded)
    assert f'data-key="students">{len(graded["grades"])}<' in html
    assert f'data-key="graded">{len(scores)}<' in html
    assert f'data-key="mean">{statistics.fmean(scores):.2f}<' in html
    assert f'data-key="median">{statistics.median(scores):g}<' in html
    assert set(summary) >= {"students", "graded", "mean", "median"}
    cells = [c for c in graded["grades"][0] if c not in ("student", "score", "max_score", "status", "message", "submission")]
    for row in shown["cells"]:
        values = [float(g[row["cell"]]) for g in graded["grades"] if g["status"] == "graded" and g[row["cell"]] != ""]
        assert float(row["mean"]) == pytest.approx(statistics.fmean(values), rel=1e-5)
        assert int(row["students"]) == len(values)
    assert [r["cell"] for r in shown["cells"]] == cells


def test_load_problems_are_counted_per_kind(graded):
    students: Counter[str] = Counter()
    occurrences: Counter[str] = Counter()
    for document in graded["results"].values():
        kinds = [p["kind"] for p in document["extra_data"]["load_problems"]]
        occurrences.update(kinds)
        students.update(set(kinds))
    shown = {r["kind"]: (int(r["students"]), int(r["occurrences"])) for r in tables(page(graded))["load-problems"]}
    assert shown == {kind: (students[kind], occurrences[kind]) for kind in students}
    assert {"unreadable", "statement", "timeout"} <= set(shown)
    not_graded = tables(page(graded))["not-graded"]
    assert [r["status"] for r in not_graded] == [row["status"] for row in graded["grades"] if row["status"] != "graded"]


def test_damaged_notebooks_are_listed_with_what_the_grader_recognised_or_restored(graded):
    repairs = {student: r["extra_data"]["repairs"] for student, r in graded["results"].items()
               if r["extra_data"]["repairs"]}
    assert set(repairs) == {f"{PREFIX}_nia", f"{PREFIX}_oz"}
    named = page(graded, "named/class.html")
    rows = tables(named)["repairs"]
    assert {row["student"]: int(row["repairs"]) for row in rows} == {s: len(notes) for s, notes in repairs.items()}
    for notes in repairs.values():
        assert all(html_escape(note) in named for note in notes)


def test_knock_on_failures_are_told_apart_from_own_ones(graded):
    expected = {}
    for document in graded["results"].values():
        bad = [t for t in document["tests"] if failing(t)]
        broken = {t["tags"][0] for t in bad}
        for function in broken:
            relied = {d for t in bad if t["tags"][0] == function for d in t["tags"][1:]} - {function}
            failing_, own = expected.get(function, (0, 0))
            expected[function] = (failing_ + 1, own + (not relied & broken))
    shown = {r["function"]: (int(r["failing"]), int(r["own"])) for r in tables(page(graded))["knock-ons"]}
    assert shown == expected
    assert "nn_model" not in shown, "a bug elsewhere costs nn_model nothing: its end-to-end checks keep their points"
    causes_shown = {r["cause"] for r in tables(page(graded))["causes"]}
    assert "depends_on_failed" not in causes_shown  # no knock-on among the diagnosed mistakes


def test_grading_times_are_shown_per_student(graded):
    named = {r["student"]: float(r["seconds"]) for r in tables(page(graded, "named/class.html"))["times"]}
    assert named == {s: pytest.approx(d["execution_time"], abs=1e-3) for s, d in graded["results"].items()}
    pseudonyms = anonymise.pseudonyms([row["student"] for row in graded["grades"]])
    shown = {r["student"]: float(r["seconds"]) for r in tables(page(graded))["times"]}
    assert shown == {pseudonyms[s]: pytest.approx(d["execution_time"], abs=1e-3) for s, d in graded["results"].items()}


def test_the_default_page_names_nobody_and_shows_no_paths(graded):
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page(graded))  # figures draw text as pixels
    assert PREFIX not in html
    for path in (graded["folder"], graded["out"], SECRET_DIR):
        assert str(path) not in html
    assert "[student] cannot open" in html  # ivy's message is kept, without her name
    named = page(graded, "named/class.html")
    assert all(row["student"] in named for row in graded["grades"])


def test_figures_are_embedded_and_written_beside_the_page(graded):
    html = page(graded)
    pngs = sorted(graded["out"].glob("report-*.png"))
    assert {p.stem.removeprefix("report-") for p in pngs} >= {"scores", "cell_points", "pass_rates", "mistakes",
                                                              "load_problems", "fail_together", "grading_time"}
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert html.count('src="data:image/png;base64,') == len(pngs)
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert len(list((graded["out"] / "named").glob("class-*.png"))) == len(pngs)


def test_pseudonyms_are_stable_and_scrubbing_is_local():
    first = anonymise.pseudonyms(["b", "a", "c"])
    assert first == anonymise.pseudonyms(["c", "a", "b"])
    assert sorted(first.values()) == ["student 1", "student 2", "student 3"]
    text = "alice: open('/srv/course/submitted/alice/nb.ipynb') failed; Alice's code; malice stays"
    assert anonymise.scrub(text, ["alice"], []) == \
        "[student]: open('<path>') failed; [student]'s code; malice stays"


def test_a_failure_without_a_cause_is_counted_as_no_diagnosis(graded, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(graded["out"], copy, ignore=shutil.ignore_patterns("*.png", "*.html", "named"))
    student, document = next((s, d) for s, d in graded["results"].items() if any(failing(t) for t in d["tests"]))
    test = next(t for t in document["tests"] if failing(t))
    for t in document["tests"]:
        if t["tags"][0] == test["tags"][0]:
            t["extra_data"]["cause"] = None  # as a check that recognises no mistake reports it
    (copy / student / "results.json").write_text(json.dumps(document))
    assert autograder("report", str(copy)).returncode == 0
    rows = tables((copy / "report.html").read_text())["causes"]
    undiagnosed = {r["function"]: int(r["students"]) for r in rows if r["cause"] == ""}
    assert undiagnosed.get(test["tags"][0], 0) >= 1
    assert "no diagnosis" in (copy / "report.html").read_text()


def test_a_folder_without_grades_or_with_a_broken_result_is_handled(graded, tmp_path):
    run = autograder("report", str(tmp_path))
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "grades.csv" in run.stderr
    copy = tmp_path / "copy"
    shutil.copytree(graded["out"], copy, ignore=shutil.ignore_patterns("*.png", "*.html", "named"))
    victim = next(iter(graded["results"]))
    (copy / victim / "results.json").write_text("{ not json")
    run = autograder("report", str(copy))
    assert run.returncode == 0, run.stderr
    rows = tables((copy / "report.html").read_text())["not-graded"]
    assert len(rows) == len(graded["grades"]) - len(graded["results"]) + 1  # the broken one is listed, not lost
    bad = autograder("report", str(copy), "--out", str(tmp_path / "report.txt"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


# --- in a real browser ----------------------------------------------------------------------


def chromium() -> str | None:
    return os.environ.get("AUTOGRADER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_page_renders_in_a_headless_browser_with_every_figure_visible(graded, tmp_path):
    browser_path = chromium()
    if browser_path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            view = browser.new_page(viewport={"width": 1200, "height": 900})
            view.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            view.on("pageerror", lambda e: problems.append(str(e)))
            view.on("request", lambda r: problems.append(f"request {r.url}") if not r.url.startswith(("file:", "data:"))
                    else None)
            view.goto((graded["out"] / "report.html").as_uri())
            images = view.evaluate("""Array.from(document.images).map(i => {
                const box = i.getBoundingClientRect();
                return {loaded: i.complete && i.naturalWidth > 0, width: box.width, height: box.height,
                        hidden: getComputedStyle(i).visibility === 'hidden' || getComputedStyle(i).display === 'none'};
            })""")
            title = view.title()
            headings = view.locator("h2").all_inner_texts()
            view.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert title == "What the class got wrong"
    assert len(images) == len(list(graded["out"].glob("report-*.png"))) >= 7
    assert all(i["loaded"] and i["width"] > 100 and i["height"] > 100 and not i["hidden"] for i in images), images
    assert "Diagnosed mistakes" in headings and "Functions that fail together" in headings
    assert (tmp_path / "report.png").stat().st_size > 50_000

"""Run the notebook's visible tests from the command line, as feedback before you hand it in.

    python visible_tests.py [planar_classification.ipynb] [--github]

It runs what grading runs of your notebook: the setup cells, the given helper cells and your
graded cells whole, and from every other code cell only its import, def and class statements
(your experiments are skipped). Then it runs each test cell and reports which visible tests
pass. Your code runs here, in this Python, with no time limit: this is a convenience, not the
grader. Passing every visible test is a good sign, not your grade. The course's hidden checks
run many more cases, and your instructor runs them.

With --github (in GitHub Actions) it also writes the job summary, and the `result` output that
GitHub Classroom's reporter reads: one point per visible test. Those points are feedback, not
your grade. Exit status: 0 when every visible test passes, 1 otherwise, 2 if the notebook
cannot be read.
"""

import ast
import base64
import html
import json
import os
import sys
import traceback
from pathlib import Path


DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def role(cell):
    """"setup" / "helper" / "solution" / "test" (run whole, in order) or "other" (definitions only)."""
    meta = cell.get("metadata") or {}
    nbgrader = meta.get("nbgrader") or {}
    if nbgrader.get("solution"):
        return "solution"
    if nbgrader.get("grade"):
        return "test"
    if "setup" in (meta.get("tags") or []) or str(nbgrader.get("grade_id", "")).startswith("setup_"):
        return "setup"
    if str(nbgrader.get("grade_id", "")).startswith("helper_"):
        return "helper"
    return "other"


def source_of(cell):
    text = cell.get("source", "")
    text = "".join(text) if isinstance(text, list) else str(text)
    return "\n".join("# " + line if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines())


def first_lines(exc, count=4):
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, AssertionError):
        text = f"{type(exc).__name__}: {text}"
    return "\n".join(text.splitlines()[:count])


def run(notebook):
    """[(test cell's grade id, its source, None or the failure's first lines)], in notebook order."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    namespace = {"__name__": "__main__"}
    results = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        kind, text = role(cell), source_of(cell)
        try:
            tree = ast.parse(text)
        except SyntaxError as exc:
            if kind == "test":
                results.append((grade_id(cell), text.strip(), f"SyntaxError: {exc.msg} (line {exc.lineno})"))
            continue
        statements = tree.body if kind != "other" else [n for n in tree.body if isinstance(n, DEFINITIONS)]
        try:
            exec(compile(ast.Module(statements, type_ignores=[]), f"<{grade_id(cell) or 'cell'}>", "exec"), namespace)
            failure = None
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a student's cell is a failure like any other
            failure = first_lines(exc)
            if kind not in ("test", "solution"):
                traceback.print_exc(limit=1)
        if kind == "test":
            results.append((grade_id(cell), text.strip(), failure))
    return results


def grade_id(cell):
    return str(((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id", ""))


def report(results):
    passed = sum(failure is None for _, _, failure in results)
    lines = [f"{'passed' if failure is None else 'FAILED'}  {name}: {code}" + ("" if failure is None else
             "\n" + "\n".join("        " + line for line in failure.splitlines())) for name, code, failure in results]
    lines.append(f"\n{passed} of {len(results)} visible tests pass. This is feedback, not your grade: the course's "
                 "hidden checks run many more cases.")
    return "\n".join(lines)


def github(results, environ):
    """The job summary, and `result=<base64 JSON>` for GitHub Classroom's reporter (one point per visible test)."""
    failed = [r for r in results if r[2] is not None]
    if environ.get("GITHUB_STEP_SUMMARY"):
        rows = ["## Visible tests: feedback, not your grade", "",
                f"{len(results) - len(failed)} of {len(results)} pass. Your grade comes from the course's hidden "
                "checks, which your instructor runs after the deadline.", "", "| test cell | result |", "| --- | --- |"]
        rows += [f"| `{html.escape(name)}` | {'passed' if failure is None else 'failed'} |" for name, _, failure in results]
        for name, _, failure in failed:
            rows += ["", f"<details><summary>{html.escape(name)}</summary>", "",
                     f"<pre>{html.escape(failure)}</pre>", "</details>"]
        with open(environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
    if environ.get("GITHUB_OUTPUT"):
        payload = {"version": 1, "status": "fail" if failed else "pass", "max_score": len(results),
                   "tests": [{"name": f"visible test: {name}", "status": "pass" if failure is None else "fail",
                              "score": 1 if failure is None else 0, "message": failure or "", "test_code": code,
                              "filename": "", "line_no": 0, "execution_time": ""} for name, code, failure in results]}
        with open(environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as f:
            f.write("result=" + base64.b64encode(json.dumps(payload).encode("utf-8")).decode("ascii") + "\n")


def main(argv):
    args = [a for a in argv if a != "--github"]
    notebook = Path(args[0] if args else Path(__file__).with_name("planar_classification.ipynb")).resolve()
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.chdir(notebook.parent)
    sys.path.insert(0, str(notebook.parent))
    try:
        results = run(notebook)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"visible_tests.py: cannot read {notebook.name} as a notebook ({exc})", file=sys.stderr)
        return 2
    print(report(results))
    if "--github" in argv:
        github(results, os.environ)
    return 0 if all(failure is None for _, _, failure in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The `autograder` command."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.course.paths import ASSIGNMENT, IN_CHECKOUT, RELEASE_DIR, ROOT, SOLUTION_FILE
from autograder.sandbox.confinement import Unconfined
from autograder.sandbox.handle import Limits


if TYPE_CHECKING:
    from autograder.engine.grade import GradeRequest
    from autograder.runs.class_run import Backend


MAX_CHECKED_BYTES = 256 * 2**20  # a notebook read from standard input by `autograder check -`
GRADER_MEMORY_MB = 2048  # about ten times what grading a submission takes in the grading process itself


class CommandFailed(RuntimeError):
    """A command could not do its job; the message is one plain line."""


class BadArgument(CommandFailed):
    """The command was given something it cannot work on (a missing path, say): exit status 2."""


@contextlib.contextmanager
def _why_not_graded() -> Iterator[None]:
    """What keeps a submission from a grade, as one line: a path that is no submission is a `BadArgument`, whatever
    `why_not_graded` can explain a `CommandFailed`; anything else is a fault of ours and goes on up."""
    from autograder.engine.grade import SubmissionError, why_not_graded

    try:
        yield
    except SubmissionError as exc:
        raise BadArgument(str(exc)) from None
    except Exception as exc:
        line = why_not_graded(exc)
        if line is None:
            raise
        raise CommandFailed(line) from None


def _require_checkout() -> None:
    """build, demo and gradescope-bundle work on the repository's own files, which a wheel install lacks."""
    if not IN_CHECKOUT:
        raise CommandFailed("this install is a wheel, without the course repository; run this from a checkout of "
                            "the course repository (pip install -e .)")


def _build(args: argparse.Namespace) -> int:
    from autograder.course import release

    _require_checkout()
    try:
        return _build_or_check(args.check)
    except (release.ReleaseError, OSError) as exc:
        raise CommandFailed(str(exc)) from None


def _build_or_check(check: bool) -> int:
    from autograder.course import normal_form, release, solutions
    from autograder.course.paths import SOURCE_NOTEBOOK

    if not check:
        if normal_form.normalize(SOURCE_NOTEBOOK):  # a front end's metadata and outputs, not the assignment's
            print(f"source:   {SOURCE_NOTEBOOK.relative_to(ROOT)} reset to the normal form (metadata, outputs)")
        print(f"release:  {release.generate().relative_to(ROOT)}/")
        print(f"solution: {solutions.write().relative_to(ROOT)}")
        return 0
    problems = []
    if not SOLUTION_FILE.is_file() or SOLUTION_FILE.read_text(encoding="utf-8") != solutions.render():
        problems.append(f"{SOLUTION_FILE.relative_to(ROOT)} differs from the source notebook")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = release.generate(Path(tmp) / "release")
        problems += [f"{RELEASE_DIR.relative_to(ROOT)}/{d}" for d in release.differences(RELEASE_DIR, fresh)]
    for problem in problems:
        print(problem)
    if problems:
        print("the generated files drifted from the source; run `autograder build` and commit the result.")
        return 1
    print("release and solution match the source notebook.")
    return 0


def _demo(args: argparse.Namespace) -> int:
    _require_checkout()
    from autograder import demo
    from autograder.course.execute import NotebookFailed
    from autograder.course.release import ReleaseError

    try:
        demo.run(Path(args.out).resolve())
    except (ReleaseError, NotebookFailed, OSError) as exc:
        raise CommandFailed(str(exc)) from None
    return 0


def _grade(args: argparse.Namespace) -> int:
    """Grade one submission and write its results; a disk too full to write them is one line and exit 1."""
    from autograder.engine.grade import grade
    from autograder.results import summary
    from autograder.results.outputs import ResultsNotWritten, write_results

    with _why_not_graded():
        result = grade(_request(args, Path(args.path)))
    try:
        results, junit_file = write_results(result, Path(args.out))
    except ResultsNotWritten as exc:
        if not args.quiet:
            print(summary.render(result, Path(args.path).name))
        raise CommandFailed(exc.strerror) from None
    if not args.quiet:
        print(summary.render(result, Path(args.path).name))
        print(f"\nwrote {results} and {junit_file}")
    return 0


def _check(args: argparse.Namespace) -> int:
    """The pre-submit check: what the official grader will make of the saved notebook; exit 1 if anything needs a look."""
    from autograder.engine.check import check, render

    with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
        path = Path(args.path)
        if args.path == "-":  # the notebook on standard input: the check can run as another user than the student
            path = Path(tmp) / Path(args.name).name
            path.write_bytes(sys.stdin.buffer.read(MAX_CHECKED_BYTES + 1)[:MAX_CHECKED_BYTES + 1])
            if path.stat().st_size > MAX_CHECKED_BYTES:
                raise CommandFailed(f"the notebook is over {MAX_CHECKED_BYTES // 2**20} MB; clear its outputs first")
        request = _request(args, path)
        with _why_not_graded():
            report = check(request.submission, request.limits, request.budget_seconds,
                           name=Path(args.name).name if args.path == "-" else None)
    print(render(report))
    return 0 if report.clean else 1


def _batch(args: argparse.Namespace) -> int:
    from autograder.results.grades_csv import GRADES_FILE
    from autograder.runs.class_run import BackendUnavailable, run_class
    from autograder.runs.grades_file import GradesNotWritten
    from autograder.runs.progress import Progress
    from autograder.runs.submissions import discover
    from autograder.sandbox import scratch

    folder, out = Path(args.folder), Path(args.out)
    if not folder.is_dir():
        raise BadArgument(f"{folder} is not a folder of submissions")
    progress = Progress(len(discover(folder)))
    scratch.sweep()  # grader folders a batch killed outright left behind
    backend = _backend(args)
    try:
        run = run_class(folder, out, backend, _request(args, folder, bound=False), force=args.force,
                        progress=progress.update)
    except (GradesNotWritten, BackendUnavailable) as exc:
        raise CommandFailed(str(exc)) from None
    print(f"{len(run.outcomes) - len(run.errors)} of {len(run.submissions)} submissions graded; "
          f"grades in {out / GRADES_FILE}")
    for outcome in run.errors:
        print(f"  {outcome.student}: {outcome.message}")
    print(f"what the class got wrong: autograder report {out}")
    return 1 if run.errors else 0


def _backend(args: argparse.Namespace) -> Backend:
    """Where the batch grades: the Dask cluster at --scheduler, or here (this machine must confine submissions)."""
    if not args.scheduler:
        from autograder.runs.local import LocalPool

        _require_confinement(args)
        return LocalPool(args.jobs, memory_mb=args.grader_memory_mb)
    try:
        from autograder.runs.dask_backend import DaskCluster
    except ImportError:
        raise CommandFailed("--scheduler needs Dask distributed: pip install 'planar-autograder[cluster]' "
                            "(or -e '.[cluster]' in the repository)") from None
    return DaskCluster(args.scheduler, allow_unconfined=args.allow_unconfined, memory_mb=args.grader_memory_mb)


def _report(args: argparse.Namespace) -> int:
    from autograder.reporting import cli_commands

    return cli_commands.report(args)


def _export(args: argparse.Namespace) -> int:
    from autograder.reporting import cli_commands

    return cli_commands.export(args)


def _selftest(args: argparse.Namespace) -> int:
    """Grade the reference solution; exit 0 only with full marks (proves an install, unlike --help)."""
    from autograder.platforms import install_check

    try:
        outcome = install_check.check(Limits(allow_unconfined=args.allow_unconfined))
    except Unconfined as exc:
        raise CommandFailed(str(exc)) from None
    if not outcome.ok:
        raise CommandFailed(outcome.line())
    print(outcome.line())
    return 0


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(call_seconds=args.call_timeout, statement_seconds=args.call_timeout, memory_mb=args.memory_mb,
                  disk_mb=getattr(args, "disk_mb", Limits.disk_mb), allow_unconfined=args.allow_unconfined)


def _request(args: argparse.Namespace, submission: Path, *, bound: bool = True) -> GradeRequest:
    """The grade the options ask for; `bound`: this process grades, so its own memory is bounded now."""
    from autograder.engine.grade import GradeRequest, limit_own_memory

    if bound:
        limit_own_memory(args.grader_memory_mb)
    return GradeRequest(submission, _limits(args), budget_seconds=args.budget, only=tuple(getattr(args, "only", None) or ()))


def _require_confinement(args: argparse.Namespace) -> None:
    """Before a class is graded here: one plain line and exit 1 unless this machine confines submissions."""
    from autograder.sandbox import confinement
    from autograder.sandbox.handle import confinement_here

    if not args.allow_unconfined:
        state = confinement_here(_limits(args))
        if not confinement.acceptable(state):
            raise CommandFailed(str(confinement.Unconfined(state)))


def _classroom(args: argparse.Namespace) -> int:
    from autograder.engine.grade import grade_folder
    from autograder.engine.locate import find_submission
    from autograder.platforms.classroom import report as classroom
    from autograder.results import junit, results_json, summary
    from autograder.results.outputs import JUNIT_FILE, RESULTS_FILE

    repository, out = Path(args.repository), Path(args.out)
    try:
        result = grade_folder(repository, limits=_limits(args), budget_seconds=args.budget)
    except Unconfined as exc:
        raise CommandFailed(str(exc)) from None
    # annotations belong on the notebook, named as in the student's repository (the expected name if none was found)
    found = find_submission(repository)[0] if repository.is_dir() else None
    notebook = found.relative_to(repository).as_posix() if found else f"{ASSIGNMENT}.ipynb"
    results = results_json.write(result, out / RESULTS_FILE)
    junit_file = junit.write(result, out / JUNIT_FILE, source=notebook)
    classroom.publish(result, ASSIGNMENT)
    print(summary.render(result, ASSIGNMENT))
    print(f"\n{classroom.points_line(result)}\nwrote {results} and {junit_file}")
    return 0


def _classroom_collect(args: argparse.Namespace) -> int:
    """Clone the students' repositories listed in a file, for the course's own grading run."""
    from autograder.platforms.classroom import collect as classroom_collect

    listing, out = Path(args.repositories), Path(args.out)
    try:
        repositories = classroom_collect.read_list(listing)
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandFailed(f"cannot read the list of repositories {listing} ({getattr(exc, 'strerror', None) or exc})") from None
    cloned = classroom_collect.collect(repositories, out, args.prefix)
    for entry in cloned:
        if entry.problem:
            print(f"autograder classroom-collect: {entry.student}: {entry.problem}", file=sys.stderr)
        else:
            print(f"{entry.student}: {entry.commit[:12]}")
    failed = sum(bool(c.problem) for c in cloned)
    print(f"{len(cloned) - failed} of {len(cloned)} repositories cloned into {out}; "
          f"grade them with: autograder batch {out} --out DIR")
    return 1 if failed else 0


def _time_limit(args: argparse.Namespace):
    from autograder.platforms.gradescope.time_limit import TimeLimit

    try:
        return TimeLimit(args.timeout, args.margin)
    except ValueError as exc:
        raise CommandFailed(str(exc)) from None


def _gradescope_bundle(args: argparse.Namespace) -> int:
    from autograder.platforms.gradescope import bundle as gradescope_bundle

    _require_checkout()
    out = Path(args.out)
    if out.suffix != ".zip":
        raise BadArgument(f"{out} should end in .zip")
    limit = _time_limit(args)
    try:
        gradescope_bundle.build(out, limit, allow_unconfined=args.allow_unconfined)
    except OSError as exc:
        raise CommandFailed(f"could not write {out} ({exc.strerror or exc})") from None
    print(f"wrote {out}: upload it as the autograder of a Gradescope programming assignment, and set the "
          f"assignment's autograder timeout to {limit.timeout:g} s (grading stops at {limit.budget:g} s, "
          f"so results are written before that limit)")
    return 0


def _gradescope_run(args: argparse.Namespace) -> int:
    from autograder.engine.grade import limit_own_memory
    from autograder.engine.plugin import GraderError
    from autograder.platforms.gradescope import run as gradescope_run
    from autograder.results import summary

    limit = _time_limit(args)
    limit_own_memory(args.grader_memory_mb)
    limits = _limits(args)
    try:
        result = gradescope_run.run(Path(args.root), limit, limits)
    except GraderError as exc:
        raise CommandFailed(f"the graders could not run ({exc}); results.json says so") from None
    except Unconfined as exc:
        raise CommandFailed(f"{exc} results.json tells the student that grading could not run") from None
    print(summary.render(result, ASSIGNMENT))
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of MB, at least 1, not {text!r}")
    return value


def _time_limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                        help="the Gradescope assignment's autograder timeout (default 600, Gradescope's default)")
    parser.add_argument("--margin", type=float, default=60.0, metavar="SECONDS",
                        help="time kept free below the timeout: grading gets timeout - margin (default 60)")


def _limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--call-timeout", type=float, default=20.0, metavar="SECONDS",
                        help="time limit for each call into the submission (default 20)")
    parser.add_argument("--memory-mb", type=int, default=2048, help="memory limit of the worker process (default 2048)")
    _grader_memory_option(parser)
    parser.add_argument("--disk-mb", type=_positive_int, default=256,
                        help="disk space the submission's code may write, in all (default 256)")
    parser.add_argument("--budget", type=float, default=600.0, metavar="SECONDS",
                        help="total grading time per submission (default 600)")
    _unconfined_option(parser)


def _grader_memory_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--grader-memory-mb", type=_positive_int, default=GRADER_MEMORY_MB,
                        help=f"memory limit of the grading process itself (default {GRADER_MEMORY_MB})")


def _unconfined_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--allow-unconfined", action="store_true",
                        help="grade even where the sandbox cannot confine submissions (no Landlock or seccomp), "
                             "accepting that they can read the graders; results say they were graded so")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autograder", description="Build, run and grade the planar-classification assignment.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="regenerate the student release (nbgrader) and the reference solution")
    build.add_argument("--check", action="store_true", help="only report whether the committed files match the source")
    build.set_defaults(run=_build)
    demo = commands.add_parser("demo", help="build, then run the assignment with the reference solution")
    demo.add_argument("--out", default="demo-output", help="folder for the executed notebook and figures")
    demo.set_defaults(run=_demo)
    grade = commands.add_parser("grade", help="grade one submission (.ipynb or .py)")
    grade.add_argument("path", help="the student's notebook or Python file")
    grade.add_argument("--out", default="autograder-results", help="folder for results.json and junit.xml")
    grade.add_argument("--quiet", action="store_true", help="print nothing; only write the result files")
    grade.add_argument("--only", nargs="+", metavar="FUNCTION", help="run only the checks of these functions")
    _limit_options(grade)
    grade.set_defaults(run=_grade)
    check = commands.add_parser("check", help="before submitting: what the official grader will make of a saved "
                                              "notebook (the visible tests only, in the same sandbox and limits)")
    check.add_argument("path", help="the saved notebook (.ipynb) or Python file (.py); - reads it from standard input")
    check.add_argument("--name", default=f"{ASSIGNMENT}.ipynb",
                       help="with -, the file's name (its .ipynb or .py ending says how to read it)")
    _limit_options(check)
    check.set_defaults(run=_check)
    selftest = commands.add_parser("selftest", help="prove this install: grade the reference solution, which must "
                                                    "earn full marks (exit 1 with what was found if not)")
    _unconfined_option(selftest)
    selftest.set_defaults(run=_selftest)
    batch = commands.add_parser("batch", help="grade every submission in a folder, in parallel")
    batch.add_argument("folder", help="a file per student, or nbgrader's submitted/<student>/<assignment>/ layout")
    batch.add_argument("--out", required=True, help="folder for each student's results and grades.csv")
    batch.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of CPUs)")
    batch.add_argument("--force", action="store_true", help="regrade submissions already graded")
    batch.add_argument("--scheduler", metavar="tcp://HOST:8786",
                       help="grade on this Dask distributed cluster instead of here (needs the cluster extra)")
    _limit_options(batch)
    batch.set_defaults(run=_batch)
    report = commands.add_parser("report", help="an HTML report of what the class got wrong, from a batch's folder")
    report.add_argument("folder", help="the --out folder of `autograder batch` (grades.csv, <student>/results.json)")
    report.add_argument("--out", help="the HTML file to write (default FOLDER/report.html); figures go beside it")
    report.add_argument("--names", action="store_true", help="show student names (default: pseudonyms only)")
    report.set_defaults(run=_report)
    export = commands.add_parser("export", help="grades from a batch's folder as a file Canvas or Moodle imports")
    export.add_argument("folder", help="the --out folder of `autograder batch`")
    export.add_argument("--format", required=True, choices=["canvas", "moodle", "csv"], help="the gradebook's format")
    export.add_argument("--roster", required=True, help="the gradebook's own export (CSV) listing the students")
    export.add_argument("--out", help="the file to write (default FOLDER/<format>-import.csv)")
    export.add_argument("--match", metavar="COLUMN",
                        help="roster column holding the batch's student names (default: SIS Login ID for Canvas, "
                             "Username or Email address for Moodle)")
    export.add_argument("--missing", choices=["blank", "zero"], default="blank",
                        help="grade of roster students with no graded submission (default blank)")
    export.add_argument("--assignment", default="Planar classification",
                        help="the grade column's name; for Canvas, \"Name (ID)\" updates that existing assignment")
    export.set_defaults(run=_export)
    room = commands.add_parser("classroom", help="grade one checked-out student repository in a GitHub Actions job of "
                                                 "the course's own (job summary, Classroom's result output)")
    room.add_argument("repository", help="the checked-out student repository; only its notebook is read")
    room.add_argument("--out", default="grading", help="folder for results.json and junit.xml")
    _limit_options(room)
    room.set_defaults(run=_classroom)
    collect = commands.add_parser("classroom-collect", help="clone the students' repositories of a GitHub Classroom "
                                                            "assignment, for the course's own grading run")
    collect.add_argument("repositories", help="a file listing the repositories' clone URLs, one per line")
    collect.add_argument("--out", required=True, help="the folder to clone into: OUT/<student>/, then autograder batch OUT")
    collect.add_argument("--prefix", default="", help="the assignment's repository prefix, removed from each "
                                                      "repository's name to give the student (GitHub login)")
    collect.set_defaults(run=_classroom_collect)
    bundle = commands.add_parser("gradescope-bundle", help="build the autograder zip to upload to Gradescope")
    bundle.add_argument("out", help="the zip file to write, e.g. autograder.zip")
    _time_limit_options(bundle)
    bundle.add_argument("--allow-unconfined", action="store_true",
                        help="build a bundle that grades even where Gradescope's machine cannot confine submissions, "
                             "accepting that they can read the graders; results say they were graded so")
    bundle.set_defaults(run=_gradescope_bundle)
    gs_run = commands.add_parser("gradescope-run", help="what run_autograder calls inside Gradescope")
    gs_run.add_argument("--root", default="/autograder", help="Gradescope's folder (default /autograder)")
    gs_run.add_argument("--call-timeout", type=float, default=20.0, metavar="SECONDS",
                        help="time limit for each call into the submission (default 20)")
    gs_run.add_argument("--memory-mb", type=int, default=2048, help="memory limit of the worker process (default 2048)")
    _grader_memory_option(gs_run)
    _unconfined_option(gs_run)
    _time_limit_options(gs_run)
    gs_run.set_defaults(run=_gradescope_run)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CommandFailed as exc:
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, BadArgument) else 1
    except KeyboardInterrupt:
        print(f"autograder {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for users; AUTOGRADER_DEBUG=1 shows the traceback
        if os.environ.get("AUTOGRADER_DEBUG"):
            raise
        print(f"autograder {args.command}: internal error ({type(exc).__name__}: {exc}); "
              "rerun with AUTOGRADER_DEBUG=1 for details and report it", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

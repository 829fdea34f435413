"""The `autograder` command."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from autograder.course import release, solutions
from autograder.course.execute import NotebookFailed
from autograder.course.paths import RELEASE_DIR, ROOT, SOLUTION_FILE


def _build(args: argparse.Namespace) -> int:
    if not args.check:
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
    from autograder.course import demo

    demo.run(Path(args.out).resolve())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autograder", description="Build, run and grade the planar-classification assignment.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="regenerate the student release (nbgrader) and the reference solution")
    build.add_argument("--check", action="store_true", help="only report whether the committed files match the source")
    build.set_defaults(run=_build)
    demo = commands.add_parser("demo", help="build, then run the assignment with the reference solution")
    demo.add_argument("--out", default="demo-output", help="folder for the executed notebook and figures")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (release.ReleaseError, NotebookFailed, OSError) as exc:
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The handlers of `autograder report` and `autograder export`: arguments in, one plain line out on failure.

Exit status: 0 when the file was written, 2 for a folder, roster or option that cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.reporting.classdata import ClassDataError


def _fail(command: str, message: str) -> int:
    print(f"autograder {command}: {message}", file=sys.stderr)
    return 2


def report(args: argparse.Namespace) -> int:
    from autograder.reporting.report import write_report

    folder = Path(args.folder)
    if not folder.is_dir():
        return _fail("report", f"{folder} is not a folder; give the --out folder of `autograder batch`")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".html", ".htm"):
        return _fail("report", f"{out} should end in .html")
    try:
        page, pngs = write_report(folder, out, names=args.names)
    except ClassDataError as exc:
        return _fail("report", str(exc))
    except OSError as exc:
        return _fail("report", f"could not write the report ({exc.strerror or exc})")
    print(f"wrote {page} and {len(pngs)} figures beside it"
          + ("" if args.names else "; no student names in it (pseudonyms), safe to share with teaching assistants"))
    return 0


def export(args: argparse.Namespace) -> int:
    from autograder.reporting import gradebook
    from autograder.reporting.roster import RosterError, read_roster

    folder = Path(args.folder)
    if not folder.is_dir():
        return _fail("export", f"{folder} is not a folder; give the --out folder of `autograder batch`")
    try:
        roster = read_roster(Path(args.roster))
        written = gradebook.export(folder, roster, args.format, Path(args.out) if args.out else None,
                                   match=args.match, missing=args.missing, assignment=args.assignment)
    except (ClassDataError, RosterError) as exc:
        return _fail("export", str(exc))
    except OSError as exc:
        return _fail("export", f"could not write the export ({exc.strerror or exc})")
    for student, score in written.unmatched:
        what = "ungraded" if score is None else f"score {score:g}"
        print(f"autograder export: {student} ({what}) matches no roster row by {written.match!r}; not in the export",
              file=sys.stderr)
    print(f"wrote {written.path}: {written.graded} graded, {written.missing} without a grade "
          f"({'zero' if args.missing == 'zero' else 'left blank'}), {len(written.unmatched)} not in the roster")
    return 0

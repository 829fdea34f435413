"""Read the roster an instructor already has: Canvas's gradebook export, Moodle's grades export, or a plain CSV.

Canvas exports `Student, ID, SIS User ID, SIS Login ID, Section` (sometimes `Integration ID`),
then one column per assignment and read-only totals; a second row "Points Possible" (and, in
some versions, a row of posting policies) holds no student. Moodle's export starts with
`First name, Last name` (or `Surname`), `ID number, Institution, Department, Email address`,
with `Username` when the instructor included it. Anything else with a header row is "plain".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path


CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section")
MOODLE_IDENTITY = ("First name", "Last name", "Surname", "ID number", "Username", "Email address")
POINTS_POSSIBLE = "Points Possible"


class RosterError(ValueError):
    """The roster cannot be used; the message is one plain line."""


@dataclass
class Roster:
    """`kind`: canvas, moodle or plain; `rows`: one dict per student, keyed by `header`."""

    path: Path
    kind: str
    header: list[str]
    rows: list[dict[str, str]]

    @property
    def identity(self) -> list[str]:
        """The columns that say who a row is (kept in an export), in the roster's order."""
        known = {"canvas": CANVAS_IDENTITY, "moodle": MOODLE_IDENTITY}.get(self.kind, ())
        return [c for c in self.header if c in known]


def _kind(header: list[str]) -> str:
    if "Student" in header and "ID" in header:
        return "canvas"
    if "Email address" in header or "Username" in header or ("First name" in header and "ID number" in header):
        return "moodle"
    return "plain"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _is_student(row: dict[str, str], kind: str) -> bool:
    if kind != "canvas":
        return any(v.strip() for v in row.values())
    if row.get("Student", "").strip() == POINTS_POSSIBLE:
        return False
    return any(row.get(c, "").strip() for c in ("Student", "ID", "SIS User ID", "SIS Login ID"))


def read_roster(path: Path) -> Roster:
    """The roster at `path`; RosterError (one line) when it is missing, not UTF-8 text, or not a CSV with a header."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"roster {path} does not exist") from None
    except IsADirectoryError:
        raise RosterError(f"roster {path} is a folder, not a CSV file") from None
    except OSError as exc:
        raise RosterError(f"cannot read roster {path} ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise RosterError(f"roster {path} is not UTF-8 (or UTF-16) text; export it again as CSV (UTF-8)") from None
    if not text.strip():
        raise RosterError(f"roster {path} is empty")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
        lines = [row for row in reader]
    except csv.Error as exc:
        raise RosterError(f"roster {path} is not a readable CSV file ({exc})") from None
    header = [h.strip() for h in lines[0]]
    if len(header) < 1 or not any(header) or len(set(header)) != len(header):
        raise RosterError(f"roster {path} has no header row of distinct column names")
    kind = _kind(header)
    rows = [dict(zip(header, (v.strip() for v in line + [""] * (len(header) - len(line))))) for line in lines[1:]]
    return Roster(path=path, kind=kind, header=header, rows=[r for r in rows if _is_student(r, kind)])

"""`autograder export` as instructors use it: their gradebook's own roster in, the file it imports out.

A small class is graded once by `autograder batch`; every export is read back with the csv
module and checked column by column against the roster and grades.csv.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.paths import SOLUTION_FILE


sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import mutants  # noqa: E402


ASSIGNMENT = "Planar classification"
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def autograder(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, timeout=900)


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """ada (correct), ben (a bug), cy (nothing gradable), dan (graded, but in no roster)."""
    folder, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("class-graded")
    reference = SOLUTION_FILE.read_text(encoding="utf-8")
    bug = next(m for m in mutants.MUTANTS if m.name == "backward_dW1_missing_mean")
    (folder / "ada.py").write_text(reference)
    (folder / "ben.py").write_text(mutants.apply(reference, bug))
    (folder / "cy").mkdir()
    (folder / "dan.py").write_text(reference)
    batch = autograder("batch", str(folder), "--out", str(out), "--jobs", "2", "--call-timeout", "5")
    assert batch.returncode == 1, batch.stdout + batch.stderr  # cy's folder is an error row
    with (out / "grades.csv").open(newline="") as f:
        grades = {row["student"]: row for row in csv.DictReader(f)}
    return {"out": out, "grades": grades}


def canvas_roster(path: Path) -> Path:
    """Canvas's gradebook export: a Points Possible row, another assignment, read-only totals; eve never submitted."""
    path.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (4011),Current Score,Final Score\n"
        "    Points Possible,,,,,10,(read only),(read only)\n"
        '"Lovelace, Ada",101,S-101,ada,Monday,9,90,90\n'
        '"Okri, Ben",102,S-102,BEN,Monday,7,70,70\n'
        '"Young, Cy",103,S-103,cy,Tuesday,5,50,50\n'
        '"Noether, Eve",104,S-104,eve,Tuesday,8,80,80\n', encoding="utf-8")
    return path


def moodle_roster(path: Path, delimiter: str = ",") -> Path:
    """Moodle's grades export (UTF-8 with a byte-order mark, as Moodle writes it), users identified by email."""
    rows = [["First name", "Last name", "ID number", "Institution", "Department", "Email address",
             "Assignment: Essay (Real)", "Last downloaded from this course"],
            ["Ada", "Lovelace", "101", "", "", "ada@uni.example", "4.00", "1700000000"],
            ["Ben", "Okri", "102", "", "", "ben@uni.example", "-", "1700000000"],
            ["Eve", "Noether", "104", "", "", "eve@uni.example", "-", "1700000000"]]
    path.write_text("\ufeff" + "\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def score(graded, student: str) -> str:
    return graded["grades"][student]["score"]


def test_canvas_import_keeps_the_roster_and_adds_one_column(graded, tmp_path):
    roster, out = canvas_roster(tmp_path / "canvas.csv"), tmp_path / "import.csv"
    run = autograder("export", str(graded["out"]), "--format", "canvas", "--roster", str(roster), "--out", str(out))
    assert run.returncode == 0, run.stderr
    header, points, *rows = read(out)
    assert header == [*CANVAS_IDENTITY, ASSIGNMENT]
    assert points == ["    Points Possible", "", "", "", "", graded["grades"]["ada"]["max_score"]]
    original = read(roster)[2:]
    assert [r[:5] for r in rows] == [r[:5] for r in original]  # every roster student, identity columns untouched
    grades = {r[3]: r[5] for r in rows}
    assert grades == {"ada": score(graded, "ada"), "BEN": score(graded, "ben"), "cy": "", "eve": ""}
    assert float(grades["ada"]) > float(grades["BEN"])
    assert "dan" in run.stderr and "ada" not in run.stderr  # graded but in no roster: said, never dropped silently
    assert run.stderr.count("\n") == 1


def test_missing_zero_and_an_existing_canvas_assignment(graded, tmp_path):
    roster, out = canvas_roster(tmp_path / "canvas.csv"), tmp_path / "import.csv"
    run = autograder("export", str(graded["out"]), "--format", "canvas", "--roster", str(roster), "--out", str(out),
                     "--missing", "zero", "--assignment", "Planar classification (4012)")
    assert run.returncode == 0, run.stderr
    header, _, *rows = read(out)
    assert header[-1] == "Planar classification (4012)"
    assert {r[3]: r[5] for r in rows} == {"ada": score(graded, "ada"), "BEN": score(graded, "ben"), "cy": "0",
                                          "eve": "0"}


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_moodle_import_matches_by_email(graded, tmp_path, delimiter):
    roster, out = moodle_roster(tmp_path / "moodle.csv", delimiter), tmp_path / "moodle-import.csv"
    run = autograder("export", str(graded["out"]), "--format", "moodle", "--roster", str(roster), "--out", str(out))
    assert run.returncode == 0, run.stderr
    header, *rows = read(out)
    assert header == ["First name", "Last name", "ID number", "Email address", ASSIGNMENT]
    assert rows == [["Ada", "Lovelace", "101", "ada@uni.example", score(graded, "ada")],
                    ["Ben", "Okri", "102", "ben@uni.example", score(graded, "ben")],
                    ["Eve", "Noether", "104", "eve@uni.example", ""]]
    assert "dan" in run.stderr


def test_plain_csv_with_another_match_column(graded, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,handle\nAda Lovelace,ada\nDan Brown,dan\nNobody,zed\n", encoding="utf-8")
    out = tmp_path / "grades-out.csv"
    run = autograder("export", str(graded["out"]), "--format", "csv", "--roster", str(roster), "--match", "handle",
                     "--out", str(out))
    assert run.returncode == 0, run.stderr
    max_score = graded["grades"]["ada"]["max_score"]
    assert read(out) == [["handle", "score", "max_score"], ["ada", score(graded, "ada"), max_score],
                         ["dan", score(graded, "dan"), max_score], ["zed", "", max_score]]
    assert "ben" in run.stderr and "cy" in run.stderr


@pytest.mark.parametrize("content, says", [
    (None, "does not exist"),
    (b"", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00", "not UTF-8"),
    (b"Student,ID,SIS User ID,Section\nAda,1,2,A\n", "none of the columns SIS Login ID"),
    (b"a,a\n1,2\n", "no header row of distinct column names"),
])
def test_a_roster_that_cannot_be_used_gets_one_line(graded, tmp_path, content, says):
    roster, out = tmp_path / "roster.csv", tmp_path / "out.csv"
    if content is not None:
        roster.write_bytes(content)
    run = autograder("export", str(graded["out"]), "--format", "canvas", "--roster", str(roster), "--out", str(out))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and says in run.stderr, run.stderr
    assert not out.exists()


def test_a_named_match_column_that_is_absent_gets_one_line(graded, tmp_path):
    roster = canvas_roster(tmp_path / "canvas.csv")
    run = autograder("export", str(graded["out"]), "--format", "canvas", "--roster", str(roster), "--match", "Email")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "'Email'" in run.stderr

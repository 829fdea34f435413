"""What went wrong while loading a submission, placed on the cells of its autograded notebook, within bounds.

`GradeInSandbox` notes each statement that failed while loading on the cell it came from, and
heads the first test cell with what happened while loading. A notebook of thousands of failing
cells must still cost time in proportion to its size and text in proportion to what a reader
can use: the problems are indexed by cell once, a cell shows at most `PER_CELL` of its own,
the notebook at most `IN_ALL`, and a note lists at most `LISTED` items; what is left out is
said in one line where it would have been.
"""

from __future__ import annotations

from collections.abc import Iterator

from autograder.results.model import LoadProblem


PER_CELL = 3  # failed statements noted on one cell
IN_ALL = 200  # failed statements noted on the notebook's cells in all
LISTED = 20  # items (failed statements, pitfalls) listed in a note at the head of the first test cell
LINE_CHARACTERS = 1_000  # a note's line is cut here (a path a student wrote may be as long as they like)
COURSE_OWN = " (the course's own)"  # "cell 'helper_x' (the course's own), line 3": a cell the grader restored
WHOLE_FILE = "line"  # the place of every statement of a Python file: "line 12"


def place(where: str) -> str:
    """The cell a load problem's place names, as `cell_place` names it: "cell 'relu'" for "cell 'relu', line 3" (or
    "cell 'relu' (the course's own), line 3"), "code cell 12" for "code cell 12, line 1", "line" for "line 7"."""
    if where.startswith("line "):
        return WHOLE_FILE
    head, comma, tail = where.rpartition(", ")
    cell = head if comma and tail.startswith("line ") else where
    return cell.removesuffix(COURSE_OWN)


def cell_place(grade_id: object, number: int) -> list[str]:
    """The places that name a cell: by its grade id (if it has one), and as the `number`th code cell submitted."""
    return ([f"cell {grade_id!r}"] if isinstance(grade_id, str) and grade_id else []) + \
        ([f"code cell {number}"] if number else [])


def by_place(problems: list[LoadProblem]) -> dict[str, list[LoadProblem]]:
    """The load problems by the cell they name (see `place`), each cell's in the order they happened."""
    found: dict[str, list[LoadProblem]] = {}
    for problem in problems:
        if problem.where:
            found.setdefault(place(problem.where), []).append(problem)
    return found


def problem_text(problem: LoadProblem) -> str:
    """What the cell a failed statement came from says about it."""
    line = problem.where.rpartition(", ")[2] or "a statement"
    return (f"While grading, {line} of this cell failed and was skipped: {problem.message}\n"
            "It costs nothing by itself; whatever it would have defined is missing.\n")


class CellNotes:
    """The text each cell gets about its own failed statements, at most `PER_CELL` a cell and `IN_ALL` in all."""

    def __init__(self, problems: list[LoadProblem]):
        self.index = by_place(problems)
        self.left = sum(len(found) for found in self.index.values())  # not yet placed on a cell
        self.shown = 0

    def texts(self, places: list[str]) -> list[str]:
        """The texts for the cell named by `places` (see `cell_place`), in the order cells are visited; each
        problem goes to the first cell visited that it names."""
        here = [p for name in dict.fromkeys(places) for p in self.index.pop(name, [])]
        if not here:
            return []
        if self.shown >= IN_ALL:  # said once, on the first cell past the bound; nothing on later cells
            rest, self.left = self.left, 0
            return [f"While grading, {rest:,} more statements of this cell and the cells below it failed and were "
                    "skipped; they are not noted cell by cell.\n"] if rest else []
        self.left -= len(here)
        kept = here[:min(PER_CELL, IN_ALL - self.shown)]
        self.shown += len(kept)
        texts = [problem_text(p) for p in kept]
        if len(here) > len(kept):
            texts.append(f"While grading, {len(here) - len(kept):,} more statements of this cell failed and were "
                         "skipped; they are not listed here.\n")
        return texts


def bounded_notes(notes: list[str]) -> list[str]:
    """`notes` (the grader's, one or several lines each) with each list in them cut to `LISTED` items: a list is the
    indented notes after a note (the failed statements) or the indented lines of one note (the pitfalls); what is
    left out is said in one line. Every line is cut at `LINE_CHARACTERS`."""
    kept: list[str] = []
    items = 0  # indented notes in a row so far
    skipped = 0
    for note in notes:
        if note[:1].isspace():
            items += 1
            if items > LISTED:
                skipped += 1
                continue
        else:
            kept += _left_out(skipped)
            items = skipped = 0
        kept.append("\n".join(_bounded_lines(note.splitlines())))
    return kept + _left_out(skipped)


def _bounded_lines(lines: list[str]) -> Iterator[str]:
    """A note's lines, its indented items after the first `LISTED` left out (said in one line), each line cut."""
    items = skipped = 0
    for line in lines:
        item = line[:1].isspace() and not line[:4].isspace()  # "  where: text", not its continuation "    advice"
        items += item
        if items > LISTED:
            skipped += item
            continue
        yield line if len(line) <= LINE_CHARACTERS else line[:LINE_CHARACTERS] + " ..."
    yield from _left_out(skipped)


def _left_out(count: int) -> list[str]:
    """The one line that says `count` items of a list were left out (none if `count` is 0)."""
    return [f"  ... and {count:,} more, left out here."] if count else []

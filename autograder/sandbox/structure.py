"""How a submitted notebook's cells line up with the release's, even where an editor or a student damaged it.

The course's cells carry nbgrader metadata (a grade id, a role). Editors drop it (VS Code,
Colab), students duplicate, merge, reorder, delete cells, or turn one into markdown. `align`
finds each of the release's cells in the submission all the same: by its grade id where the
metadata is whole, else a solution cell by the graded functions it defines and a locked cell
(test, setup, helper) by its code. It says what it could not find, what was there twice, and
in plain words what a grader does about it (`Alignment.notes`).

Used on both sides of the sandbox: the worker runs the submission by these roles (a test cell
is not run, a missing locked cell is run from the release), and nbgrader's autograde re-attaches
the metadata before it grades, so both grade the same notebook. Pure Python, no imports of the
grader (the worker runs it as a plain module).

A release skeleton is a list of dicts, one per cell of the release that has a grade id:
    {"grade_id": str, "kind": "solution" | "test" | "setup" | "helper",
     "defines": [function names] (solution cells), "source": str (locked cells)}
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field


LOCKED_CODE = ("test", "setup", "helper")
# A cell longer than this is parsed by its `def` lines only and is never taken for one of the course's locked cells:
# lining up stays fast (it also runs in nbgrader's own process) whatever a notebook holds.
LARGE_CELL = 1_000_000
_DEF = re.compile(r"^def\s+(\w+)\s*\(", re.M)


def source_of(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(str(s) for s in source) if isinstance(source, list) else str(source)


def _normal(text: str) -> str:
    """Code compared without its white space and comments at line ends."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return "\n".join(" ".join(line.split()) for line in lines if line)


def _normal_cell(cells: list[dict], index: int, normals: dict[int, str | None]) -> str | None:
    """`_normal` of a cell's code, kept in `normals`; None for a cell over `LARGE_CELL` characters."""
    if index not in normals:
        source = source_of(cells[index])
        normals[index] = _normal(source) if len(source) <= LARGE_CELL else None
    return normals[index]


def _metadata(cell: dict) -> dict:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbgrader if isinstance(nbgrader, dict) else {}


def defined_functions(source: str) -> list[str]:
    """The functions a cell defines at its top level (by its lines `def name(` where it does not parse or is over
    `LARGE_CELL` characters)."""
    if len(source) > LARGE_CELL:
        return _DEF.findall(source)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _DEF.findall(source)
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


@dataclass
class Alignment:
    """Where each release cell stands in the submission.

    `found`: grade id -> index of the submission's cell that is it. `roles`: index -> the kind of the release cell
    it is. `missing`: release cells not found (grade ids, in release order). `notes`: plain lines for the student
    about what was recognised, restored or cannot be repaired; empty for an intact notebook.
    """

    found: dict[str, int] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # grade id -> the other cells that carry it
    by_content: list[str] = field(default_factory=list)  # grade ids found without their metadata
    restored: list[str] = field(default_factory=list)  # locked code cells a grader runs from the release
    not_code: dict[str, str] = field(default_factory=dict)  # grade id -> the type (markdown, raw) its cell became
    changed: list[str] = field(default_factory=list)  # locked cells whose code differs from the release's
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.notes


def _metadata_matches(cells: list[dict], release: dict[str, dict]) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Grade id -> the code cells that carry it; grade id -> the type (markdown, raw) a cell carrying it became."""
    carriers: dict[str, list[int]] = {}
    turned: dict[str, str] = {}
    for index, cell in enumerate(cells):
        grade_id = _metadata(cell).get("grade_id")
        if not isinstance(grade_id, str) or grade_id not in release:
            continue
        if cell.get("cell_type") == "code":
            carriers.setdefault(grade_id, []).append(index)
        else:
            turned[grade_id] = str(cell.get("cell_type"))
    return carriers, turned


def align(cells: list[dict], skeleton: list[dict]) -> Alignment:
    """Line the submission's `cells` (notebook cells as dicts) up with the release's `skeleton`."""
    release = {entry["grade_id"]: entry for entry in skeleton}
    done = Alignment()
    carriers, turned = _metadata_matches(cells, release)
    for grade_id, indexes in carriers.items():
        # of a solution cell carried twice, the later runs last and so counts, as in Jupyter run top to bottom
        keep = indexes[-1] if release[grade_id]["kind"] == "solution" else indexes[0]
        done.found[grade_id] = keep
        if len(indexes) > 1:
            done.duplicates[grade_id] = [i for i in indexes if i != keep]
    copies = {i for others in done.duplicates.values() for i in others}
    free = [i for i, c in enumerate(cells) if c.get("cell_type") == "code" and i not in copies
            and i not in done.found.values()]
    # a solution cell by the graded functions it defines (the last cell defining one counts); merged cells serve
    # each solution cell whose functions they define
    solutions = [i for g, i in done.found.items() if release[g]["kind"] == "solution"]
    candidates = sorted(set(free) | set(solutions))
    defines = {i: set(defined_functions(source_of(cells[i]))) for i in candidates}
    for entry in skeleton:
        if entry["kind"] == "solution" and entry["grade_id"] not in done.found:
            defining = [i for i in candidates if set(entry.get("defines", [])) & defines[i]]
            if defining:
                done.found[entry["grade_id"]] = defining[-1]
                if defining[-1] not in solutions:  # not merged into a cell that says which it is
                    done.by_content.append(entry["grade_id"])
    taken = set(done.found.values())
    # a locked cell by its code; one turned into markdown or raw is found too, and counts as missing
    normals: dict[int, str | None] = {}  # each cell normalised once, the first time it is compared
    for entry in skeleton:
        wanted = _normal(entry.get("source", ""))
        if entry["kind"] == "solution" or entry["grade_id"] in done.found or not wanted:
            continue
        same = [i for i, c in enumerate(cells) if i not in taken and i not in copies
                and _normal_cell(cells, i, normals) == wanted]
        code = [i for i in same if cells[i].get("cell_type") == "code"]
        if code:
            done.found[entry["grade_id"]] = code[0]
            done.by_content.append(entry["grade_id"])
            taken.add(code[0])
        elif same:
            turned.setdefault(entry["grade_id"], str(cells[same[0]].get("cell_type")))
    done.not_code = {g: kind for g, kind in turned.items() if g not in done.found}
    done.missing = [e["grade_id"] for e in skeleton if e["grade_id"] not in done.found]
    done.restored = [g for g in done.missing if release[g]["kind"] in LOCKED_CODE]
    for grade_id, index in done.found.items():  # a merged cell is a solution cell (the first it serves names it)
        done.roles.setdefault(index, release[grade_id]["kind"])
    # a locked cell found by its grade id whose code is not the course's: a grader runs (or checks with) the course's
    done.changed = [g for g, i in done.found.items() if release[g]["kind"] in LOCKED_CODE and done.roles[i] != "solution"
                    and _normal_cell(cells, i, normals) != _normal(release[g].get("source", ""))]
    done.notes = _notes(done, release, has_metadata=bool(carriers))
    return done


def _names(items: list[str]) -> str:
    quoted = [f"`{i}`" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _notes(done: Alignment, release: dict[str, dict], *, has_metadata: bool) -> list[str]:
    """What a student is told about the notebook's structure, one line each; nothing for an intact notebook."""
    notes = []
    graded = [g for g in done.by_content if release[g]["kind"] == "solution"]
    if done.by_content:
        why = ("had lost the labels (cell metadata) that mark the course's cells; some editors, such as VS Code or "
               "Colab, drop them" if not has_metadata else "had cells without the labels (cell metadata) that mark "
               "the course's cells")
        one = len(graded) == 1
        notes.append(f"Your notebook {why}. The grader recognised {len(done.by_content)} of the course's cells by "
                     f"their code instead ({len(graded)} graded cell{'' if one else 's'} by the function"
                     f"{'s it defines' if one else 's they define'}), so this costs nothing.")
    served: dict[int, list[str]] = {}
    for grade_id, index in done.found.items():
        if release[grade_id]["kind"] == "solution":
            served.setdefault(index, []).append(grade_id)
    for grade_ids in served.values():
        if len(grade_ids) > 1:
            notes.append(f"The graded cells {_names(grade_ids)} are one cell in your notebook; each is graded from it.")
    for grade_id, others in done.duplicates.items():
        kind, times = release[grade_id]["kind"], len(others) + 1
        if kind == "solution":
            notes.append(f"The graded cell `{grade_id}` is in your notebook {times} times; the last one counts, as "
                         "when the notebook runs top to bottom.")
        elif kind == "test":
            notes.append(f"The test cell `{grade_id}` is in your notebook {times} times; the grader makes its own "
                         "checks, so this costs nothing (you may delete the copy).")
        else:
            notes.append(f"The cell `{grade_id}` the course gave you is in your notebook {times} times; the grader "
                         "runs the first, as the course's notebook does.")
    for grade_id, kind in done.not_code.items():
        entry = release[grade_id]
        if entry["kind"] == "solution":
            one = len(entry.get("defines", [])) == 1
            notes.append(f"The graded cell `{grade_id}` is a {kind} cell in your notebook, so "
                         f"{_names(entry.get('defines', []))} {'is' if one else 'are'} not defined and "
                         f"{'its' if one else 'their'} checks fail: change it back to a code cell.")
    missing_solutions = [g for g in done.missing if release[g]["kind"] == "solution" and g not in done.not_code]
    for grade_id in missing_solutions:
        functions = release[grade_id].get("defines", [])
        one = len(functions) == 1
        notes.append(f"The graded cell `{grade_id}` is missing from your notebook, so {_names(functions)} "
                     f"{'is' if one else 'are'} not defined and {'its' if one else 'their'} checks fail.")
    # a changed setup or helper cell is a pitfall (sandbox.pitfalls.locked_changed): results in Jupyter differ
    changed_tests = [g for g in done.changed if release[g]["kind"] == "test"]
    if changed_tests:
        notes.append(f"The test cell{'s' if len(changed_tests) > 1 else ''} {_names(changed_tests)} "
                     f"{'were' if len(changed_tests) > 1 else 'was'} changed in your notebook; the grader makes its "
                     "own checks, so the change makes no difference to your grade.")
    restored_tests = [g for g in done.restored if release[g]["kind"] == "test"]
    restored_code = [g for g in done.restored if release[g]["kind"] != "test"]
    if len(restored_tests) == 1:
        notes.append(f"The course's test cell {_names(restored_tests)} was missing or not a code cell; the grader "
                     "uses the course's own, so nothing is lost.")
    elif restored_tests:
        notes.append(f"{len(restored_tests)} of the course's test cells were missing or not code cells "
                     f"({_names(restored_tests)}); the grader uses the course's own, so nothing is lost.")
    if restored_code:
        notes.append(f"The course's cell{'s' if len(restored_code) > 1 else ''} {_names(restored_code)} "
                     f"{'were' if len(restored_code) > 1 else 'was'} missing; the grader ran the course's own.")
    return notes

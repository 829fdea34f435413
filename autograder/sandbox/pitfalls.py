"""What in a submission will run differently under the official grader than in the student's own Jupyter.

Read from the code, never run: `input()` (the grader has no keyboard), paths of the student's
own machine, files read beside the notebook (the grader runs it in an empty folder), a graded
function defined in more than one cell (the last one to run counts), a given cell the student
changed (the course's code runs there), and outputs too large. The worker runs this on the
statements it is about to run, before any of them runs; the grade's notes and `autograder check`
report what it finds. Pure Python, no imports of the grader.
"""

from __future__ import annotations

import ast
import re


# Calls that read a file named by their first argument (`open` and h5py's `File` write it in a writing mode).
READERS = {"open", "load", "loadtxt", "genfromtxt", "read_csv", "read_excel", "File", "imread", "read_text",
           "read_bytes"}
OPENERS = {"open", "File"}  # their mode is their second argument or `mode=`
LARGE_OUTPUT_BYTES = 5 * 2**20
_ABSOLUTE = re.compile(r"^(/|~|[A-Za-z]:[\\/])")


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _path(node: ast.Call) -> str:
    """The call's first argument where it is a string written in the code, else ""."""
    first = node.args[0] if node.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def _writes(node: ast.Call) -> bool:
    """Whether `open` or `File` opens its file to write it, making it if need be: a mode with "w", "a" or "x" ("r+"
    reads a file that must be there)."""
    mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and bool(set(mode.value) & set("wax"))


def _line(where: str, node: ast.AST) -> str:
    """`where` of the chunk ("cell 'relu'" or "code cell 3") with the node's line in it."""
    line = getattr(node, "lineno", 1)
    return f"line {line}" if where == "line" else f"{where}, line {line}"


DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def scan(where: str, source: str, whole: bool = True) -> list[dict]:
    """Pitfalls in one chunk of code: [{"where", "kind", "text"}]; kinds "input", "absolute_path", "local_file".
    `whole`: the grader runs the whole chunk, not only its definitions (whose bodies run when called)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the grader reports what does not parse on its own
    found = []
    runs = tree.body if whole else [node for node in tree.body if isinstance(node, DEFINITIONS)]
    calls = [sub for top in runs for sub in ast.walk(top) if isinstance(sub, ast.Call)]
    # a file the chunk writes beside the notebook is there when grading too, for the chunk to read back
    written = {_path(c) for c in calls if _call_name(c) in OPENERS and _writes(c)}
    for node in calls:
        name = _call_name(node)
        if name == "input" and isinstance(node.func, ast.Name):
            found.append({"where": _line(where, node), "kind": "input",
                          "text": "input() waits for the keyboard; the grader has none, so it fails there (EOFError)"})
        elif name in READERS and _path(node).strip():
            path = _path(node)
            writes = name in OPENERS and _writes(node)
            if _ABSOLUTE.match(path):
                found.append({"where": _line(where, node), "kind": "absolute_path",
                              "text": f"writes {path!r}, a path of your own machine: the grader cannot write there, "
                                      "so it fails" if writes else
                                      f"reads {path!r}, a path of your own machine: it is not there when grading"})
            elif "://" not in path and not writes and path not in written:
                found.append({"where": _line(where, node), "kind": "local_file",
                              "text": f"reads {path!r} beside the notebook: the grader runs your code in an empty "
                                      "folder, so it is not there (the course's data come from load_planar_dataset)"})
    return found


def defined_twice(chunks: list[tuple[str, str]], graded: set[str]) -> list[dict]:
    """Graded functions defined at the top level of more than one chunk: the last definition counts."""
    places: dict[str, list[str]] = {}
    for where, source in chunks:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in graded:
                places.setdefault(node.name, []).append(_line(where, node))
    return [{"where": spots[-1], "kind": "defined_twice",
             "text": f"{name} is defined {len(spots)} times ({', '.join(spots)}); the grader runs the cells in "
                     f"notebook order, so the last one ({spots[-1]}) counts, whatever you ran last in Jupyter"}
            for name, spots in places.items() if len(spots) > 1]


def locked_changed(changed: dict[str, list[str]]) -> list[dict]:
    """Given (locked) cells whose code the student changed, as grade id -> the functions the course's cell defines:
    the grader runs the course's code there instead."""
    found = []
    for grade_id, functions in changed.items():
        what = f"the given cell that defines {', '.join(functions)}" if functions else "a cell the course gave you"
        found.append({"where": f"cell {grade_id!r}", "kind": "locked_changed",
                      "text": f"you changed {what}; the grader runs the course's code there instead, so results "
                              "here may differ from your Jupyter: undo the change, and put code of your own in a "
                              "new cell"})
    return found


def output_size(cells: list[dict], limit: int = LARGE_OUTPUT_BYTES) -> list[dict]:
    """The notebook's saved outputs, when they take more than `limit` bytes."""
    size = 0
    for cell in cells:
        for output in cell.get("outputs", []) if isinstance(cell.get("outputs"), list) else []:
            size += len(repr(output))
    if size <= limit:
        return []
    return [{"where": "the notebook", "kind": "large_output",
             "text": f"its saved outputs take {size / 2**20:.0f} MB: clear them before you submit (JupyterLab: "
                     "Edit > Clear Outputs of All Cells; classic Notebook: Cell > All Output > Clear; VS Code: Clear "
                     "All Outputs); large outputs slow the upload and are cut off in your feedback"}]

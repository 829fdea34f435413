"""The students' repositories of a GitHub Classroom assignment, cloned for the course's own grading run.

GitHub Classroom names each student's repository ``<prefix><github-login>``. The course's
grading workflow (templates/github-classroom-grading.yml) lists them, and `collect` clones
each one, shallow, into ``OUT/<github-login>/``, which `autograder batch OUT` then grades. A
clone runs nothing of the repository (no hooks, no submodules, no workflow), and batch reads
only the notebook, ignoring symbolic links, so what a student put in their workflow or beside
their notebook changes nothing. ``OUT/commits.csv`` records which commit each grade is of.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from autograder.results.files import write_atomically
from autograder.sandbox import disk


COMMITS_FILE = "commits.csv"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass(frozen=True)
class Cloned:
    student: str
    repository: str
    commit: str = ""  # empty when the clone failed
    problem: str = ""


def student_of(repository: str, prefix: str) -> str:
    """'https://github.com/org/planar-classification-ada.git' with prefix 'planar-classification-' -> 'ada'."""
    name = repository.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    name = name[:-4] if name.endswith(".git") else name
    name = name[len(prefix):] if prefix and name.startswith(prefix) else name
    return _UNSAFE.sub("_", name).lstrip(".") or "unnamed"


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_LFS_SKIP_SMUDGE="1")
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def clone(repository: str, destination: Path) -> Cloned:
    """A fresh shallow clone of `repository` at `destination` (whatever was there is replaced)."""
    student = destination.name
    disk.remove_tree(destination)  # a clone from an earlier run, however deep its folders
    done = _git("clone", "--depth", "1", "--quiet", "--no-tags", "--", repository, str(destination))
    if done.returncode != 0:
        disk.remove_tree(destination)
        last = (done.stderr.strip().splitlines() or [f"git exited with status {done.returncode}"])[-1]
        return Cloned(student, repository, problem=f"could not clone {repository}: {last}")
    commit = _git("rev-parse", "HEAD", cwd=destination).stdout.strip()
    return Cloned(student, repository, commit)


def collect(repositories: list[str], out: Path, prefix: str = "") -> list[Cloned]:
    """Clone every repository into ``out/<student>`` and write ``out/commits.csv``; one entry per repository."""
    out.mkdir(parents=True, exist_ok=True)
    found = []
    for repository in repositories:
        student = student_of(repository, prefix)
        if any(c.student == student for c in found):
            found.append(Cloned(student, repository, problem=f"two repositories give the student name {student}"))
            continue
        found.append(clone(repository, out / student))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "repository", "commit", "problem"])
    writer.writerows([c.student, c.repository, c.commit, c.problem] for c in found)
    write_atomically(out / COMMITS_FILE, buffer.getvalue())
    return found


def read_list(path: Path) -> list[str]:
    """Repository URLs, one per line (as `gh repo list --json url --jq '.[].url'` prints them); blank and # lines
    skipped."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]

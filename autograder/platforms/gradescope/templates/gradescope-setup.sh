#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It installs the course (unpacked in /autograder/source/course) and its dependencies
# into /autograder/venv, then proves the install by grading the course's reference
# solution: the build fails here, with the Python and package versions it found,
# unless that solution earns full marks (not at the first student's submission), and
# unless the sandbox can confine submissions on this machine (Landlock and seccomp).
# AUTOGRADER_ROOT exists so the bundle can be tested outside Gradescope.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
if ! python3 -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    apt-get update -qq
    apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet -e "$ROOT/source/course"
cd "$(mktemp -d)"
"$ROOT/venv/bin/autograder" selftest@UNCONFINED@

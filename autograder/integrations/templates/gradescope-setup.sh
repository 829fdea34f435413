#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It installs the course (unpacked in /autograder/source/course) and its dependencies
# into /autograder/venv.
set -euo pipefail

if ! python3 -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    apt-get update -qq
    apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -e /autograder/source/course
# fail the build now, not at the first submission, if the install is incomplete
/autograder/venv/bin/autograder --help >/dev/null

# `make demo` and `make test` set everything up on a fresh machine (a .venv at the repo root).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test build check lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/autograder demo --out demo-output

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

build: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/autograder build

check: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/autograder build --check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo-output gradebook.db .pytest_cache

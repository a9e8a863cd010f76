# `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-dev lint bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

demo: install
	$(BIN)/accord forecast ukraine-2025 --draws 2000 --seed 1

lint: install-dev
	$(BIN)/ruff check src tests benchmarks

test: install-dev lint
	$(BIN)/python -m pytest

# thousands of generated scenario files (tests/fuzzing.py); figures in docs/fuzz.md
fuzz: install-dev
	$(BIN)/python tools/fuzz.py $(or $(CASES),3000)

bench: install-dev
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache

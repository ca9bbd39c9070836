# Renkei: `make run` starts the hub on the embedded default, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The suite runs on every core (at most 4: each worker holds its own PostgreSQL databases and servers).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(4, len(os.sched_getaffinity(0))))')

.PHONY: install run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/renkei serve

test: install
	sh scripts/ensure_chromium.sh
	$(BIN)/python scripts/test_services.py
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy --strict src/renkei/core

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/mail_ingest.py

clean:
	rm -rf $(VENV) .renkei .pytest_cache .mypy_cache .ruff_cache bench/results

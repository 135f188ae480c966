# Two commands: `make run` and `make test`. Both build .venv when it is missing or stale.
# `make bench` compares ours with a bare-SDK baseline (bench/README.md); sizes and options
# go in BENCH_ARGS, e.g. make bench BENCH_ARGS="--size 100000" or BENCH_ARGS="--smoke".
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

BENCH_ARGS ?=

.PHONY: run test lint bench clean-data

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python scripts/run_dev.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean-data:
	rm -rf data

# Two commands: `make run` and `make test`. Both build .venv when it is missing or stale.
# `make bench` compares ours with a bare-SDK baseline at 1,000 open cases (about 5 minutes);
# `make bench-scale` at 1,000 and 10,000 (about 15 minutes). Options go in BENCH_ARGS, e.g.
# make bench BENCH_ARGS="--size 100000" or BENCH_ARGS="--smoke" (docs/performance.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

BENCH_ARGS ?=

.PHONY: run test lint bench bench-scale clean-data vendor-govuk

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

bench-scale: $(STAMP)
	$(BIN)/python -m bench --size 1000,10000 $(BENCH_ARGS)

clean-data:
	rm -rf data

# Refresh the vendored GOV.UK Frontend (web/static/govuk) and axe-core (tests/browser/vendor)
# from the npm registry at the pinned versions (scripts/vendor_govuk.sh); commit the result.
vendor-govuk:
	scripts/vendor_govuk.sh

# Two commands: `make run` and `make test`. Both build .venv from requirements-dev.lock when it
# is missing or stale. `make lock` re-resolves the lock files after a dependency change.
# `make bench` compares ours with two bare-SDK baselines (plain; with ours' encrypting codec) at
# 1,000 open cases (about 8 minutes on a quiet machine); `make bench-scale` at 1,000 and 10,000
# (about 25 minutes). Options go in BENCH_ARGS, e.g. make bench BENCH_ARGS="--size 100000"
# (about 2.5 hours, ~8 GB of temp) or BENCH_ARGS="--smoke" (docs/performance.md).
# `make mutate`: mutation testing of the legal core against the unit tests, one module at a
# time on one process (docs/mutation-testing.md); MUTATE_MODULES=calendar for just one.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

BENCH_ARGS ?=
MUTATE_MODULES ?= timescales calendar case_state notices calculator uktime orders bounds \
	later_clocks challenges
MUTATE_JOBS ?= 1

.PHONY: run test lint lock bench bench-scale mutate clean-data vendor-govuk

# The venv holds exactly what requirements-dev.lock names, each file checked against its hash
# (`--require-hashes`); the project itself is installed without touching the index. pip only
# installs uv (its lines of the lock, hashes and all); uv installs the rest, in parallel and
# from its cache (~/.cache/uv) when an earlier build fetched the same files. Bytecode is
# compiled at install: with PYTHONDONTWRITEBYTECODE set, nothing would cache it later and
# every process (each CLI run in the tests) would compile its imports again.
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	awk '/^[^ #]/ { keep = /^uv==/ } keep' requirements-dev.lock > $(VENV)/uv-lock.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(VENV)/uv-lock.txt
	$(UV) --require-hashes --no-deps -r requirements-dev.lock
	$(UV) --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve both lock files from pyproject.toml (after adding or changing a dependency), with
# uv from the dev lock; `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed.
# Python 3.11 (the image's), every platform: the same lock serves make and the Dockerfile.
LOCK_ARGS ?=
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal \
	--python-version 3.11 --quiet $(LOCK_ARGS)

lock: $(STAMP)
	$(UV_COMPILE) --extra dev -o requirements-dev.lock
	$(UV_COMPILE) -c requirements-dev.lock -o requirements.lock

run: $(STAMP)
	$(BIN)/python scripts/run_dev.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# One run on every core, browser tests included. A file's tests stay on one worker, so each
# module-scoped server starts once; tests marked xdist_group share a worker (the API tests'
# one stack); the longest files start first (tests/scheduling.py). One worker more than the
# cores: many tests wait on real servers and real time (a dev server's start, a send's
# timeout, a reminder's second), and a third worker runs while they wait (2 cores: 3).
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
test: $(STAMP) lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-scale: $(STAMP)
	$(BIN)/python -m bench --size 1000,10000 $(BENCH_ARGS)

# A fresh mutants/ each time: mutmut keeps old verdicts for mutants it is not asked about.
mutate: $(STAMP)
	rm -rf mutants && mkdir mutants
	for m in $(MUTATE_MODULES); do \
		echo "mutating ehcp/$$m.py"; \
		$(BIN)/mutmut run --max-children $(MUTATE_JOBS) "ehcp.$$m.*" > mutants/run-$$m.log 2>&1 \
			|| { tail -n 30 mutants/run-$$m.log; exit 1; }; \
	done
	$(BIN)/python scripts/mutation_scores.py $(MUTATE_MODULES)

clean-data:
	rm -rf data

# Refresh the vendored GOV.UK Frontend (web/static/govuk) and axe-core (tests/browser/vendor)
# from the npm registry at the pinned versions (scripts/vendor_govuk.sh); commit the result.
vendor-govuk:
	scripts/vendor_govuk.sh

# Two entry points: `make demo` and `make test`. Everything installs itself on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# pyproject declares ranges; constraints.txt pins the newest releases tested (the dev env),
# constraints-min.txt the declared minimums (test-min, run by .ci/run).
MIN_VENV := .venv-min
MIN_STAMP := $(MIN_VENV)/.installed-$(shell cat pyproject.toml constraints-min.txt | cksum | cut -d' ' -f1)
# test-py: the suite on another Python minor version (PY=3.12, 3.13), in .venv-$(PY). The interpreter is pyenv's
# newest installed $(PY).x, else python$(PY) on PATH; PY_BIN=/path/to/python overrides both.
PY ?= 3.13
PY_BIN ?= $(shell p="$$(pyenv prefix $(PY) 2>/dev/null)" && echo "$$p/bin/python$(PY)" || command -v python$(PY))
PY_VENV := .venv-$(PY)
PY_STAMP := $(PY_VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: venv lint test test-fast test-min test-py test-acceptance test-acceptance-emulator demo demo-destroy \
	pulumi clean bench bench-peers dist test-alone test-variants explore explore-replay \
	explore-mutants

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

$(MIN_STAMP): pyproject.toml constraints-min.txt
	rm -rf $(MIN_VENV)
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet -c constraints-min.txt -e '.[test]'
	touch $@

$(PY_STAMP): pyproject.toml constraints.txt
	@test -x "$(PY_BIN)" || { echo "test-py: no Python $(PY) (try: pyenv install $(PY)), or give PY_BIN=" >&2; exit 2; }
	rm -rf $(PY_VENV)
	$(PY_BIN) -m venv $(PY_VENV)
	$(PY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PY_VENV)/bin/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

pulumi:
	@scripts/ensure-pulumi

lint: venv
	$(BIN)/ruff check provider tests stacks bench policy examples plugin harness explorer scripts scripts/test-alone scripts/test-variants
	$(BIN)/mypy

# The whole suite, end-to-end tests under the real Pulumi CLI included.
test: venv lint
	codegen="$$(scripts/ensure-codegen)" && PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" \
		ZT_RISK_CODEGEN_DIR="$$codegen" $(BIN)/pytest

# A shorter pass on the declared minimum versions (constraints-min.txt): unit, provider, stack,
# emulator and CLI tests, and the lifecycle module under the real Pulumi CLI.
test-min: $(MIN_STAMP)
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" $(MIN_VENV)/bin/pytest tests/unit tests/provider tests/stacks \
		tests/emulator tests/cli tests/e2e/test_lifecycle.py

# The suite without the real-CLI tests, then the lifecycle module under the real CLI, on Python $(PY)
# (the newest pinned dependencies, constraints.txt): `make test-py PY=3.12`.
test-py: $(PY_STAMP)
	$(PY_VENV)/bin/pytest -m 'not e2e'
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" $(PY_VENV)/bin/pytest tests/e2e/test_lifecycle.py

# Everything but the real-CLI tests.
test-fast: venv lint
	$(BIN)/pytest -m 'not e2e'

# Each test in a pytest process of its own, two at a time: a test that leans on another fails here (not part of
# `make test`: about an hour for the whole suite on 2 cores). ALONE_ARGS selects, e.g. ALONE_ARGS="-m 'not e2e'".
test-alone: venv
	codegen="$$(scripts/ensure-codegen)" && PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" \
		ZT_RISK_CODEGEN_DIR="$$codegen" $(BIN)/python scripts/test-alone $(ALONE_ARGS)

# The provider, CLI and emulator tests and the engine modules that write, once per answer the emulator can give
# where the API is open (docs/emulator.md); VARIANTS_ARGS=--quick (CI) keeps lifecycle and import in the runs of
# one answer, and every engine module in the run with every switch changed.
test-variants: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" $(BIN)/python scripts/test-variants $(VARIANTS_ARGS)

# Random histories under the real CLI, invariants after every step (docs/explorer.md): EXPLORE_SECONDS (300),
# EXPLORE_SEED (printed at start; one history), EXPLORE_ARGS (e.g. --max-steps 80 --seed 11 --seed 12, as CI).
EXPLORE_SECONDS ?= 300
explore: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" $(BIN)/python -m explorer --seconds $(EXPLORE_SECONDS) \
		$(if $(EXPLORE_SEED),--seed $(EXPLORE_SEED)) $(EXPLORE_ARGS)

# Replay a history a broken run wrote: make explore-replay FILE=explore-failures/seed-N.json
explore-replay: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" $(BIN)/python -m explorer --replay $(FILE)

# The explorer on copies of the provider with one defect planted each: each must be caught (MUTANTS_ARGS).
explore-mutants: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" $(BIN)/python -m explorer.mutants $(MUTANTS_ARGS)

# The lifecycle against the account your environment names (opt-in: ZT_RISK_ACCEPTANCE=1, see README);
# ACCEPTANCE_ARGS passes pytest options, e.g. ACCEPTANCE_ARGS='--record transcript'.
test-acceptance: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" $(BIN)/pytest tests/acceptance $(ACCEPTANCE_ARGS)

# The same suite against the emulator run as a separate process and used as a black box (CI).
test-acceptance-emulator: venv
	$(BIN)/python -m tests.acceptance.against_emulator

demo: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" scripts/demo up

demo-destroy: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" scripts/demo destroy

# The sdist and the wheel users install, checked as PyPI would render and accept them.
dist: venv
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) $(MIN_VENV) .venv-3.* build dist .demo .pytest_cache .mypy_cache .ruff_cache

# Benchmark (not part of `make test`): BENCH_N=1,10 for a quick run.
bench: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" $(BIN)/python -m bench.run

# The same workload in OpenTofu + the cloudflare provider v5, and behaviour checks of both (opt-in: the
# first run builds tofu and the provider from Go modules: 54 minutes on 2 cores, 3 with warm Go caches).
bench-peers: venv
	PULUMI_DIR="$$(scripts/ensure-pulumi | tail -n 1)" PEERS_DIR="$$(scripts/ensure-peers | tail -n 1)" \
		$(BIN)/python -m bench.peers

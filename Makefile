# painloop: two commands on a fresh machine.
#   make run   - set up .venv (pinned dependencies), run the default scenario, write out/default/
#   make test  - set up .venv if needed, run the test suite (the checks marked slow are left to make test-slow)
#   make test-slow - the slow checks alone (minutes each: calibrated trials, 10 000 parameter draws, ...); CI runs both
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow bench clean docs docs-site browser

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/painloop run --csv

# Debian's chromium for the tests that open reports and the app in a real browser (skipped if unavailable).
browser:
	@command -v chromium >/dev/null 2>&1 || ( command -v apt-get >/dev/null 2>&1 && \
	  ( apt-get install -y -q chromium >/dev/null 2>&1 || \
	    ( apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1 ) ) ) || \
	  echo "chromium could not be installed: browser tests will be skipped"

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow"; rc=$$?; test $$rc -eq 0 -o $$rc -eq 5

test-slow: $(STAMP) browser
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m slow; rc=$$?; test $$rc -eq 0 -o $$rc -eq 5

bench: $(STAMP)
	$(BIN)/python benchmarks/simulate.py

docs: $(STAMP)
	$(BIN)/painloop params --format markdown > docs/parameters.md
	$(BIN)/painloop states --format markdown > docs/states.md

# The documentation site (user guide, API reference from the docstrings, notebooks): site/index.html
docs-site: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

clean:
	rm -rf $(VENV) out site

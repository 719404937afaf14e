# Two commands for a fresh machine (see README.md):
#   make run   -> venv, install, build the place index if missing/stale, load seeds/ into an empty store, serve
#   make test  -> venv, install test extras and system packages (chromium, postgresql), run the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test install install-test index seed lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,postgres,bulk]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

index: install
	$(PY) -m dashboard build-index --if-stale

seed: index
	$(PY) -m dashboard ingest seeds/ --if-empty

run: seed
	$(PY) -m dashboard serve --port $(PORT)

test: install-test
	bash scripts/system-deps.sh
	$(PY) -m ruff check dashboard tests benchmarks
	$(PY) -m mypy dashboard
	$(PY) -m dashboard build-index --if-stale
	$(PY) -m pytest -q -ra

lint: install-test
	$(PY) -m ruff check dashboard tests benchmarks
	$(PY) -m mypy dashboard

clean:
	rm -rf $(VENV) data/index data/*.sqlite*

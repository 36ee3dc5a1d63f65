# Parcours: the two set-up commands of the README, and the checks CI runs.
#   make demo   install, seed a demo association and serve it on http://127.0.0.1:8000
#   make test   install (with the test tools and a browser) and run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?= -n 2 -q

.PHONY: demo install install-test test lint check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	scripts/ensure-system-packages

demo: install
	$(BIN)/parcours demo

test: install-test
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy --strict src/parcours/engine
	$(BIN)/python scripts/vendor_assets.py --check

check: install-test
	PARCOURS_ENV=development PARCOURS_DATA_DIR="$$(mktemp -d)" $(BIN)/parcours manage makemigrations --check --dry-run
	PARCOURS_ENV=production PARCOURS_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/parcours manage check --deploy --fail-level WARNING

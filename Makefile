# The two commands: `make run` and `make test`. Python 3.11 or newer.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The port `make run` serves on; emailed links follow it (SITE_URL defaults to http://127.0.0.1:$(WEB_PORT)).
WEB_PORT ?= 8000
export WEB_PORT

.PHONY: run test lint bench clean install install-dev screenshots

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements.txt
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core for the browser tests' accessibility scan (pinned in package.json / package-lock.json).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@echo "Serving http://127.0.0.1:$(WEB_PORT)/ with a Celery worker and beat (Ctrl-C stops all three)."
	WEB_PORT=$(WEB_PORT) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start

test: install-dev
	$(BIN)/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# PNGs for the README (docs/screenshots/), taken by the e2e browser setup from the demo data.
screenshots: install-dev
	SCREENSHOTS=1 $(PY) -m pytest tests/e2e/screenshots.py -q -p no:randomly

clean:
	rm -rf $(VENV) var staticfiles

# The two commands: `make run` and `make test`. Python 3.11 or newer.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The port `make run` serves on; emailed links follow it (SITE_URL defaults to http://127.0.0.1:$(WEB_PORT)).
WEB_PORT ?= 8000
export WEB_PORT

.PHONY: run test lint bench mutate clean install install-dev screenshots

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
	@for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# Mutation testing of the launch-chain guards (pyproject.toml [tool.mutmut]); not part of CI. SQLite, at low
# priority on two workers: `make mutate MUTATE_CHILDREN=4` for more. `mutmut results` / `mutmut show NAME` after;
# docs/mutation.md has the last run's scores and why each survivor is harmless.
# The guard functions (fnmatch patterns of mutant names): poll complete and all GO, inside a window, outside
# closures, closures current, catalog fresh, vehicle certified and not grounded, the certification rules over the
# records (verification.selectors: signatures that stand, objectives, anomalies, mishaps), manifest gates, sign-off guards.
# `make mutate MUTANTS='*'` for every function of the guard modules.
MUTATE_CHILDREN ?= 2
MUTANTS ?= 'flights.poll.x_poll_declare_launch*' 'flights.poll.x_poll_board*' 'flights.poll.x_require_go_poll*' \
	'flights.poll.x_require_clear_window*' 'flights.poll.x_liftoff_problems*' 'flights.poll.x__is_director*' \
	'flights.services.x_flight_launch*' 'flights.services.x__vehicle_may_fly*' 'flights.services.x__check_schedulable*' \
	'flights.launch_windows.x_flight_window_status*' 'flights.launch_windows.x_closures_stale_reasons*' \
	'flights.launch_windows.x__refuse_unusable_catalog*' 'flights.catalog.x_catalog_problem*' \
	'flights.readiness.checks.x_vehicle_status*' 'flights.readiness.checks.x_windows_and_closures*' \
	'flights.readiness.checks.x__catalog_findings*' 'flights.readiness.framework.x_apply_waivers*' 'tourism.gates.*' \
	'verification.guards.x_schedule_needs_certification*' 'verification.guards.x_booking_needs_certification*' \
	'verification.guards.x_return_to_service_needs_return_to_flight*' 'verification.guards.x_return_to_flight_permit*' \
	'verification.guards.x__certification_words*' 'verification.readiness.x_vehicle_certification*' \
	'verification.selectors.x_required_signatures*' 'verification.selectors.x__previous_hashes*' \
	'verification.selectors.x_record_reviews*' 'verification.selectors.x__evidence_problems*' \
	'verification.selectors.x__mishap_states*' 'verification.selectors.x__flown_order*' \
	'verification.selectors.x_certification_from*' 'verification.selectors.x_vehicle_certifications*' \
	'verification.services.signoffs.x_verification_sign_off*' 'verification.services.signoffs.x__refuse_*' \
	'verification.services.signoffs.x_signing_refusal*' 'verification.services.signoffs.x_content_authors*' \
	'verification.services.signoffs.x__lock_chain_head*'
mutate: install-dev
	rm -rf mutants
	env -u DATABASE_URL -u REDIS_URL -u DJANGO_VAR_DIR nice -n 19 $(BIN)/mutmut run --max-children $(MUTATE_CHILDREN) $(MUTANTS)
	$(BIN)/mutmut results

# PNGs for the README (docs/screenshots/), taken by the e2e browser setup from the demo data.
screenshots: install-dev
	SCREENSHOTS=1 $(PY) -m pytest tests/e2e/screenshots.py -q -p no:randomly

clean:
	rm -rf $(VENV) var staticfiles mutants

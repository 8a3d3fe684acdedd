# Two commands for a new user:  `make run`  and  `make test`.
# Needs only Python 3.11+ on the PATH; everything else goes into ./.venv.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install lint format bench clean messages compilemessages screenshots

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt ".[dev]"
	@touch $@

install: $(VENV)/.installed compilemessages

## The compiled catalogues (locale/*/LC_MESSAGES/*.mo) are committed; with GNU gettext on the
## machine they are rebuilt from the .po files, without it the committed ones serve.
compilemessages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv >/dev/null; \
	else echo "msgfmt not found (apt-get install gettext): using the committed .mo files"; fi

## After changing interface strings: extract them, fill in locale/zh_hant_text.py's text,
## derive 简体中文 and compile (docs/web-ui.md, "Languages"). Needs GNU gettext.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --no-location --no-obsolete -l zh_Hant -l zh_Hans \
		--ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=docs --ignore=media
	$(PY) manage.py makemessages -d djangojs --no-location --no-obsolete -l zh_Hant -l zh_Hans \
		--ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=docs --ignore=media
	$(PY) locale/build.py

## Set up, migrate the embedded SQLite database, import the seeds, load the demo, serve
## (with the background worker beside the web server).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_documents
	$(PY) manage.py demo
	@# The background worker (outbox relay, webhooks, notification jobs) runs beside the server
	@# and stops with it.
	$(PY) manage.py run_worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole test suite (PostgreSQL when DATABASE_URL is set, SQLite otherwise).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## The README's screenshots (docs/screenshots/), taken by the browser tests that show each page.
screenshots: install
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q -p no:cacheprovider \
		tests/browser/test_reviewer_flow.py tests/browser/test_reviewer_ui.py \
		tests/browser/test_languages.py tests/browser/test_annotation_index.py \
		tests/browser/test_accessibility.py::test_moderator_pages

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache .hypothesis

# Incident Desk. Quick start: `make run` (serve the demo) and `make test` (everything CI runs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Test processes (pytest-xdist): one a core on the 2-core machines CI runs on.
TEST_WORKERS ?= 2
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck pytest install install-dev lock chromium fonts clamav dovecot clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Incident Desk needs Python 3.12 or newer (found " + sys.version.split()[0] + ").")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install -q --require-hashes -r requirements.txt -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Serve on http://127.0.0.1:$(PORT) with the background worker and the scheduler beside it
# (the scheduler queues the deadline scan and outbox retries), and ClamAV's daemon when it
# is installed (uploads are then scanned: scripts/clamd, socket var/clamd/clamd.sock);
# Ctrl-C stops them all. DEBUG is off (the friendly 404 and 500 pages; a 500's traceback
# goes to this console): `make run DEBUG=1` for Django's debug pages. Emails print here,
# readable. Links in emails point at this port unless SITE_URL is set.
# `make run SSO=1` also starts a local OpenID Connect provider on port $(SSO_PORT) (oidc-provider-mock,
# a test dependency) and lets the demo's Brookside Primary School "Sign in with Microsoft" through
# it (docs/sign-in.md); plain `make run` is unchanged.
SSO_PORT ?= 9400
run: install
	@scripts/ensure-fonts --try
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py load_demo --if-empty
	@if [ "$(SSO)" = "1" ]; then $(MAKE) -s install-dev && $(BIN)/python manage.py demo_sso --server-url http://127.0.0.1:$(SSO_PORT); fi
	@echo
	@echo "Incident Desk: http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	@DEBUG=$${DEBUG:-0} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} bash -c 'trap "kill 0" EXIT; \
		if command -v clamd >/dev/null || [ -x /usr/sbin/clamd ]; then \
			scripts/clamd var/clamd >/dev/null 2>&1 & export CLAMAV_SOCKET=$${CLAMAV_SOCKET:-$$PWD/var/clamd/clamd.sock}; \
		else echo "ClamAV is not installed: uploads are not scanned (make clamav installs it)."; fi; \
		if [ "$(SSO)" = "1" ]; then $(BIN)/python -m oidc_provider_mock --port $(SSO_PORT) \
			--user-claims-file demo/sso-people.json >/dev/null 2>&1 & fi; \
		$(BIN)/python manage.py db_worker --no-reload & \
		$(BIN)/python manage.py crontask --no-heartbeat & \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload'

chromium:
	@scripts/ensure-chromium

# Noto's fonts, so the PDFs draw every script and emoji (lib/pdf.py).
fonts:
	@scripts/ensure-fonts

# ClamAV's daemon: every upload is scanned, and the upload tests need a real clamd.
clamav:
	@scripts/ensure-clamav

# Dovecot's IMAP server: reports by email are fetched over IMAP, and the tests poll a real one
# (tests/dovecot.py starts a private Dovecot on 127.0.0.1; the system service is not used).
dovecot:
	@scripts/ensure-dovecot

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev chromium fonts clamav dovecot
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=25

test: lint typecheck pytest

# Recompile the hash-pinned lock files after editing requirements*.in (needs uv: pip install uv).
lock:
	uv pip compile requirements.in --generate-hashes --python-version 3.12 -o requirements.txt -q
	uv pip compile requirements-dev.in --generate-hashes --python-version 3.12 -o requirements-dev.txt -q

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache

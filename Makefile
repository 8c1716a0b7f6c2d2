# make run   — install into .venv, create the SQLite database with the demo data, start the server
# make test  — install into .venv if needed, run the whole suite
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test lint format bench lock clean browser-deps

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt -c requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	@APP_ENV=development $(FLASK) load-demo
	@echo ""
	@echo "The bot is starting at http://$(HOST):$(PORT)/"
	@echo "  Backend (inbox, cases, ITA data, statistics, reports): http://$(HOST):$(PORT)/admin/"
	@echo "  Web chat (try the bot without LINE): http://$(HOST):$(PORT)/admin/chat"
	@echo "  LINE webhook URL to register:        http://$(HOST):$(PORT)/callback  (HTTPS in production)"
	@echo "Log in with:"
	@APP_ENV=development $(FLASK) dev-admin
	@echo ""
	APP_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(VENV)/bin/pytest -q

browser-deps:  # Debian's Chromium and Thai fonts for the browser tests (skipped, saying so, without them)
	apt-get install -y -q chromium fonts-thai-tlwg

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) -m bench.run

lock:  # after changing requirements*.txt: re-resolve every transitive pin in a fresh venv (nothing stale kept)
	rm -rf .lock-venv && python3 -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements-dev.txt
	.lock-venv/bin/pip freeze --exclude-editable > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache bench-results test-artifacts

# A newcomer's two commands: `make run` and `make test`. `make check` runs what CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint format bench install install-dev migrations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Install, migrate the embedded SQLite database, load the demo townships once, serve.
run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input -v 0
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py collectstatic --no-input -v 0
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py demo_logins
	@echo "Serving on http://$(HOST):$(PORT)/"
	DEBUG=$${DEBUG:-1} $(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 \
		--access-logfile - --log-level warning

# The whole suite (on PostgreSQL when DATABASE_URL points there), after lint and
# the migrations check. pytest's "no tests ran" (exit 5) fails like any other error.
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run -v 0
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

check: test

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev
	$(BIN)/python -m pytest -q -m bench bench

messages: install-dev
	cd $(CURDIR) && DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv \
		--ignore=staticfiles --ignore=bench && DEBUG=1 $(BIN)/python manage.py compilemessages \
		--ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

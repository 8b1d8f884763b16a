# Mellanrum: `make run` installs everything and starts the demo; `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run install test test-postgres lint format browser-deps bench messages docs clean

run: install
	$(VENV)/bin/mellanrum demo --serve

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@python3 -m venv --help >/dev/null 2>&1 || ($(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# Browser tests drive Debian's Chromium (never a browser downloaded by Playwright). apt-get
# waits up to 5 minutes for apt's locks when another apt-get holds them.
APT_GET := $(SUDO) apt-get -o DPkg::Lock::Timeout=300
browser-deps:
	@command -v chromium >/dev/null 2>&1 || ($(APT_GET) update && $(APT_GET) install -y chromium)

lint: install
	$(VENV)/bin/ruff check mellanrum tests bench
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

test: install browser-deps lint
	$(PY) -m pytest

# The same suite on a throw-away PostgreSQL server (installed from Debian if missing).
PG_DIR ?= /tmp/mellanrum-test-pg
PG_PORT ?= 55432
test-postgres: install browser-deps
	@.ci/postgres.sh stop $(PG_DIR) 2>/dev/null || true
	eval "$$(.ci/postgres.sh start $(PG_DIR) $(PG_PORT))" && $(PY) -m pytest -p no:cacheprovider; \
	  status=$$?; .ci/postgres.sh stop $(PG_DIR); exit $$status

format: install
	$(VENV)/bin/ruff check --fix mellanrum tests bench
	$(VENV)/bin/ruff format mellanrum tests bench

messages: install
	cd mellanrum && ../$(PY) ../manage.py makemessages -l sv --no-location --no-obsolete
	cd mellanrum && ../$(PY) ../manage.py compilemessages -l sv

docs: install
	$(PY) -m mellanrum.lib.clidocs

bench: install
	$(PY) bench/import_activities.py
	$(PY) bench/fairshare.py
	$(PY) bench/commonality.py
	$(PY) bench/commonality_eval.py
	$(PY) bench/finder.py
	$(PY) bench/finder_eval.py

clean:
	rm -rf $(VENV) mellanrum.sqlite3* static

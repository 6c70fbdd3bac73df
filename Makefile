# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: setup run test lint bench chromium

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

run: setup
	@$(MAKE) --no-print-directory chromium || echo "Without Chromium the dashboard runs, but chart images and panel reports cannot be made."
	$(VENV)/bin/streamlit run app.py

# Chart images, panel reports and the browser tests use Debian's Chromium; reports use the
# Liberation fonts (Arial's metrics, as the charts). Installed when missing (needs root).
FONT := /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf
chromium:
	@(command -v chromium >/dev/null && test -f $(FONT)) || \
		(apt-get update && apt-get install -y chromium fonts-liberation)

# The browser tests' npm packages, pinned by package-lock.json: axe-core, loaded into pages by
# the accessibility check, and oidc-provider, the OpenID provider the sign-in tests start.
# The stamp lives in node_modules/, so a deleted or older node_modules is installed anew.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: setup chromium $(NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 --dist loadfile

lint: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	$(PY) -m bench.benchmark

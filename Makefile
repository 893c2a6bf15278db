# Two commands: `make run` sets up and starts the app, `make test` sets up and runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: run test bench load capacity chromium postgres lint screenshots

run: $(RUNTIME)
	$(PY) -m streamlit run streamlit_app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--browser.gatherUsageStats false

test: $(DEV) chromium postgres lint
	$(PY) -m pytest

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(RUNTIME)
	$(PY) -m bench

# The capacity curve: self-study and a live class at 10-200 protocol-level students (about 20 min);
# writes bench/results/capacity.json and docs/capacity.svg.
capacity: $(RUNTIME)
	$(PY) -m bench.capacity $(ARGS)

# A classroom: 10 headless-Chromium students against a real server for 60 s (bench/load.py);
# needs Playwright and Chromium, so it sets up like `make test` does. ARGS=... passes options;
# ARGS="--driver protocol --scenario lecture-start --students 150": students on Streamlit's
# websocket protocol instead of browsers (bench/protocol.py); ARGS="--class --students 30": a
# live class (one host, three questions) on that protocol.
load: $(DEV) chromium
	$(PY) -m bench.load $(ARGS)

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null || \
		{ echo "Python 3.11 or newer is needed: run 'make PYTHON=python3.11 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(DEV): requirements-dev.txt $(RUNTIME)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

chromium:
	@bash scripts/ensure-chromium

postgres:
	@bash scripts/ensure-postgres

screenshots: $(DEV) chromium
	SCREENSHOT_DIR=docs $(PY) -m pytest tests/e2e/test_pages_browser.py -q
	SCREENSHOT_DIR=docs $(PY) -m pytest tests/e2e/test_live_class_browser.py -q -k room

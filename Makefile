# `make demo` and `make test` work on a fresh clone: they create .venv when it is missing and install the
# package with every extra into it (re-installing only when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BROWSER_STAMP := $(VENV)/.browser-stamp
OUT ?= demo-output

.PHONY: demo test test-long lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev,docs]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pairing1d flow --params examples/fig3_red_dot.toml --plot $(OUT)/flow_fig3_red_dot.png
	$(BIN)/pairing1d figures --out $(OUT)/figures --resolution 96
	$(BIN)/pairing1d figures --out $(OUT)/figures-paper --flow paper --scheme printed --resolution 96
	$(BIN)/pairing1d device --preset paper-idealized --sensitivity 32 --plot $(OUT)/device_gate_map.png \
		--netcdf $(OUT)/device_gate_map.nc

# the browser tests drive Debian's chromium through Playwright (never a browser download of its own); the script
# waits (at most 10 minutes, saying so) when another apt holds the package manager's lock
$(BROWSER_STAMP): $(BIN)/python tools/install_chromium.sh
	tools/install_chromium.sh
	touch $(BROWSER_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks

# the 15 slowest tests are listed at the end: the suite's budget is 10 minutes on an idle machine
test: $(STAMP) $(BROWSER_STAMP) lint
	$(BIN)/python -m pytest -q --durations=15

# rare, slow checks (marked `long`); exit code 5 means none are collected yet
test-long: $(STAMP)
	$(BIN)/python -m pytest -q -m long || [ $$? -eq 5 ]

# the documentation site (Sphinx, Furo, MyST): docs/_build/html/index.html; warnings are errors
docs: $(STAMP)
	rm -rf docs/_build docs/_autosummary
	$(BIN)/python -m sphinx -b html -W --keep-going -q docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/sweep_speed.py
	$(BIN)/python benchmarks/explorer_redraw.py
	$(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(OUT) .pytest_cache build src/*.egg-info docs/_build docs/_autosummary

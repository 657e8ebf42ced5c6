# Two commands for a fresh machine:
#   make run   set up, load the Xinqiao scenario if the store is empty, serve on :8000
#   make test  set up and run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/govgraph load scenario xinqiao --if-empty
	@echo "An admin token for this machine (log in to the workbench, http://127.0.0.1:8000/workbench, or the explorer, /explorer, with it):"
	@$(BIN)/govgraph token create --role admin --label "local (make run)" --replace | tail -1
	$(BIN)/govgraph serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/ruff check graph loaders api queries tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 3 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check graph loaders api queries tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/load_embedded.py --residents 500000
	$(BIN)/python bench/queries_embedded.py --residents 500000

clean:
	rm -rf $(VENV) data

# The two commands of the README: `make run` (install + local chat) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench eval

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: install
	$(BIN)/innobroker chat

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy bot

eval: install
	$(BIN)/innobroker eval

bench: install
	$(BIN)/python bench/bench_knowledge.py
	$(BIN)/python bench/bench_matching.py
	$(BIN)/python bench/bench_slack.py

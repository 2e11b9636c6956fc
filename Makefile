# The two commands of the README: `make run` (install + local chat) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench eval load

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

# Load run (docs/load.md): real `innobroker serve` on loopback, fake Slack Web API and Bot Connector.
# LOAD_RATE mentions/s for LOAD_SECONDS s plus LOAD_TEAMS_RATE Teams messages/s; LOAD_REPLICAS=2 shares
# PostgreSQL (127.0.0.1:5432, database test) and one Chroma server between two replicas.
LOAD_RATE ?= 50
LOAD_SECONDS ?= 60
LOAD_TEAMS_RATE ?= 5
LOAD_REPLICAS ?= 1
load: install
	$(BIN)/python -m bench.load.run --rate $(LOAD_RATE) --seconds $(LOAD_SECONDS) --teams-rate $(LOAD_TEAMS_RATE) \
		--replicas $(LOAD_REPLICAS) --drain 900

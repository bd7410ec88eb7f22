# One virtualenv, made from pyproject.toml on first use. Everything else runs from it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run token invoke openapi lint typecheck test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The endpoint on http://127.0.0.1:$(PORT) with an embedded DynamoDB (README, "Run it").
PORT ?= 3000
run: $(STAMP)
	PORT=$(PORT) $(BIN)/python -m automations_local.server

# A dev token on the last line; SCOPES="..." and WORKSPACE=... choose its contents.
token: $(STAMP)
	@$(BIN)/python -m automations_local.tokens

# Replay one event file through the handler: the Docker-free `sam local invoke -e`.
EVENT ?= events/create-minimal.json
invoke: $(STAMP)
	$(BIN)/python -m automations_local.invoke $(EVENT)

# Rewrite the committed OpenAPI document from the code.
openapi: $(STAMP)
	$(BIN)/python -m automations_local.openapi

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/cfn-lint template.yaml

typecheck: $(STAMP)
	$(BIN)/mypy

# dynalite, a DynamoDB-compatible server the integration suite also runs against.
node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

test: lint typecheck node_modules/.installed
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis .aws-sam

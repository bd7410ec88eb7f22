# One virtualenv, made from pyproject.toml on first use. Everything else runs from it.
# run, token and invoke install the package with its `local` extra only (what the local
# server needs); install, and every target that tests or checks, the `dev` extra.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCAL_STAMP := $(VENV)/.installed-local

.PHONY: install run token invoke openapi template build bench lint typecheck test e2e clean

# The virtualenv is made without pip and filled by this Python's own pip (--python):
# ensurepip alone takes longer than make run's whole install. The dev install puts pip
# in it too, for the build (src/Makefile) and the rules below that call it.
PIP := $(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check

$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

$(LOCAL_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) --no-compile -e '.[local]'
	touch $(LOCAL_STAMP)

# dev holds local: once it is installed, so is local.
$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) --upgrade pip -e '.[dev]'
	touch $(STAMP) $(LOCAL_STAMP)

install: $(STAMP)

# The endpoint on http://127.0.0.1:$(PORT) with an embedded DynamoDB (README, "Quick start").
PORT ?= 3000
run: $(LOCAL_STAMP)
	PORT=$(PORT) $(BIN)/python -m automations_local.server

# A dev token, alone on stdout (what it holds goes to stderr). Each option unset takes
# its default; set but empty, it leaves its claim out:
#   SCOPES="read:automations"  the scope claim (default "read:automations write:automations");
#                              SCOPES="" mints a token without scopes (403 at every route)
#   WORKSPACE=ws_42            the workspace_id claim (default ws_local); WORKSPACE=""
#                              mints one without it (the function answers 403)
#   TTL=600                    seconds until it expires (default 3600)
#   DEV_JWT_KEY_FILE=path      the signing key (default .local/dev-jwt-key.pem), as make run's
token: $(LOCAL_STAMP)
	@$(BIN)/python -m automations_local.tokens

# Replay one event file through the handler of its route: the Docker-free `sam local
# invoke -e`. The response alone on stdout (make invoke | jq), the logs on stderr.
EVENT ?= events/create-minimal.json
invoke: $(LOCAL_STAMP)
	@$(BIN)/python -m automations_local.invoke $(EVENT)

# The deployable artifact (.aws-sam/build) for python3.13 on arm64, with SAM CLI in a
# virtualenv of its own; src/Makefile resolves the wheels for the function's platform.
# It needs Python 3.13 (the runtime) to precompile; PY313 names one if it is not found.
SAM_VENV ?= .venv-sam
PY313 ?= $(firstword $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null) $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13))

$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet 'aws-sam-cli>=1.120'
	touch $@

build: $(STAMP) $(SAM_VENV)/.installed
	@test -n "$(PY313)" || { echo "make build needs Python 3.13, the function's runtime: put python3.13 on the PATH or set PY313=/path/to/python3.13"; exit 1; }
	PATH="$(abspath $(BIN)):$$PATH" LAMBDA_PYTHON_BIN="$(PY313)" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build

# Each function against a bare hand-written handler, side by side, in Lambda's
# environment as deployed (docs/performance.md). It runs on the functions' runtime,
# Python 3.13, in a virtualenv of its own under build/: import times and the garbage
# collector's pauses differ from one Python to the next.
BENCH_VENV ?= build/venv-bench
$(BENCH_VENV)/.installed: pyproject.toml
	@test -n "$(PY313)" || { echo "make bench needs Python 3.13, the functions' runtime: put python3.13 on the PATH or set PY313=/path/to/python3.13"; exit 1; }
	$(PY313) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e . pyyaml
	touch $@

# The SDK the python3.13 runtime gives the functions (/var/runtime), as the bench puts it
# on their path: the newest botocore the tests run under, with its boto3, precompiled.
BENCH_RUNTIME := build/bench/runtime
RUNTIME_BOTOCORE = $(lastword $(BOTOCORE_VERSIONS))
$(BENCH_RUNTIME)/.installed: tests/botocore-versions.txt | $(BENCH_VENV)/.installed
	rm -rf $(BENCH_RUNTIME)
	$(BENCH_VENV)/bin/python -m pip install --quiet --target $(BENCH_RUNTIME) boto3==$(RUNTIME_BOTOCORE) botocore==$(RUNTIME_BOTOCORE)
	$(BENCH_VENV)/bin/python -m compileall -q --invalidation-mode unchecked-hash $(BENCH_RUNTIME)
	touch $@

# Each function from its own .aws-sam/build folder (src/automations_local/bench/deployed.py);
# the figures go to docs/performance-results.json and .md.
bench: build $(BENCH_VENV)/.installed $(BENCH_RUNTIME)/.installed
	$(BENCH_VENV)/bin/python -m automations_local.bench.run

# Rewrite the committed OpenAPI document from the code.
openapi: $(STAMP)
	$(BIN)/python -m automations_local.openapi

# Rewrite template.yaml's per-route resources from the route declarations.
template: $(STAMP)
	$(BIN)/python -m automations_local.stack

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

# The end-to-end suite over HTTP (docs/operations.md, "End to end"): against API_URL, or the ApiUrl
# output of STACK_NAME, with TOKEN and READ_TOKEN (and optionally OTHER_TOKEN,
# UNSCOPED_TOKEN, DELETE_TOKEN: tests/e2e/api.py); else against the local API it starts.
E2E_VARIABLES := API_URL STACK_NAME TOKEN READ_TOKEN OTHER_TOKEN UNSCOPED_TOKEN DELETE_TOKEN
e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

# Every suite, tests/e2e included, always against the local API: a deployed stage named
# in the shell is make e2e's to test, never make test's.
test: lint typecheck node_modules/.installed
	env $(addprefix -u ,$(E2E_VARIABLES)) $(BIN)/pytest --numprocesses=auto --maxprocesses=4 --dist worksteal

# SAM's own transform, offline, for the tests of what CloudFormation will deploy
# (src/automations_local/template.py). A virtualenv of its own: aws-sam-translator
# pins pydantic, and the project's must stay the version the functions ship with.
TRANSFORM_VENV := .venv-transform
$(TRANSFORM_VENV)/.installed:
	$(PYTHON) -m venv $(TRANSFORM_VENV)
	$(TRANSFORM_VENV)/bin/python -m pip install --quiet 'aws-sam-translator>=1.90'
	touch $@

test: $(TRANSFORM_VENV)/.installed

# The botocore versions the Lambda runtime may give the functions, each in a folder of
# its own for the tests that run the store's client under it (the file says which and why).
BOTOCORE_VERSIONS := $(shell sed 's/\#.*//' tests/botocore-versions.txt)
build/botocore-%/.installed: | $(STAMP)
	rm -rf build/botocore-$*
	$(BIN)/python -m pip install --quiet --no-warn-conflicts --target build/botocore-$* botocore==$*
	touch $@

test: $(foreach version,$(BOTOCORE_VERSIONS),build/botocore-$(version)/.installed)

clean:
	rm -rf $(VENV) $(SAM_VENV) $(TRANSFORM_VENV) node_modules build .pytest_cache .mypy_cache .ruff_cache .hypothesis .aws-sam

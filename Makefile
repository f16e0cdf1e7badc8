# observatoire: every target a person needs, in the project's own environment.
# `make run` and `make test` work on a fresh Debian machine with Python 3.11.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   := data/entrepot
PARAMS ?= params/defaut.yaml
# the pip configuration of some machines lists local mirrors that do not exist
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.DEFAULT_GOAL := help
.PHONY: help env data run test test-fast lab lint format bench browser audit clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c "import observatoire" && touch $(STAMP)

env: $(STAMP) ## create or update the virtual environment (.venv)

$(DATA)/metadonnees.json: | $(STAMP)
	$(BIN)/observatoire generate --out $(DATA)

data: $(DATA)/metadonnees.json ## build the synthetic warehouse in data/entrepot if missing

run: env data ## build what is missing, run the report batch, print where index.html is
	$(BIN)/observatoire batch --params $(PARAMS)

test: env ## the whole test suite, notebooks included
	$(BIN)/python -m pytest

test-fast: env ## the suite without slow tests
	$(BIN)/python -m pytest -m "not slow"

BROWSER := tools/browser
BROWSER_STAMP := $(BROWSER)/node_modules/.installed

# npm ci installs exactly package-lock.json; no browser is downloaded (the
# system chromium is driven: apt-get install chromium)
$(BROWSER_STAMP): $(BROWSER)/package.json $(BROWSER)/package-lock.json
	cd $(BROWSER) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $(BROWSER_STAMP)

browser: $(BROWSER_STAMP) ## install axe-core and playwright-core in tools/browser (Node.js, system chromium)

RUN ?= outputs/defaut
audit: env browser ## axe-core on every page of a run (RUN=outputs/<run>); results on its accessibilite.html
	$(BIN)/python -c "import sys; from observatoire.reports._statement import audit_run; \
	from observatoire.reports._browser import summarize; \
	a = audit_run(sys.argv[1]); bad = {p: v for p, v in summarize(a['results']).items() if v}; \
	print(f'{len(a[\"results\"])} checks, pages with violations: {bad or \"none\"}')" $(RUN)

lab: env ## open JupyterLab on notebooks/ in the same environment
	@$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(PIP) install -q -e '.[dev,lab]'
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: env ## ruff lint and format check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: env ## ruff format and fix
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: env data ## run the benchmarks (figures go to bench/RESULTS.md by hand)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean: ## remove outputs and caches (keeps .venv and data)
	rm -rf outputs/* .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +

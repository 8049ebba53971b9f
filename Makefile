# Self-documenting: `make help` lists every target with its `##` comment.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV    ?= .venv
PY      := $(VENV)/bin/python
HARNESS := $(VENV)/bin/harness
SWEEP   ?= default
# the MLflow store `make ui` opens: $MLFLOW_TRACKING_URI when set, else the sweep's own SQLite
# file (a sweep's store lives in its out= folder; single trials: TRACKING=sqlite:///$(CURDIR)/mlflow.db)
TRACKING ?= $(or $(MLFLOW_TRACKING_URI),sqlite:///$(CURDIR)/runs/$(SWEEP)/mlflow.db)
# the Optuna study storage `make dashboard` opens: the sweep's own, unless given
STUDY   ?= sqlite:///$(CURDIR)/runs/$(SWEEP)/study.db
DASHBOARD_PORT ?= 8080
# CPU-only machine: the small CPU wheel. With an NVIDIA driver present: a CUDA build.
TORCH_SPEC ?= $(shell command -v nvidia-smi >/dev/null 2>&1 && echo 'torch>=2.4,<=2.14.1' || echo 'torch==2.13.0')

.PHONY: help install test test-fast lint format sweep report bench scaleout soak ui dashboard trial clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[dev,cluster,ui]"
	@touch $@

install: $(VENV)/.installed ## Create .venv with torch (CPU or CUDA build) and the harness

test: install ## Run the whole test suite (what CI runs)
	$(PY) -m pytest -q

test-fast: install ## The unit tier only (a developer's answer in minutes; CI runs `make test`)
	$(PY) -m pytest -q -m unit

lint: install ## ruff lint + format check, mypy
	$(VENV)/bin/ruff check harness tests bench
	$(VENV)/bin/ruff format --check harness tests bench
	$(VENV)/bin/mypy harness bench

format: install ## Apply ruff formatting and autofixes
	$(VENV)/bin/ruff format harness tests bench
	$(VENV)/bin/ruff check --fix harness tests bench

trial: install ## One trial on the embedded default (MiniLM + SST-2, full fine-tuning)
	$(HARNESS) trial

sweep: install ## Run sweeps/$(SWEEP).yaml (default: the embedded MiniLM + SST-2 study); resumes if interrupted
	$(HARNESS) sweep sweeps/$(SWEEP).yaml

report: install ## Write reports/$(SWEEP)/report.md from the sweep's records
	$(HARNESS) report sweeps/$(SWEEP).yaml

bench: install ## Speed benchmark: harness vs HF Trainer vs plain loop, cache on/off (prints a table)
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) bench/bench.py

scaleout: install ## The smoke sweep by 1 and by 3 workers on one storage (PG=postgresql+psycopg://user@host: a server; else SQLite)
	$(PY) bench/scaleout.py $(if $(PG),--server $(PG))

soak: install ## Not CI: >= 50 SIGKILLs of random workers mid-trial on a throwaway PostgreSQL; checks the sweep ends as an uninterrupted one (minutes, all CPUs)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }
	$(PY) bench/soak.py $(if $(KILLS),--kills $(KILLS))

ui: install ## MLflow UI over runs/$(SWEEP)/mlflow.db; once it answers, each experiment's runs-table link (TRACKING=postgresql://... a shared store; http://host:5000 a server)
	@case "$(TRACKING)" in \
	  sqlite:///*) test -f "$(patsubst sqlite:///%,%,$(TRACKING))" || { \
	    echo "no MLflow store at $(patsubst sqlite:///%,%,$(TRACKING)): run \`make sweep SWEEP=$(SWEEP)\` first, or pass TRACKING=<store URI>"; exit 2; };; \
	esac
	@case "$(TRACKING)" in \
	  http://*|https://*) echo "MLflow tracking server: open $(TRACKING) (the server is the UI)"; $(PY) -m harness.ui $(TRACKING) $(TRACKING);; \
	  *) $(PY) -m harness.ui serve $(TRACKING) 5000;; \
	esac

dashboard: install ## Optuna dashboard on runs/$(SWEEP)/study.db (STUDY=<storage URL>: another study storage)
	@case "$(STUDY)" in \
	  sqlite:///*) test -f "$(patsubst sqlite:///%,%,$(STUDY))" || { \
	    echo "no study storage at $(patsubst sqlite:///%,%,$(STUDY)): run \`make sweep SWEEP=$(SWEEP)\` first, or pass STUDY=<storage URL>"; exit 2; };; \
	esac
	$(VENV)/bin/optuna-dashboard "$(STUDY)" --port $(DASHBOARD_PORT)

clean: ## Remove generated runs and stores (keeps .venv and committed reports)
	rm -rf runs mlflow.db mlartifacts

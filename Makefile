# frontdoor: `make run` starts the whole system, `make test` runs every test.
# Both set up what is missing first (Python environments, the trained model).

SHELL := /bin/bash
PYTHON311 ?= $(shell command -v python3.11 || command -v python3)
PYTHON310 ?= $(shell p="$$(pyenv root 2>/dev/null)/versions/3.10.13/bin/python"; [ -x "$$p" ] && echo "$$p" || command -v python3.10)
APP := .venvs/app/bin
RASA := .venvs/rasa/bin

.PHONY: run test test-unit lint model validate setup bench publish-menu clean

setup: .venvs/app/.installed .venvs/rasa/.installed

# Each environment is rebuilt only when its requirements file changes.
.venvs/app/.installed: requirements/app.txt pyproject.toml
	@test -x $(APP)/python || $(PYTHON311) -m venv .venvs/app
	$(APP)/python -m pip install -q --upgrade pip
	$(APP)/python -m pip install -q -r requirements/app.txt
	# The `frontdoor` command (e.g. `frontdoor triage`); the code runs from the checkout.
	$(APP)/python -m pip install -q --no-deps -e .
	@touch $@

.venvs/rasa/.installed: requirements/rasa.txt
	@test -n "$(PYTHON310)" || { echo "Rasa 3.6 needs Python 3.10: set PYTHON310=/path/to/python3.10"; exit 1; }
	@test -x $(RASA)/python || $(PYTHON310) -m venv .venvs/rasa
	@echo "installing Rasa 3.6.21 (about 3 minutes, 2.7 GB)..."
	$(RASA)/python -m pip install -q --upgrade pip
	$(RASA)/python -m pip install -q -r requirements/rasa.txt
	@touch $@

model: .venvs/rasa/.installed
	@scripts/train_model.sh

validate: .venvs/rasa/.installed
	PYTHONPATH=$(CURDIR) $(RASA)/rasa data validate --config bot/config.yml \
	  --domain bot/domain --data bot/data nlu/data

run: setup model
	$(APP)/python -m scripts.launcher

lint: .venvs/app/.installed
	$(APP)/ruff check .
	$(APP)/ruff format --check .
	$(APP)/mypy actions common integrations nlu patients sandbox scripts benchmarks triage frontdoor_cli.py

test: setup model validate lint
	$(APP)/python -m pytest

test-unit: .venvs/app/.installed
	$(APP)/python -m pytest -m "not e2e"

# Publishes integrations/wechat/menu.yml through the WeChat API (WECHAT_API_BASE_URL).
publish-menu: .venvs/app/.installed
	$(APP)/python -m integrations.wechat.menu publish

bench: setup model
	$(APP)/python -m benchmarks.load

clean:
	rm -rf .venvs bot/models var

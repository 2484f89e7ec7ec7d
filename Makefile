# zhanggui — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ZG     := $(BIN)/zhanggui
HOST   ?= 127.0.0.1:8000
ONLY   ?=
APT    := DEBIAN_FRONTEND=noninteractive apt-get install -y -q
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint bench install install-dev static messages fonts browser demo worker beat clean

## run: install, migrate, load the demo company and serve on http://$(HOST) — background jobs and the scheduled
## work (CELERY_BEAT_SCHEDULE) run inside the web process when no CELERY_BROKER_URL is set (core.scheduler)
run: install static messages fonts var/secret_key
	$(ZG) migrate --noinput
	$(ZG) demo --address $(HOST)
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)}" $(ZG) runserver $(HOST)

## test: install test dependencies (Chromium included) and run the whole suite
test: install-dev static messages browser
	$(BIN)/pytest -n 2 --dist loadgroup

## lint: the house rules CI checks before the tests: ruff, formatting, the layer contracts (import-linter),
## no model change without its migration, no Python file past 600 lines
lint: install-dev
	$(BIN)/ruff check zhanggui tests bench
	$(BIN)/ruff format --check zhanggui tests bench
	$(BIN)/lint-imports --no-logo --no-cache
	$(ZG) makemigrations --check --dry-run
	$(BIN)/pytest -q -p no:cacheprovider tests/test_house.py

bench: install-dev
	$(BIN)/python -m bench $(if $(ONLY),--only $(ONLY),)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

# The local demo's own secret key, made once (production sets DJANGO_SECRET_KEY; the web app refuses to start
# outside DEBUG without one).
var/secret_key:
	@mkdir -p var && umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Browser libraries come from npm at install time (ECharts); nothing third-party is committed.
static: node_modules/echarts/dist/echarts.min.js
node_modules/echarts/dist/echarts.min.js: package.json
	@command -v npm >/dev/null || (apt-get update -q && $(APT) nodejs npm)
	npm install --no-save --loglevel=error
	touch $@

# Chinese UI: compile the zh_Hans catalogue (GNU gettext's msgfmt).
messages: install
	@command -v msgfmt >/dev/null || (apt-get update -q && $(APT) gettext)
	cd zhanggui && ../$(ZG) compilemessages -l zh_Hans -v 0

# A Chinese TrueType font for printed documents (PDFs, labels) and image watermarks: Debian's WenQuanYi Micro Hei,
# installed only when missing (core/pdf.py names the other fonts it can use).
fonts:
	@test -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || (apt-get update -q && $(APT) fonts-wqy-microhei)

# Debian's Chromium and a CJK font for the Playwright tests (playwright cannot download browsers here), and
# poppler's pdftoppm to look at generated PDFs as PNG.
browser:
	@test -x /usr/bin/chromium && fc-list | grep -qi wqy && command -v pdftoppm >/dev/null || \
		(apt-get update -q && $(APT) chromium fonts-wqy-microhei poppler-utils)

demo: install messages fonts
	$(ZG) migrate --noinput
	$(ZG) demo

worker: install
	$(BIN)/celery -A zhanggui worker -l info
beat: install
	$(BIN)/celery -A zhanggui beat -l info

clean:
	rm -rf $(VENV) node_modules staticfiles var test-artifacts

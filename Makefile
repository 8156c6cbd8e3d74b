# The two commands the README opens with: `make run` and `make test`. Both install first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DEBS := fonts-liberation2 fonts-noto-core poppler-utils qpdf libpdfbox2-java libactivation-java \
        libjaxb-api-java default-jre-headless zbar-tools softhsm2 chromium chromium-driver
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck pytest clean

install: $(STAMP)

# Re-run when the project's dependencies change; Debian packages are only installed when missing.
$(STAMP): pyproject.toml package.json package-lock.json Makefile
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]'
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $(STAMP)

run: install
	$(VENV)/bin/hocba demo-serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis

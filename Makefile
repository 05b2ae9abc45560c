# One command to build the book, one to test it. Each does its own set-up.
#   make book        validate data, run changed notebooks, build HTML + PDF into _build/
#   make book FORCE=1  re-execute every notebook
#   make test        everything `make book` checks, plus the test suite
#   make validate    check data/ only
#   make lab         open the notebooks in JupyterLab, in the project's environment
#   make release VERSION=X.Y.Z  archive an edition in _release/vX.Y.Z, commit and tag it
#   make bench       time cold, no-op and incremental builds against plain jupyter-book
SHELL := /bin/bash
PYTHON_VERSION_NEEDED := 3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
AXE := tests/axe/node_modules/axe-core/axe.min.js

.PHONY: book test validate lab lint lock system-packages clean bench release

book: $(STAMP) system-packages
	$(PY) scripts/build_book.py $(if $(FORCE),--force)

test: $(STAMP) system-packages $(AXE)
	$(PY) -m ruff check scripts tests
	$(PY) -m pytest --nbval tests notebooks

validate: $(STAMP)
	$(PY) scripts/validate_data.py

# JupyterLab with the project's Jupyter config (.jupyter/: no news, no update checks, nothing fetched
# from other hosts); a student's own settings and workspaces stay in .jupyter/lab/ (git-ignored).
lab: $(STAMP)
	JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter \
	JUPYTERLAB_SETTINGS_DIR=$(CURDIR)/.jupyter/lab/user-settings \
	JUPYTERLAB_WORKSPACES_DIR=$(CURDIR)/.jupyter/lab/workspaces \
	$(VENV)/bin/jupyter lab notebooks/

lint: $(STAMP)
	$(PY) -m ruff check scripts tests

system-packages:
	@scripts/ensure_system_packages.sh

# axe-core for the browser tests' accessibility check, exactly as tests/axe/package-lock.json pins it (with
# its hash): fetched from the npm registry once, again only when the lock changes; Node.js and npm are
# installed first when there is no npm.
$(AXE): tests/axe/package.json tests/axe/package-lock.json
	@command -v npm >/dev/null || scripts/ensure_system_packages.sh nodejs npm
	cd tests/axe && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# The virtual environment is (re)installed only when the lock changes.
$(STAMP): requirements.lock pyproject.toml
	@python3 -c 'import sys; v="$(PYTHON_VERSION_NEEDED)"; sys.exit(0 if sys.version.startswith(v + ".") else f"Python {v} is needed, found {sys.version.split()[0]}")'
	@test -x $(PY) || python3 -m venv $(VENV) || { rm -rf $(VENV); scripts/ensure_system_packages.sh python3-venv && python3 -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Regenerate the lock (and environment.yml) after editing requirements.in (needs the registry).
lock: $(STAMP)
	$(VENV)/bin/uv pip compile requirements.in --generate-hashes --python-version 3.11.7 --no-header -o requirements.lock
	$(PY) scripts/write_environment_yml.py

environment.yml: requirements.lock
	$(PY) scripts/write_environment_yml.py

clean:
	rm -rf _build

# Time and peak memory of cold, no-op and incremental builds against plain jupyter-book (BENCH_RUNS=3).
bench: $(STAMP) system-packages
	$(PY) scripts/bench.py

# Release an edition: make release VERSION=1.0.0 (refuses on a dirty tree or failing tests).
release: $(STAMP) system-packages
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=X.Y.Z" >&2; exit 1; }
	$(PY) scripts/release.py $(VERSION)

# Two commands do all the set-up (see README.md):
#   make lab    open the notebooks in JupyterLab
#   make test   lint, unit tests, the website and student edition, and every notebook checked
#               against its stored outputs
# Both create .venv and install requirements.txt into it when needed; make test (and make html)
# also install requirements-docs.txt, the website's packages, which make lab does not need.

# Every command here may write bytecode (.pyc) where PYTHONDONTWRITEBYTECODE is set (CI,
# containers): without it, each kernel would compile TensorFlow's sources again, every time.
unexport PYTHONDONTWRITEBYTECODE

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs


.PHONY: help install lab test lint execute bench html site-check student compat clean

help:
	@echo "make lab      open the notebooks in JupyterLab (installs on first use)"
	@echo "make test     lint + unit, site and student-edition tests + strict nbval on every notebook"
	@echo "make execute  format, then re-execute every notebook in place after an edit"
	@echo "make bench    time the notebook tests against bare TensorFlow imports"
	@echo "make html     build the course's website into build/html (reads offline)"
	@echo "make site-check  read the built site in Chromium: accessibility, menus, phone layout"
	@echo "make student  write the student edition (solutions stubbed) into build/student"
	@echo "make compat   TF=2.19 [PY=python3.12]: every lesson on that TensorFlow, in a throw-away venv"
	@echo "make clean    remove .venv and build/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else \
		"Python 3.11, 3.12 or 3.13 is needed (TensorFlow 2.21 has wheels for these), but $(PYTHON) is " \
		+ sys.version.split()[0] + ". Run make with PYTHON=python3.12 (or another of them).")'
	$(PYTHON) -m venv $(VENV)

# --no-compile: byte-compiling all of TensorFlow up front doubles the install time. Python writes
# the .pyc of what is imported the first time it is imported instead: the unexport above lets it,
# where PYTHONDONTWRITEBYTECODE is set (CI, containers).
# The Lab's settings overrides turn off the Jupyter news prompt and update checks, and
# tools/jupyter_server_config.py makes the Lab save a lesson as the course stores it (no
# machine-specific metadata, so opening a lesson does not change its file).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings

$(STAMP): $(BIN)/python requirements.txt pyproject.toml tools/lab_overrides.json \
		tools/jupyter_server_config.py
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 \
		--display-name "Python 3 (ipykernel)" >/dev/null
	mkdir -p $(LAB_SETTINGS) && cp tools/lab_overrides.json $(LAB_SETTINGS)/overrides.json
	mkdir -p $(VENV)/etc/jupyter && cp tools/jupyter_server_config.py $(VENV)/etc/jupyter/
	@touch $(STAMP)

install: $(STAMP)

$(DOCS_STAMP): $(STAMP) requirements-docs.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile \
		-r requirements-docs.txt
	@touch $(DOCS_STAMP)

# Loopback only, token authentication on (Jupyter's default). Containers often run as root,
# which Jupyter refuses without --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint $(DOCS_STAMP)
	$(BIN)/python -m pytest  # tests and notebooks, with the flags in pyproject.toml

execute: $(STAMP)
	$(BIN)/ruff format notebooks
	$(BIN)/python -m tools.execute_notebooks

bench: $(STAMP)
	@$(BIN)/python -m tools.bench

html: $(DOCS_STAMP)
	$(BIN)/python -m tools.build_site

# The built site read in Chromium by tools/site_check/check.mjs: axe-core on every page, light
# and dark, desktop and phone; the menus opened by clicking; nothing scrolls sideways. Needs
# Chromium (CHROMIUM=/path if not /usr/bin/chromium) and npm; not part of make test.
site-check: html
	cd tools/site_check && npm ci --no-audit --no-fund --silent
	node tools/site_check/check.mjs --site build/html

student: $(STAMP)
	$(BIN)/python -m tools.student_edition

# Every lesson executed on another TensorFlow in a throw-away environment (tools/compat.py);
# not part of make test. make compat TF=2.19 [PY=python3.12] [ARGS="--keras 3.0.5 --diff"]
TF ?=
PY ?= $(PYTHON)

compat:
	$(PYTHON) -m tools.compat $(if $(TF),--tf $(TF)) --python $(PY) $(ARGS)

clean:
	rm -rf $(VENV) build

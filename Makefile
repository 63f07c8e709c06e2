# The two commands of the README: `make demo` and `make test`. Each sets up what it
# needs from nothing (Debian packages, .venv, collections, the lab image).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
export CONTAINERS_CONF := $(CURDIR)/.lab/containers.conf
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)
# Scenario list for `make molecule` (all by default).
SCENARIOS ?= $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))
DEMO_SOPS ?= sipp-backup sipp-maintenance sipp-sync website

.PHONY: help setup image lab-up lab-down lab-status demo test fresh-check lint pytest molecule bench clean

help:  ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup:  ## Debian packages, .venv, collections, podman settings (idempotent)
	@scripts/setup.sh

image: setup  ## build the cached lab/test-host image if its recipe changed
	@$(BIN)/sop-lab image

lab-up: setup  ## start and provision the lab court (CASES=200000 for ~1.4 GB of SIPP data)
	@$(BIN)/sop-lab up $(if $(CASES),--cases $(CASES))

lab-down:  ## remove the lab (containers and networks)
	@$(BIN)/sop-lab down

lab-status:  ## show the lab hosts
	@$(BIN)/sop-lab status

demo: lab-up  ## run the SIPP and website SOPs on the lab and show what was recorded
	@scripts/demo.sh $(DEMO_SOPS)

test: setup image  ## everything CI runs: lint, module docs, pytest, molecule
	@scripts/test.sh

fresh-check: image  ## `make demo` + `make test` from a fresh clone on a clean Debian 12 (nested podman; not part of test)
	@scripts/fresh-check.sh

lint: setup  ## ruff, mypy, yamllint, ansible-lint (production), ansible-doc
	@scripts/test.sh lint

pytest: setup image  ## the pytest suite only
	@scripts/test.sh pytest

molecule: setup image  ## molecule test for SCENARIOS (default: all)
	@scripts/test.sh molecule $(SCENARIOS)

bench: lab-up  ## benchmarks (runner overhead; backup engines on >= 1 GB)
	@$(BIN)/python benchmarks/runner_overhead.py
	@$(BIN)/python benchmarks/backup_dump.py

clean: lab-down  ## remove the lab, the venv and caches (keeps the cached image)
	rm -rf $(VENV) collections/ansible_collections .cache .pytest_cache .ruff_cache

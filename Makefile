# The two commands of the README:
#   make deploy   bring up the local stack and run deploy.yml against it
#   make test     run every test (lint, unit, integration, end-to-end, reliability, molecule, sanity)
# and the development loop's:
#   make check    lint, unit and integration tests (a few minutes)
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
INVENTORY ?= inventories/local
ANSIBLE_ARGS ?=
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: deploy test check venv venv-dev lint unit integration molecule sanity e2e reliability stack stack-down wheelhouse image clean

# The pinned requirements go in with uv: about 10 s for a fresh venv, where pip takes a minute or more. uv reads
# neither pip's configuration nor its PIP_* settings (a mirror is UV_INDEX_URL / UV_DEFAULT_INDEX for it): where uv
# cannot be installed or cannot install, pip does, as pip is configured.
PIP_INSTALL = $(VENV)/bin/python -m pip install --quiet --disable-pip-version-check
UV_INSTALL = $(VENV)/bin/uv pip install --quiet --python $(VENV)/bin/python
install = { $(PIP_INSTALL) -r requirements/installer.txt && $(UV_INSTALL) -r $(1); } \
	|| { echo "uv could not install $(1); pip installs it"; $(PIP_INSTALL) -r $(1); }
# uv writes no bytecode, and where PYTHONDONTWRITEBYTECODE is set (this machine class sets it) Python never writes
# it either: each run, and each module a run starts, then compiles boto3, botocore, Ansible and moto from source
# again (a no-op deploy.yml took 16.7 s so, 12.5 s compiled). The venv's packages are compiled once, here, in
# about 12 s; of the collections the ansible bundle carries, only those the project and its tests use (the other
# 15,000 files would add 7 s, and still compile on import if a playbook of the user's needs them).
USED_COLLECTIONS = amazon/aws|community/aws|community/docker|community/general|ansible/posix
compile = $(VENV)/bin/python -m compileall -q -j 0 -x 'ansible_collections/(?!$(USED_COLLECTIONS))' \
	$$($(VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') >/dev/null

$(VENV)/.controller: requirements/controller.txt requirements/installer.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(call install,requirements/controller.txt)
	$(compile)
	touch $@

$(VENV)/.dev: $(VENV)/.controller requirements/dev.txt
	$(call install,requirements/dev.txt)
	$(compile)
	touch $@

venv: $(VENV)/.controller
venv-dev: $(VENV)/.dev

deploy: venv
	ansible-playbook deploy.yml -i $(INVENTORY) $(ANSIBLE_ARGS)

test: venv-dev
	tests/run.sh

check: venv-dev
	tests/run.sh lint unit integration

lint: venv-dev
	tests/run.sh lint

unit: venv-dev
	tests/run.sh unit

integration: venv-dev
	tests/run.sh integration

molecule: venv-dev
	tests/run.sh molecule

sanity: venv-dev
	tests/run.sh sanity

e2e: venv-dev
	tests/run.sh e2e

reliability: venv-dev
	tests/run.sh reliability

stack: venv
	ansible-playbook playbooks/local_stack.yml -i inventories/local

stack-down: venv
	ansible-playbook playbooks/local_stack_teardown.yml -i inventories/local

image: venv
	ansible-playbook playbooks/image.yml -i $(INVENTORY) $(ANSIBLE_ARGS)

# For a plain `docker build -f deployments/Dockerfile .`: the build installs from this.
wheelhouse: venv
	scripts/wheelhouse.sh

clean:
	rm -rf $(VENV) .cache app/wheelhouse tests/output

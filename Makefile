# clustor — every action is a target; `make help` lists them.
# Set-up is automatic: targets that need the Python environment create .venv and build the
# extension (release mode) first. Needs Python >= 3.10 and a Rust toolchain.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
MATURIN := $(VENV)/bin/maturin
RUST_SRC := $(shell find crates -name '*.rs' -o -name Cargo.toml) Cargo.toml Cargo.lock
EXT_STAMP := $(VENV)/.ext-built
ONLY ?=
# The seed toolkit's release (clustor 0.1.1), in its own environment for the "seed" peer.
SEED_VENV ?= .venv-seed
SEED_SDIST ?= /tmp/seed/clustor-0.1.1.tar.gz

.DEFAULT_GOAL := help
.PHONY: help demo test test-rust test-python bench bench-seed quality seed-venv lint fmt build venv clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "clustor needs Python >= 3.10, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.deps-%: pyproject.toml | $(PY)
	$(PIP) install --quiet "maturin>=1.5,<2" $$($(PY) .ci/extras.py $*)
	@touch $@

venv: $(VENV)/.deps-test ## Create .venv with the build and test dependencies

$(EXT_STAMP): $(RUST_SRC) pyproject.toml | $(VENV)/.deps-base
	VIRTUAL_ENV=$(abspath $(VENV)) $(MATURIN) develop --release --quiet
	@touch $@

build: $(EXT_STAMP) ## Build the Rust extension (release) into .venv

demo: $(VENV)/.deps-plot $(EXT_STAMP) ## Set up, then run the main job: cluster the bundled data with every algorithm
	$(VENV)/bin/clustor demo

test: $(VENV)/.deps-test $(EXT_STAMP) ## Set up, then run every test (cargo test + pytest)
	cargo test --locked -p clustor-core --quiet
	$(PY) -m pytest -q

bench: $(VENV)/.deps-bench $(EXT_STAMP) ## Side-by-side benchmarks vs peers (ONLY=K1,K2 to pick)
	$(PY) -m benchmarks $(if $(ONLY),--only $(ONLY))

# Builds from source (needs Rust): the sdist at SEED_SDIST if present, else PyPI's.
$(SEED_VENV)/.installed:
	$(PYTHON) -m venv $(SEED_VENV)
	$(SEED_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SEED_VENV)/bin/python -m pip install --quiet numpy \
		$(if $(wildcard $(SEED_SDIST)),$(SEED_SDIST),--no-binary clustor clustor==0.1.1)
	$(SEED_VENV)/bin/python -I -c 'import clustor; assert clustor.__version__ == "0.1.1"'
	@touch $@

.venv-seed: $(SEED_VENV)/.installed

seed-venv: $(SEED_VENV)/.installed ## Build the seed toolkit (clustor 0.1.1) into .venv-seed

bench-seed: $(VENV)/.deps-bench $(EXT_STAMP) $(SEED_VENV)/.installed ## Benchmarks vs the seed release, from .venv-seed (ONLY=K1/seed to pick)
	$(PY) -m benchmarks --peer seed $(if $(ONLY),--only $(ONLY))

quality: $(VENV)/.deps-bench $(EXT_STAMP) ## ARI vs reference labels, clustor and sklearn (ONLY=kmeans,dbscan)
	$(PY) -m benchmarks.quality $(if $(ONLY),--only $(ONLY))

lint: $(VENV)/.deps-test ## ruff + cargo fmt --check + clippy -D warnings
	$(VENV)/bin/ruff check python tests benchmarks
	$(VENV)/bin/ruff format --check python tests benchmarks
	cargo fmt --all --check
	cargo clippy --locked --all-targets -- -D warnings

fmt: $(VENV)/.deps-test ## Format Rust and Python sources
	cargo fmt --all
	$(VENV)/bin/ruff format python tests benchmarks
	$(VENV)/bin/ruff check --fix python tests benchmarks

clean: ## Remove build products and the virtual environment
	cargo clean
	rm -rf $(VENV) $(SEED_VENV) python/clustor/_core*.so .pytest_cache .ruff_cache .hypothesis

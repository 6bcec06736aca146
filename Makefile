# Developer entry points. `make help` lists them.
.PHONY: help deps test lint fmt fmt-check bench build

CARGO ?= cargo
# Debian packages the test suite needs: graphviz renders `--graphviz x.png`;
# the cluster tests run a real etcd (etcd-server, and etcdctl from
# etcd-client) and cut a host off with iproute2's `ip`; the etcd-client
# crate's build needs protoc and its well-known types; the system-resource
# tests build a Debian root for their containers with debootstrap.
APT_PACKAGES ?= graphviz etcd-server etcd-client protobuf-compiler libprotobuf-dev iproute2 debootstrap

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

deps: ## Install the Debian packages the tests need (apt-get, only what is missing)
	@missing=""; for package in $(APT_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: ## Build the release binary
	$(CARGO) build --release

test: deps ## Install what is missing, then run the whole test suite
	$(CARGO) test --workspace --all-targets --locked
	$(CARGO) test --workspace --doc --locked

lint: ## Clippy with warnings as errors, and the formatting check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) fmt --all -- --check

fmt: ## Format the Rust code
	$(CARGO) fmt --all

bench: ## Micro-benchmarks (criterion); peer benchmarks live in bench/
	$(CARGO) bench -p mcl-grammar --bench parse

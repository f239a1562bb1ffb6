# Aduan: build, run and test. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Go from PATH, else the standard install location; gofmt from the same GOROOT.
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
GOROOT_BIN := $(shell $(GO) env GOROOT 2>/dev/null)/bin
export PATH := $(GOROOT_BIN):$(PATH)
GOFMT := $(GOROOT_BIN)/gofmt

VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN := bin/aduan
PG := deploy/postgres.sh

# Extra arguments for `aduan serve`, e.g. make run ARGS=--roles=web,core
ARGS ?=

# with_test_db runs a command with ADUAN_TEST_DATABASE_URL set: as given, or
# the admin URL of the PostgreSQL that deploy/postgres.sh ensures.
define with_test_db
	if [[ -z "$${ADUAN_TEST_DATABASE_URL:-}" ]]; then \
		url="$$($(PG) ensure)"; \
		export ADUAN_TEST_DATABASE_URL="$$url"; \
	fi; \
	echo "ADUAN_TEST_DATABASE_URL=$$ADUAN_TEST_DATABASE_URL"; \
	$(1)
endef

.PHONY: help build run run-lapor test vet fmt-check bench fuzz chaos clean db db-status db-stop check-go

help: ## List the targets
	@echo "Usage: make <target>"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN { FS = ":.*## " } { printf "  %-10s %s\n", $$1, $$2 }'

check-go:
	@command -v "$(GO)" >/dev/null || { echo "Go not found in PATH or /usr/local/go/bin" >&2; exit 1; }

build: check-go ## Build bin/aduan (version from git describe)
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/aduan

run: build ## Build, ensure PostgreSQL, run bin/aduan serve (ARGS=... for flags)
	@if [[ -z "$${ADUAN_DATABASE_URL:-}" && -z "$${ADUAN_DATABASE_URL_FILE:-}" ]]; then \
		base="$$($(PG) ensure)"; \
		export ADUAN_DATABASE_URL="$${base/\/postgres\?/\/aduan?}"; \
		echo "ADUAN_DATABASE_URL=$$ADUAN_DATABASE_URL"; \
	fi; \
	exec $(BIN) serve $(ARGS)

# Where `make run-lapor` serves the LAPOR! simulator.
LAPOR_SIM_ADDR ?= 127.0.0.1:8090

run-lapor: build ## make run with the LAPOR! simulator (aduan lapor-sim) feeding reports
	@$(BIN) lapor-sim --addr $(LAPOR_SIM_ADDR) --reports 12 --rate 2 & sim=$$!; \
	trap 'kill $$sim 2>/dev/null' EXIT; \
	ADUAN_LAPOR_URL=http://$(LAPOR_SIM_ADDR) ADUAN_LAPOR_TOKEN=aduan-sim $(MAKE) run

vet: check-go ## go vet ./...
	$(GO) vet ./...

fmt-check: check-go ## Fail listing the Go files gofmt would change
	@files="$$(find . \( -path ./.git -o -path ./bin -o -path ./data -o -path ./vendor \) -prune \
		-o -name '*.go' -print0 | xargs -0 -r $(GOFMT) -l)"; \
	if [[ -n "$$files" ]]; then echo "gofmt -l: these files need gofmt -w:"; echo "$$files"; exit 1; fi

test: vet fmt-check ## vet, gofmt check, go test -race against PostgreSQL (fuzz corpora replay as tests)
	@$(call with_test_db,$(GO) test -race -count=1 -timeout 15m ./...)

# The fuzz targets, as package:Target. Every parser of outside input is one.
FUZZ_TARGETS := \
	./adapters/meta:FuzzParseBody \
	./adapters/whatsapp/cloudapi:FuzzParseBody \
	./adapters/lapor:FuzzDecodePage \
	./core/identity:FuzzExtract \
	./core/identity:FuzzParseNIK \
	./core/identity:FuzzMaskNIKs
# How long `make fuzz` runs each target (Go duration or Nx); CI runs it with 3s.
FUZZTIME ?= 10s

fuzz: check-go ## Run each fuzz target for FUZZTIME (default 10s); a failing input lands in testdata/fuzz
	@for t in $(FUZZ_TARGETS); do \
		pkg="$${t%%:*}"; name="$${t##*:}"; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) "$$pkg" || exit 1; \
	done

# The nats-server the chaos scenarios run as a separate process: the module
# Aduan embeds (go.mod), so client and server versions match.
NATS_SERVER := bin/nats-server

chaos: build ## Fault tests under load (kill -9, PostgreSQL down, NATS restarted, 3-node cluster; ~3.5 min): counts, fails on loss
	$(GO) build -o $(NATS_SERVER) github.com/nats-io/nats-server/v2
	$(BIN) chaos --nats-server $(NATS_SERVER) --postgres-script $(PG)

bench: check-go ## Run the benchmarks (against PostgreSQL too)
	@$(call with_test_db,$(GO) test -run='^$$' -bench=. -benchmem ./...)

db: ## Ensure PostgreSQL and print its admin URL
	@$(PG) ensure

db-status: ## Tell whether the private PostgreSQL under data/ runs
	@$(PG) status

db-stop: ## Stop the private PostgreSQL under data/ (never the system one)
	@$(PG) stop

clean: ## Remove build and coverage output (keeps data/)
	rm -rf bin
	rm -f coverage.* cover.out *.coverprofile *.test

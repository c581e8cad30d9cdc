# Mari BI. The README's two commands:
#   make run    install what is missing, start the private databases, migrate, load demo data
#               when the database is empty, and serve on http://localhost:8080
#   make test   the same set-up for the test databases, then every check and every test
#
# The private PostgreSQL and ClickHouse (scripts/dbctl.sh) keep their data in .data/ and listen
# on loopback on MARI_PG_PORT (55432) and MARI_CH_PORT (59000). The app and the tests are
# pointed at those ports unless MARI_PG_URL / MARI_CH_ADDR / MARI_TEST_* say otherwise.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Go may be installed but not on PATH (a fresh machine has it in /usr/local/go).
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
GOFMT ?= $(shell command -v gofmt 2>/dev/null || echo $(dir $(GO))gofmt)
BIN := bin/mari
DBCTL := scripts/dbctl.sh
DB_NAME ?= mari

PG_PORT := $(or $(MARI_PG_PORT),55432)
CH_PORT := $(or $(MARI_CH_PORT),59000)
export MARI_PG_URL ?= postgres://mari@127.0.0.1:$(PG_PORT)/$(DB_NAME)?sslmode=disable
export MARI_CH_ADDR ?= 127.0.0.1:$(CH_PORT)
export MARI_CH_DATABASE ?= $(DB_NAME)
export MARI_TEST_PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:$(PG_PORT)/postgres?sslmode=disable
export MARI_TEST_CH_ADDR ?= 127.0.0.1:$(CH_PORT)

GO_TEST_FLAGS ?= -count=1 -timeout 25m
BENCH_SIZES ?= 1,10

.PHONY: help run test bench build generate check-generated fmt fmt-check vet migrate demo \
	db-start db-stop db-status db-create install-browser install-chdb clean-data

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# `make run` listens on loopback only unless told otherwise: it is a development server with
# a demo account whose password it prints.
# It also streams a gentle live demo (SIMULATE_RATE events a second through the HTTP ingestion
# endpoint, with a token rotated at each run) so the operations wall screen is alive; 0.4 a
# second is about the demo data's own traffic of recent days (3 to 4 payments a minute at
# scale 1), so the charts continue the history instead of jumping. `make run SIMULATE_RATE=0`
# serves without it. Ctrl-C stops both: the shell's EXIT trap stops
# the simulator once the server has shut down.
SIMULATE_RATE ?= 0.4
run: export MARI_LISTEN_ADDR ?= 127.0.0.1:8080
run: db-start db-create build ## start everything and serve the app on http://localhost:8080
	$(BIN) migrate
	$(BIN) demo -if-empty
	@credentials="$$($(BIN) admin demo-account)"; SIMULATE_RATE=$(SIMULATE_RATE) scripts/banner.sh "$$credentials"
	@if [ "$(SIMULATE_RATE)" != "0" ]; then \
		mkdir -p "$${MARI_DATA_DIR:-.data}"; \
		MARI_INGEST_TOKEN="$$($(BIN) ingest-token create -name demo-simulator -replace 2>/dev/null | tail -1)" \
			$(BIN) simulate -rate $(SIMULATE_RATE) -url "http://$$MARI_LISTEN_ADDR" >"$${MARI_DATA_DIR:-.data}/simulate.log" 2>&1 & \
		sim=$$!; trap 'kill $$sim 2>/dev/null' EXIT; \
	fi; \
	$(BIN) serve

test: db-start install-browser install-chdb check-generated fmt-check vet ## every check and every test (what CI runs)
	@mkdir -p artifacts
	$(GO) test $(GO_TEST_FLAGS) ./... 2>&1 | tee artifacts/go-test.log

bench: db-start build ## measure dashboard server time at demo scales 1 and 10 (BENCH_SIZES), then ingestion throughput and latency
	$(BIN) bench -sizes $(BENCH_SIZES)

build: ## build bin/mari
	$(GO) build -o $(BIN) .

generate: ## regenerate the templ views (*_templ.go files are committed)
	$(GO) tool templ generate

check-generated: ## fail when a committed *_templ.go file is not what templ generates
	GO=$(GO) scripts/check-generated.sh

fmt: ## gofmt every Go file
	$(GOFMT) -w $$(scripts/go-files.sh)

fmt-check: ## fail when a Go file is not gofmt-formatted
	@unformatted="$$($(GOFMT) -l $$(scripts/go-files.sh))"; \
	if [ -n "$$unformatted" ]; then echo "not gofmt-formatted (run make fmt):"; echo "$$unformatted"; exit 1; fi

vet: ## go vet ./...
	$(GO) vet ./...

migrate: db-start db-create build ## apply the migrations to the development database
	$(BIN) migrate

demo: migrate ## load the demo dataset into the development database if it is empty
	$(BIN) demo -if-empty

db-start: ## install PostgreSQL 15 and ClickHouse if missing and start the private instances
	$(DBCTL) start

db-create:
	$(DBCTL) createdb $(DB_NAME)

db-stop: ## stop the private database servers
	$(DBCTL) stop

db-status: ## are the private database servers running?
	$(DBCTL) status

install-browser: ## install Debian's chromium for the browser tests if missing
	scripts/install-browser.sh

install-chdb: ## install libchdb.so (current ClickHouse, embedded) for the SQL tests in chtest/ if missing
	scripts/install-chdb.sh

clean-data: ## stop the private databases and delete all their data (every local database)
	$(DBCTL) clean

# FyberPay CPE. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Go toolchain the project builds with (go.mod's go line). The machine's own
# go command fetches it from the module proxy once (~76 MB) and then runs it;
# exported so every recipe and the .ci scripts they call use it too.
GO_TOOLCHAIN  := go1.27.3
export GOTOOLCHAIN := $(GO_TOOLCHAIN)
GO            ?= go
DATABASE_URL  ?= postgres://postgres@127.0.0.1:5432/fyberpay?sslmode=disable
BIN           := bin/fyberpay
DEV_ENV       := .data/dev.env
SIM_DEVICES   ?= 200
# The demo fleet: the three ONT and router models, and one device in ten a
# plain IP gateway (no PPP, no diagnostics) whose capabilities differ.
SIM_PROFILES  ?= huawei-hg8245h=35,zte-f660=30,tplink-archer-ax10=25,tenda-n301=10

# Tools fetched for tests (the playwright driver, the vulnerability
# database) are kept per machine, like Go's build and module caches, keyed
# by their versions: a fresh clone does not fetch them again.
TOOL_CACHE    ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/fyberpay

PW_GO_DIR      = $(shell GOTOOLCHAIN=$(GOTOOLCHAIN) $(GO) list -m -f '{{.Dir}}' github.com/mxschmitt/playwright-go)
PW_VERSION     = $(shell sed -n 's/.*playwrightCliVersion = "\(.*\)"/\1/p' $(PW_GO_DIR)/run.go)
PW_DRIVER_DIR  = $(TOOL_CACHE)/playwright-driver/$(PW_VERSION)

# govulncheck runs against a database built here from the golang.org/x/vulndb
# module (its data/osv entries, indexed by its own cmd/indexdb): vuln.go.dev is
# not reachable, the module proxy is. VULNDB_VERSION=latest follows the newest
# module version (one look-up a run); set a pseudo-version to pin it.
GOVULNCHECK_VERSION := v1.10.0
VULNDB_VERSION      ?= latest
VULNDB_DIR          := $(TOOL_CACHE)/vulndb

HTMX_VERSION := 2.0.11
PICO_VERSION := 2.1.1

.PHONY: help
help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: run
run: db-up build ## the demo: Postgres, migrations, GenieACS simulator, demo org + owner (credentials printed) with firmware images, serve on 127.0.0.1:8080
	@mkdir -p .data
	@test -f $(DEV_ENV) || { \
	  echo "SESSION_KEYS=$$(head -c 32 /dev/urandom | base64 -w0)"; \
	  echo "ENCRYPTION_KEY=k1:$$(head -c 32 /dev/urandom | base64 -w0)"; \
	  echo "DEMO_PASSWORD=$$(head -c 12 /dev/urandom | base64 -w0 | tr -d '+/=' | head -c 16)"; \
	} > $(DEV_ENV)
	@grep -q '^GENIEACS_INTERNAL_KEY=' $(DEV_ENV) || echo "GENIEACS_INTERNAL_KEY=$$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> $(DEV_ENV)
	@psql "$(DATABASE_URL)" -tAc 'select 1' >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres fyberpay
	@set -a; . ./$(DEV_ENV); set +a; \
	  export DATABASE_URL="$(DATABASE_URL)" WEBHOOK_ALLOW_PRIVATE=true OPERATOR_ORG=demo \
	    GENIEACS_NBI_URL=http://127.0.0.1:7557 GENIEACS_FS_URL=http://127.0.0.1:7567 \
	    OFFLINE_AFTER=$${OFFLINE_AFTER:-1m} STALE_AFTER=$${STALE_AFTER:-90s} SYNC_INTERVAL=$${SYNC_INTERVAL:-15s}; \
	  ./$(BIN) migrate || exit 1; \
	  ./$(BIN) sim --devices $(SIM_DEVICES) --profiles $(SIM_PROFILES) --time-compression 10 --offline-ratio 0.1 --retire-ratio 0.05 \
	    --fyberpay-url http://127.0.0.1:8080 --internal-key "$$GENIEACS_INTERNAL_KEY" --await-preset fyberpay-bootstrap \
	    > .data/sim.log 2>&1 & sim=$$!; trap 'kill $$sim 2>/dev/null' EXIT; \
	  for i in $$(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:7557/files/ && break; sleep 0.1; done; \
	  ./$(BIN) demo --password "$$DEMO_PASSWORD" --sim-devices $(SIM_DEVICES) --sim-profiles $(SIM_PROFILES) || exit 1; \
	  echo "GenieACS simulator: $(SIM_DEVICES) devices on 127.0.0.1:7557 (log: .data/sim.log)"; \
	  ( for i in $$(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:8080/healthz && break; sleep 0.1; done; \
	    echo; echo "FyberPay is up: open http://127.0.0.1:8080 and sign in as owner@demo.fyberpay.test with $$DEMO_PASSWORD (Ctrl-C stops)" ) & \
	  ./$(BIN) serve

.PHONY: build
build: ## build bin/fyberpay
	$(GO) build -o $(BIN) ./cmd/fyberpay

.PHONY: db-up
db-up: ## make sure PostgreSQL answers on 127.0.0.1:5432 (start or install it)
	@bash .ci/pg-up.sh

# The tests spend much of their time waiting (Postgres, the simulator's
# clock, the browser, polling intervals), so more of them run at once than
# the machine has cores (-p packages, -parallel tests in each, go's default
# for both is GOMAXPROCS); lint runs beside them, on the CPU they leave, and
# its output follows theirs. e2e's tests share one server, browser and
# simulator: each makes its own devices and signs in from its own address.
TEST_FLAGS ?= -p 4 -parallel 4
.PHONY: test
test: db-up check-generated e2e-setup ## everything CI runs: vet, gofmt, govulncheck, generated code, unit + integration + e2e tests
	@mkdir -p .cache; set -uo pipefail; \
	  $(MAKE) --no-print-directory lint > .cache/lint.log 2>&1 & lint=$$!; \
	  E2E_REQUIRED=1 PLAYWRIGHT_DRIVER_PATH=$(PW_DRIVER_DIR) $(GO) test $(TEST_FLAGS) -count=1 -timeout 20m ./...; tests=$$?; \
	  wait $$lint; linted=$$?; echo "--- make lint"; cat .cache/lint.log; \
	  if [ $$tests -ne 0 ]; then echo "FAIL: tests"; fi; if [ $$linted -ne 0 ]; then echo "FAIL: make lint"; fi; \
	  [ $$tests -eq 0 ] && [ $$linted -eq 0 ]

.PHONY: race
race: db-up ## unit + integration tests under the race detector (e2e runs the binary and is left out)
	$(GO) test -race -count=1 -timeout 20m ./internal/... ./web/... ./cmd/...

.PHONY: e2e
e2e: db-up e2e-setup ## browser tests only (Chromium via playwright-go)
	E2E_REQUIRED=1 PLAYWRIGHT_DRIVER_PATH=$(PW_DRIVER_DIR) $(GO) test $(TEST_FLAGS) -count=1 -v ./e2e/

.PHONY: e2e-setup
e2e-setup: ## install Debian chromium and the playwright driver (from npm) if missing
	@command -v chromium >/dev/null || { \
	  echo "installing chromium from Debian..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -f $(PW_DRIVER_DIR)/package/cli.js || { \
	  echo "installing playwright-core $(PW_VERSION) from npm..."; \
	  rm -rf $(PW_DRIVER_DIR) && mkdir -p $(PW_DRIVER_DIR) && cd $(PW_DRIVER_DIR) && \
	  npm pack --silent playwright-core@$(PW_VERSION) >/dev/null && \
	  tar xzf playwright-core-$(PW_VERSION).tgz && rm playwright-core-$(PW_VERSION).tgz; }
	@ln -sf "$$(command -v node)" $(PW_DRIVER_DIR)/node
	@$(PW_DRIVER_DIR)/node $(PW_DRIVER_DIR)/package/cli.js --version | grep -q "$(PW_VERSION)" || \
	  { echo "playwright driver in $(PW_DRIVER_DIR) is not $(PW_VERSION)"; exit 1; }

.PHONY: bench
bench: db-up ## benchmarks: Go benchmarks, then wrk against the real binary (figures in docs/benchmarks.md)
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	bash .ci/bench-http.sh
	bash .ci/bench-identify.sh
	bash .ci/bench-sync.sh
	bash .ci/bench-login.sh
	bash .ci/bench-firmware.sh
	bash .ci/bench-deploy.sh

.PHONY: generate
generate: ## regenerate templ output
	$(GO) tool templ generate

.PHONY: check-generated
check-generated: generate ## fail if generated templ code is stale
	@out=$$(git status --porcelain -- '*_templ.go'); \
	  if [ -n "$$out" ]; then echo "stale templ output (run make generate and commit):"; echo "$$out"; exit 1; fi

.PHONY: lint
lint: vulncheck ## go vet + gofmt check + govulncheck
	$(GO) vet ./...
	@out=$$("$$($(GO) env GOROOT)/bin/gofmt" -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: vulndb
vulndb: ## build the Go vulnerability database under .cache/vulndb from golang.org/x/vulndb (once per module version)
	@set -euo pipefail; \
	  v=$$($(GO) list -m -f '{{.Version}} {{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' golang.org/x/vulndb@$(VULNDB_VERSION)); \
	  ver=$${v% *}; modified=$${v#* }; \
	  db=$(VULNDB_DIR)/$$ver; \
	  if [ ! -f $$db/index/modules.json ]; then \
	    start=$$(date +%s); echo "vulndb: building golang.org/x/vulndb@$$ver into $$db"; \
	    mkdir -p $(VULNDB_DIR) && find $(VULNDB_DIR) -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +; \
	    $(GO) mod download golang.org/x/vulndb@$$ver; \
	    src=$$($(GO) list -m -f '{{.Dir}}' golang.org/x/vulndb@$$ver); \
	    $(GO) run golang.org/x/vulndb/cmd/indexdb@$$ver -vulns $$src/data/osv -out $$db.tmp; \
	    find $$db.tmp -name '*.gz' -delete; \
	    echo "{\"modified\":\"$$modified\"}" > $$db.tmp/index/db.json; \
	    mv $$db.tmp $$db; \
	    echo "vulndb: $$(ls $$db/ID | wc -l) entries, $$(du -sh $$db | cut -f1), $$(( $$(date +%s) - start )) s"; \
	  fi; \
	  ln -sfn $$ver $(VULNDB_DIR)/current

.PHONY: vulncheck
vulncheck: vulndb ## govulncheck ./... on the local database: fails on a called vulnerable symbol not reviewed in .ci/govulncheck-accepted.txt
	@set -euo pipefail; db=$$(readlink -f $(VULNDB_DIR)/current); mkdir -p .cache; \
	  $(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db file://$$db -format json ./... > .cache/govulncheck.json; \
	  $(GO) run ./internal/tools/vulngate -accepted .ci/govulncheck-accepted.txt < .cache/govulncheck.json

.PHONY: vendor-assets
vendor-assets: ## re-vendor htmx and Pico CSS from npm (upgrades only)
	tmp=$$(mktemp -d) && cd $$tmp \
	  && npm pack --silent htmx.org@$(HTMX_VERSION) @picocss/pico@$(PICO_VERSION) >/dev/null \
	  && tar xzf htmx.org-$(HTMX_VERSION).tgz package/dist/htmx.min.js \
	  && cp package/dist/htmx.min.js $(CURDIR)/static/htmx.min.js && rm -rf package \
	  && tar xzf picocss-pico-$(PICO_VERSION).tgz package/css/pico.min.css \
	  && cp package/css/pico.min.css $(CURDIR)/static/pico.min.css \
	  && cd / && rm -rf $$tmp
	sha256sum static/*.min.*

.PHONY: clean
clean: ## remove build output and this clone's caches (not the demo database, nor the per-machine $(TOOL_CACHE))
	rm -rf bin .cache e2e/artifacts

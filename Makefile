# cardflow — make targets. Go 1.26; nothing else needs installing.
GO       ?= go
BIN      := bin/cardflow
PKGS     := ./...

.PHONY: build test test-short bench lint demo fmt clean chaos

build:
	$(GO) build -o $(BIN) ./cmd/cardflow

# The full suite: vet, race-enabled tests of every package (the end-to-end
# tests build and run the binary against the emulators), the load tests at
# full speed (they skip themselves under -race, which slows the engine
# about eightfold), then the flow tests.
test: build
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)
	$(GO) test -count=1 -timeout 10m -run '^TestLoad|^TestValidateEveryMisspelling$$' ./engine/ ./engine/cli/
	$(BIN) validate flows
	@if ls flows/*/*.test.hcl >/dev/null 2>&1; then $(BIN) test flows; fi

test-short:
	$(GO) test -short -count=1 $(PKGS)

# The Go benchmarks, then the end-to-end load harness (cmd/cardflow-bench):
# the emulators and `cardflow run` as separate processes, Okta event hooks
# into the request_approval flow, then into the incident flow (the job
# peers are compared on). BENCH_FLAGS picks the load; see
# cmd/cardflow-bench/doc.go. With CARDFLOW_TEST_POSTGRES set (source
# .ci/postgres.sh starts a throwaway server) each suite adds runs on the
# PostgreSQL store with one and three replicas; without, it says so.
BENCH_FLAGS ?= -suite -duration 20s

bench: build
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./engine/... ./connectors/...
	$(GO) build -o bin/cardflow-bench ./cmd/cardflow-bench
	bin/cardflow-bench -bin $(BIN) $(BENCH_FLAGS) -postgres "$$CARDFLOW_TEST_POSTGRES"
	bin/cardflow-bench -bin $(BIN) $(BENCH_FLAGS) -flow incident -postgres "$$CARDFLOW_TEST_POSTGRES"

# The chaos scenarios (cmd/cardflow/chaos_test.go, and the SIGKILL of a
# parked execution in e2e_park_test.go): the binary against the emulators
# under 429 storms, 5xx bursts, lost answers and a deleted store; each
# prints what it verified.
chaos:
	@mkdir -p bin
	@$(GO) test -count=1 -timeout 15m -run '^TestChaos|^TestE2EParkedWaitSurvivesKill$$' -v ./cmd/cardflow/ >bin/chaos.log 2>&1; rc=$$?; \
	grep -E '^(--- |PASS|FAIL|ok)|verified:|chaos_test.go' bin/chaos.log; \
	if [ $$rc -ne 0 ]; then echo "make chaos: failed; the whole log is in bin/chaos.log"; fi; exit $$rc

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@if command -v staticcheck >/dev/null 2>&1; then staticcheck $(PKGS); \
	elif [ -x $$HOME/go/bin/staticcheck ]; then $$HOME/go/bin/staticcheck $(PKGS); \
	else $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS); fi

# The onboarding scenario end to end against the built-in emulators.
demo: build
	$(BIN) demo

fmt:
	gofmt -w $$(git ls-files '*.go')
	$(BIN) fmt flows testdata/validate/valid

clean:
	rm -rf bin

# Enigm Trust — `make run` starts the service, `make test` runs every check.
SHELL := /bin/bash
NPM_STAMP := node_modules/.package-lock.json
OPA := .tools/bin/opa
DATA_DIR ?= .data

.PHONY: install build opa policy-build policy-test run worker test typecheck lint bench clean

install: $(NPM_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: install
	npm run build

## opa: the pinned OPA (tools/go.mod), built once from the Go module proxy into .tools/bin
opa: $(OPA)

$(OPA): tools/go.mod tools/go.sum
	@scripts/build-opa.sh

## policy-build: opa check --strict, then opa build -t wasm into dist/bundle.tar.gz, signed
policy-build: $(OPA)
	@node scripts/policy-build.mjs

## policy-test: opa fmt, opa check, opa test with coverage, every fixture on the built bundle; JUnit in reports/
policy-test: build policy-build
	@node scripts/policy-test.mjs

## run: the service on the embedded PGlite database (in ./.data) and the local Redis
run: build policy-build
	@scripts/ensure-services.sh redis
	POLICY_BUNDLE_PUBLIC_KEY="$${POLICY_BUNDLE_PUBLIC_KEY:-$(DATA_DIR)/policy-signing-key.pub.pem}" node dist/cli/main.js serve

## worker: the outbox relay and fan-out workers alone (with DATABASE_URL; `run` runs them in-process)
worker: build
	@scripts/ensure-services.sh redis
	node dist/cli/main.js worker

## test: type check, lint, the policy checks, then the whole jest suite against real PostgreSQL, Redis and Chromium
test: typecheck lint policy-test
	@scripts/ensure-services.sh postgres redis
	@scripts/ensure-package.sh chromium /usr/bin/chromium 'the browser tests'
	npm test

## bench: performance as ratios against baselines measured in the same run
bench: build policy-build
	@scripts/ensure-services.sh postgres redis
	@scripts/ensure-package.sh wrk /usr/bin/wrk 'the HTTP benchmarks'
	node --expose-gc bench/policy.mjs
	node bench/decisions.mjs
	node bench/fanout.mjs
	node bench/anonymousEnrollment.mjs

typecheck: install
	npm run typecheck

lint: install
	npm run lint

clean:
	rm -rf dist coverage reports

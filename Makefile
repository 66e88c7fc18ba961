# Enigm Trust — `make run` starts the service, `make test` runs every check.
SHELL := /bin/bash
NPM_STAMP := node_modules/.package-lock.json

.PHONY: install build run worker test typecheck lint policy-test bench clean

install: $(NPM_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: install
	npm run build

## run: the service on the embedded PGlite database (in ./.data) and the local Redis
run: build
	@scripts/ensure-services.sh redis
	node dist/cli/main.js serve

## worker: the outbox relay and fan-out workers alone (with DATABASE_URL; `run` runs them in-process)
worker: build
	@scripts/ensure-services.sh redis
	node dist/cli/main.js worker

## test: type check, lint, then the whole jest suite against real PostgreSQL and Redis
test: build typecheck lint
	@scripts/ensure-services.sh postgres redis
	npm test

## policy-test: the Rego unit tests and every compliance fixture; JUnit XML in reports/
policy-test: build
	node dist/cli/main.js fixtures --junit reports

## bench: performance as ratios against baselines measured in the same run
bench: build
	@scripts/ensure-services.sh postgres redis
	node --expose-gc bench/rego.mjs
	node bench/decisions.mjs
	node bench/fanout.mjs

typecheck: install
	npm run typecheck

lint: install
	npm run lint

clean:
	rm -rf dist coverage reports

#!/usr/bin/env bash
# npm test: type-check, lint, then every test (unit, components and stacks under Pulumi mocks,
# services against real servers, the system). Ends with mocha's "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "type-check (tsc --noEmit, strict)"
tsc --noEmit -p tsconfig.json
echo "ok"

step "lint and format (biome ci)"
biome ci --reporter=summary .

step "tests (mocha)"
if [ $# -eq 0 ]; then set -- "tests/**/*.test.ts" "policies/**/*.test.ts"; fi
mocha "$@"

#!/usr/bin/env bash
# The project's test command (README: `./yecai test`; CI: .ci/run). On a fresh machine it installs what it needs
# (Node 24, npm packages, Kafka, the schema registry, FerretDB — all cached under .cache/), then typechecks and runs
# every unit and integration test against the real broker, registry and MongoDB-wire server. Extra arguments go to jest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1

declare -a TIMINGS=()
step() { # step <label> <command…>: runs it and records how long it took
  local label="$1"; shift
  local started=$SECONDS
  echo "==> $label"
  "$@"
  TIMINGS+=("$(printf '%-34s %4ds' "$label" $((SECONDS - started)))")
}

bootstrap() { source "$ROOT/scripts/bootstrap.sh"; }
step "bootstrap (Node 24, npm install)" bootstrap
echo "node $(node -v), npm $(npm -v 2>/dev/null)"
step "stack install (Kafka, registry, FerretDB)" node --import tsx services/cli/src/main.ts stack install
# One tsc over the whole repository (tsconfig.json): a fraction of the CPU of one process per package.
step "typecheck (tsc, every package and bench/)" npx tsc -p tsconfig.json --noEmit

RESULTS="$ROOT/.cache/jest-results.json"
rm -f "$RESULTS"
jest_status=0
# --forceExit: a test that leaves a handle open must not hold CI until its time limit.
run_jest() { npx jest --ci --forceExit --json --outputFile="$RESULTS" "$@" || jest_status=$?; }
step "jest (unit + integration)" run_jest "$@"

echo
echo "setup and test timings:"
printf '  %s\n' "${TIMINGS[@]}"
if [ -f "$RESULTS" ]; then
  # The closing line CI reads: "N passed, N failed, N skipped".
  node -e '
    const r = require(process.argv[1]);
    console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  ' "$RESULTS"
fi
exit "$jest_status"

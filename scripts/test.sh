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
SOLO_RESULTS="$ROOT/.cache/jest-results-solo.json"
rm -f "$RESULTS" "$SOLO_RESULTS"
jest_status=0
# run_jest <YECAI_JEST_SOLO value, may be empty> <jest args…>. --forceExit: a test that leaves a handle open must not
# hold CI until its time limit.
run_jest() { local solo="$1"; shift; YECAI_JEST_SOLO="$solo" npx jest --ci --forceExit --json "$@" || jest_status=$?; }
if [ $# -gt 0 ]; then
  step "jest (unit + integration)" run_jest "" --outputFile="$RESULTS" "$@"
else
  # The whole suite: everything but the fault suite, then the fault suite alone (see jest.config.js).
  step "jest (unit + integration)" run_jest exclude --outputFile="$RESULTS"
  step "jest (fault suite, alone)" run_jest only --outputFile="$SOLO_RESULTS" --selectProjects integration
fi

echo
echo "setup and test timings:"
printf '  %s\n' "${TIMINGS[@]}"
if [ -f "$RESULTS" ]; then
  # The closing line CI reads: "N passed, N failed, N skipped".
  node -e '
    const fs = require("fs");
    const runs = process.argv.slice(1).filter((file) => fs.existsSync(file)).map((file) => require(file));
    const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
    console.log(`jest: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
  ' "$RESULTS" "$SOLO_RESULTS"
fi
exit "$jest_status"

#!/usr/bin/env bash
# Validates everything under deploy/ and docker-compose.yml without a cluster or a Docker engine:
#   Grafana dashboards and the Kubernetes PrometheusRule up to date with their generators
#   kustomize renders every overlay; the renders pass the Kubernetes JSON schemas (strict) and vendored CRD schemas
#   promtool: alert rules, rule unit tests, the compose Prometheus config
#   compose-check (compose-go): docker-compose.yml against the compose-spec schema, build contexts, Dockerfiles, mounts
# Tools are built/installed into .cache/tools on first use (Go module proxy, PyPI) and reused afterwards.
# Ends with the plain line "N passed, N failed". Usage: scripts/validate-deploy.sh [--install-only]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLS="$ROOT/.cache/tools"
RENDER="$ROOT/.cache/deploy-render"
mkdir -p "$TOOLS" "$RENDER"

PROMTOOL_VERSION=v0.316.0          # Prometheus 3.16 (Go module versions are v0.<major><minor>.<patch>)
KUSTOMIZE_VERSION=v5.8.2           # v5.8.3 needs Go 1.27
KUBERNETES_VALIDATE_VERSION=1.37.0 # PyPI; bundles the Kubernetes JSON schemas
KUBERNETES_VERSION=1.33.0          # oldest Kubernetes we support

command -v go > /dev/null || { echo "validate-deploy: Go is required (it builds promtool, kustomize, compose-check)" >&2; exit 1; }
command -v node > /dev/null || source "$ROOT/scripts/bootstrap.sh"

timed_install() { # name, command…: runs an install once, reports how long it took
  local name=$1; shift
  local started=$SECONDS
  echo "installing $name…"
  if ! "$@" > "$TOOLS/$name-install.log" 2>&1; then
    echo "validate-deploy: installing $name failed, see $TOOLS/$name-install.log" >&2
    tail -20 "$TOOLS/$name-install.log" >&2
    exit 1
  fi
  echo "installed $name in $((SECONDS - started))s"
}

# remove_all_sd leaves out the cloud service-discovery plugins (AWS, Azure, GCE, …): most of a full build's compile
# time, and nothing here uses them (the compose config has static targets; rules need no discovery).
PROMTOOL="$TOOLS/promtool-$PROMTOOL_VERSION-nosd/promtool"
[ -x "$PROMTOOL" ] || timed_install promtool env GOBIN="$(dirname "$PROMTOOL")" go install -tags remove_all_sd "github.com/prometheus/prometheus/cmd/promtool@$PROMTOOL_VERSION"
KUSTOMIZE="$TOOLS/kustomize-$KUSTOMIZE_VERSION/kustomize"
[ -x "$KUSTOMIZE" ] || timed_install kustomize env GOBIN="$(dirname "$KUSTOMIZE")" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
# compose-check is ours: rebuild when its source changes.
COMPOSE_CHECK="$TOOLS/compose-check-$(cat deploy/tools/compose-check/go.mod deploy/tools/compose-check/go.sum deploy/tools/compose-check/main.go | sha256sum | cut -c1-12)"
[ -x "$COMPOSE_CHECK" ] || timed_install compose-check bash -c "cd deploy/tools/compose-check && go build -o '$COMPOSE_CHECK' ."
VENV="$TOOLS/deploy-venv-$KUBERNETES_VALIDATE_VERSION"
[ -x "$VENV/bin/kubernetes-validate" ] || timed_install kubernetes-validate bash -c "python3 -m venv '$VENV' && '$VENV/bin/pip' install --quiet 'kubernetes-validate==$KUBERNETES_VALIDATE_VERSION'"
[ "${1:-}" = "--install-only" ] && exit 0

passed=0
failed=0
check() { # description, command…
  local description=$1; shift
  local output
  if output=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "PASS $description"
  else
    failed=$((failed + 1))
    echo "FAIL $description"
    echo "$output" | sed 's/^/     /'
  fi
}

check "grafana dashboards match deploy/grafana/generate.mjs" node deploy/grafana/generate.mjs --check
check "PrometheusRule matches deploy/prometheus/rules" node deploy/prometheus/to-prometheusrule.mjs --check
for overlay in deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  if check "kustomize build $name" "$KUSTOMIZE" build "$overlay" -o "$RENDER/$name.yaml"; then
    secrets_flag=()
    [ "$name" = prod ] && secrets_flag=(--no-secrets) # production Secrets live outside git
    check "kubernetes schemas ($KUBERNETES_VERSION, strict) for $name" "$VENV/bin/python" deploy/tools/validate_k8s.py "$KUBERNETES_VERSION" "$RENDER/$name.yaml" "${secrets_flag[@]}"
  fi
done
check "promtool check rules" "$PROMTOOL" check rules deploy/prometheus/rules/*.yaml
check "promtool test rules" "$PROMTOOL" test rules deploy/prometheus/tests/*.yaml
check "promtool check config (compose Prometheus)" "$PROMTOOL" check config --syntax-only deploy/prometheus/prometheus.yml
check "docker-compose.yml (compose-spec schema, Dockerfiles, mounts)" "$COMPOSE_CHECK" docker-compose.yml

echo "validate-deploy: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

"""Validates rendered Kubernetes manifests: core kinds against the Kubernetes JSON schemas bundled in the PyPI
package kubernetes-validate (strict: unknown fields fail), CRD kinds against the schemas vendored in
deploy/k8s/schemas. Also refuses inline Secrets where the overlay must have none, and an `ops` port (health, metrics,
admin APIs) that no NetworkPolicy keeps private.
usage: validate_k8s.py <kubernetes-version> <rendered.yaml> [--no-secrets]"""
import json
import pathlib
import sys

import jsonschema
import yaml

CRD_SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "k8s" / "schemas"
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


def selects(selector, labels):
    """Whether a label selector (matchLabels and matchExpressions) selects these labels; an empty one selects all."""
    selector = selector or {}
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def named_workload_of_namespace(peer):
    """A peer that is one workload of the policy's own namespace, by its app.kubernetes.io/name label only."""
    selector = peer.get("podSelector") or {}
    return (
        set(peer) == {"podSelector"}
        and not selector.get("matchExpressions")
        and list((selector.get("matchLabels") or {}).keys()) == ["app.kubernetes.io/name"]
    )


def ops_port_problems(documents):
    """Every workload with a port named `ops` is selected by an Ingress NetworkPolicy of its namespace, and every such
    policy admits only that port, only from peers in labelled namespaces (no ipBlock, no empty namespaceSelector) or
    from one named workload of its own namespace (a podSelector on app.kubernetes.io/name alone, e.g. the console
    calling the admin APIs; never an empty or broader podSelector). Returns (problems, workloads checked)."""
    problems, checked = [], []
    policies = [doc for doc in documents if doc.get("kind") == "NetworkPolicy"]
    for doc in documents:
        if doc.get("kind") not in WORKLOADS:
            continue
        template = doc.get("spec", {}).get("template", {})
        ports = [port for container in template.get("spec", {}).get("containers", []) for port in container.get("ports") or []]
        ops = [port for port in ports if port.get("name") == "ops"]
        if not ops:
            continue
        name = f"{doc['kind']}/{doc.get('metadata', {}).get('name')}"
        namespace = doc.get("metadata", {}).get("namespace")
        labels = template.get("metadata", {}).get("labels") or {}
        checked.append(name)
        guarding = [
            policy for policy in policies
            if policy.get("metadata", {}).get("namespace") == namespace
            and "Ingress" in (policy["spec"].get("policyTypes") or ["Ingress"])
            and selects(policy["spec"].get("podSelector"), labels)
        ]
        if not guarding:
            problems.append(f"{name}: no NetworkPolicy selects its pods, so every pod in the cluster reaches its ops port")
            continue
        allowed_ports = {"ops", ops[0].get("containerPort")}
        for policy in guarding:
            where = f"{name}: NetworkPolicy/{policy['metadata']['name']}"
            for index, rule in enumerate(policy["spec"].get("ingress") or []):
                rule_ports = rule.get("ports") or []
                if not rule_ports or any(port.get("port") not in allowed_ports for port in rule_ports):
                    problems.append(f"{where}: ingress[{index}] must name only the ops port, not {rule_ports or 'every port'}")
                peers = rule.get("from") or []
                if not peers:
                    problems.append(f"{where}: ingress[{index}] admits every source (no `from`)")
                for peer in peers:
                    if named_workload_of_namespace(peer):
                        continue
                    if "ipBlock" in peer or not (peer.get("namespaceSelector") or {}).get("matchLabels"):
                        problems.append(f"{where}: ingress[{index}] peer {peer} is not limited to labelled namespaces")
    return problems, checked


def main() -> int:
    import kubernetes_validate  # the schema bundle lives in the venv of scripts/validate-deploy.sh

    version, path = sys.argv[1], sys.argv[2]
    no_secrets = "--no-secrets" in sys.argv[3:]
    failures = 0
    documents = [doc for doc in yaml.safe_load_all(pathlib.Path(path).read_text()) if doc]
    for doc in documents:
        kind, api = doc.get("kind"), doc.get("apiVersion", "")
        name = f"{kind}/{doc.get('metadata', {}).get('name')}"
        if no_secrets and kind == "Secret":
            print(f"FAIL {path}: {name}: this overlay must not carry Secrets (create them outside git)")
            failures += 1
            continue
        if "." in api.split("/")[0] and not api.startswith(("apps/", "policy/", "batch/", "autoscaling/", "networking.k8s.io/", "rbac.authorization.k8s.io/")):
            group = api.split("/")[0]
            schema_file = CRD_SCHEMAS / f"{kind.lower()}.{group}_{api.split('/')[1]}.schema.json"
            if not schema_file.exists():
                print(f"FAIL {path}: {name}: no vendored schema {schema_file.name} for this custom resource")
                failures += 1
                continue
            try:
                jsonschema.validate(doc, json.loads(schema_file.read_text()))
                print(f"ok   {name} (vendored CRD schema)")
            except jsonschema.ValidationError as error:
                print(f"FAIL {path}: {name}: {'.'.join(map(str, error.absolute_path))}: {error.message}")
                failures += 1
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
            print(f"ok   {name}")
        except kubernetes_validate.ValidationError as error:
            print(f"FAIL {path}: {name}: {'.'.join(map(str, error.path))}: {error.message}")
            failures += 1
        except kubernetes_validate.SchemaNotFoundError as error:
            print(f"FAIL {path}: {name}: no schema ({error})")
            failures += 1
    problems, checked = ops_port_problems(documents)
    for problem in problems:
        print(f"FAIL {path}: {problem}")
    if not checked:
        print(f"FAIL {path}: no workload with an ops port found (renamed port?) — the NetworkPolicy check would prove nothing")
        failures += 1
    elif not problems:
        print(f"ok   ops ports of {', '.join(checked)} guarded by NetworkPolicy")
    failures += len(problems)
    print(f"{len(documents) - failures} passed, {failures} failed: {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Validates rendered Kubernetes manifests: core kinds against the Kubernetes JSON schemas bundled in the PyPI
package kubernetes-validate (strict: unknown fields fail), CRD kinds against the schemas vendored in
deploy/k8s/schemas. Also refuses inline Secrets where the overlay must have none.
usage: validate_k8s.py <kubernetes-version> <rendered.yaml> [--no-secrets]"""
import json
import pathlib
import sys

import jsonschema
import kubernetes_validate
import yaml

CRD_SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "k8s" / "schemas"


def main() -> int:
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
    print(f"{len(documents) - failures} passed, {failures} failed: {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

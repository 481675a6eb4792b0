"""Validates rendered manifests against the Kubernetes OpenAPI schemas (kubernetes-validate, which
ships them offline), strictly: unknown fields are errors.

Custom resources are skipped here by exact apiVersion+kind only, because their schemas belong to
their operators: test/deploy/crd-schemas.test.ts validates each of them against its CRD schema.
Any other kind without a schema fails.

usage: python3 k8s/tools/validate_schemas.py K8S_VERSION FILE.yaml...
"""
import sys

import kubernetes_validate
import yaml

CRD_KINDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("karpenter.sh/v1", "NodePool"),
    ("cloud.google.com/v1", "BackendConfig"),
}


def main(version, files):
    checked = skipped = failed = 0
    for path in files:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            ref = f"{path}: {doc['kind']}/{doc['metadata']['name']}"
            if (doc["apiVersion"], doc["kind"]) in CRD_KINDS:
                skipped += 1
                continue
            try:
                kubernetes_validate.validate(doc, version, strict=True)
                checked += 1
            except kubernetes_validate.ValidationError as e:
                failed += 1
                print(f"INVALID {ref}: {'/'.join(map(str, e.path))}: {e.message}")
            except kubernetes_validate.SchemaNotFoundError as e:
                failed += 1
                print(f"NO SCHEMA {ref}: {e.message}")
    print(f"kubernetes {version}: {checked} objects valid, {failed} invalid, "
          f"{skipped} custom resources left to test/deploy/crd-schemas.test.ts")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))

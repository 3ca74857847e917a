"""Regenerate the schemas of the Kubeflow job kinds that katiblint bundles for KAT341.

    python scripts/generate_kubeflow_schemas.py \\
        --crds CRD_FOLDER kubeflow/training-operator v1.9.0 <commit> \\
        --crds CRD_FOLDER kubeflow/trainer v2.3.0 <commit>
    python scripts/generate_kubeflow_schemas.py --check --crds ...

Each CRD_FOLDER is a release's `manifests/base/crds` folder, taken from a checkout of the named
repository at the named tag and commit (this script never downloads anything). For every CRD of a
trial kind Katib accepts, it keeps the `openAPIV3Schema` of the served version without `status`,
descriptions or CEL rules, and writes `rules/data/kubeflow-jobs.json`, one kind per line.

To stay small, the file does not repeat the Kubernetes types: a pod template in a replica spec
becomes a `$ref` to the `PodTemplateSpec` of the bundled `batch/v1` Job schema
(`rules/data/k8s-job-*.json`), and any other object whose fields are all fields of one Kubernetes
definition of that schema (a `Volume`, a `Container`, ...) becomes a `$ref` to it. Kubernetes keeps
a field's type across releases, so the newer definition types every field the CRD's copy has.

`--check` writes nothing and exits 1 when the bundled file is not what this script would write.
Record the sources in `rules/data/README.md`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # this checkout's katiblint, also when it is not installed

from katiblint.rules import _k8s_schema  # noqa: E402

DATA = ROOT / "rules" / "data"
TARGET = DATA / "kubeflow-jobs.json"
# The kinds Katib runs as trials whose schema an operator owns (kubeflow/katib
# pkg/apis/controller/experiments/v1beta1/constants.go KubeflowJobKinds, and the operators' other jobs).
TRIAL_KINDS = ("TFJob", "PyTorchJob", "XGBoostJob", "MPIJob", "PaddleJob", "JAXJob", "TrainJob")
# Keywords the API server checks that are not types or fields (CEL rules, patterns, formats): the
# walk models types only, so they would just make the file bigger.
_DROPPED = frozenset({"x-kubernetes-validations", "pattern", "format", "maxLength", "minLength", "maxItems",
                      "minItems", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "default",
                      "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type"})
_REF = "#/$defs/"
_POD_TEMPLATE = "io.k8s.api.core.v1.PodTemplateSpec"


def read_crds(folder: Path) -> list[dict[str, Any]]:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    found = []
    for path in sorted(folder.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                doc["_file"] = path.name
                found.append(doc)
    return found


def _clean(schema: Any) -> Any:
    schema = _k8s_schema.strip_prose(schema)
    return _drop(schema)


def _drop(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_drop(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in _DROPPED:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _drop(item) for name, item in value.items()}
        else:
            out[key] = _drop(value)
    return out


class _Shared:
    """The Kubernetes definitions of the bundled Job schema, by their field names."""

    def __init__(self, job: Any) -> None:
        self.job = job
        definitions = job.definitions
        self.by_fields: dict[frozenset[str], list[str]] = {}
        self.fields: list[tuple[frozenset[str], str]] = []
        for name, schema in definitions.items():
            props = schema.get("properties")
            if not name.startswith("io.k8s.api.core.v1."):
                continue
            if isinstance(props, dict) and props:
                keys = frozenset(props)
                self.by_fields.setdefault(keys, []).append(name)
                self.fields.append((keys, name))

    def match(self, schema: dict[str, Any]) -> str | None:
        """The one Kubernetes definition that has every field `schema` has (and few more)."""
        props = schema.get("properties")
        if not isinstance(props, dict) or len(props) < 3:
            return None
        keys = frozenset(props)
        exact = self.by_fields.get(keys, [])
        found = exact or [name for fields, name in self.fields if keys < fields and len(fields) - len(keys) <= 3]
        if len(found) != 1 or not self._same_types(props, found[0]):
            return None
        return found[0]

    def _same_types(self, props: dict[str, Any], name: str) -> bool:
        theirs = self.job.definitions[name]["properties"]
        return all(_types(props[key], self.job) == _types(theirs[key], self.job) for key in props)


def _types(schema: dict[str, Any], job: Any) -> frozenset[str]:
    """The JSON types a schema accepts, `null` aside; `number` also takes integers."""
    schema = job.resolve(schema)[1]
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        return frozenset().union(*(_types(alt, job) for alt in alternatives))
    declared = schema.get("type")
    if declared is None:
        return frozenset({"object"}) if "properties" in schema else frozenset()
    found = set(declared if isinstance(declared, list) else [declared]) - {"null"}
    if "number" in found:
        found.add("integer")
    return frozenset(found)


def _is_pod_template(props: dict[str, Any]) -> bool:
    pod = props.get("spec")
    pod_props = pod.get("properties") if isinstance(pod, dict) else None
    return set(props) <= {"metadata", "spec"} and isinstance(pod_props, dict) and "containers" in pod_props


def _share(schema: Any, shared: _Shared, key: str = "", depth: int = 0) -> Any:
    """`schema` with Kubernetes types replaced by `$ref`s into the bundled Job schema.

    The job itself and its `spec` (depth 0 and 1) are the operator's own types, never replaced.
    """
    if isinstance(schema, list):
        return [_share(item, shared, "", depth) for item in schema]
    if not isinstance(schema, dict):
        return schema
    props = schema.get("properties")
    if key == "template" and isinstance(props, dict) and _is_pod_template(props):
        return {"$ref": _REF + _POD_TEMPLATE}
    found = shared.match(schema) if depth >= 2 else None
    if found is not None:
        return {"$ref": _REF + found}
    out = {}
    for name, value in schema.items():
        if name == "properties" and isinstance(value, dict):
            out[name] = {field: _share(item, shared, field, depth + 1) for field, item in value.items()}
        else:
            out[name] = _share(value, shared, "", depth)
    return out


def generate(sources: list[tuple[Path, str, str, str]]) -> str:
    job = _k8s_schema.job_schema(None)
    shared = _Shared(job)
    kinds: dict[str, Any] = {}
    provenance = []
    for folder, repo, release, commit in sources:
        files = []
        for crd in read_crds(folder):
            spec = crd.get("spec") or {}
            kind = (spec.get("names") or {}).get("kind")
            if kind not in TRIAL_KINDS:
                continue
            for version in spec.get("versions") or []:
                if not version.get("served", True):
                    continue
                schema = dict(((version.get("schema") or {}).get("openAPIV3Schema")) or {})
                props = dict(schema.get("properties") or {})
                props.pop("status", None)
                schema["properties"] = props
                kinds[f"{spec['group']}/{version['name']} {kind}"] = _share(_clean(schema), shared)
            files.append(crd["_file"])
        provenance.append({"repo": repo, "release": release, "commit": commit,
                           "files": [f"manifests/base/crds/{name}" for name in sorted(set(files))]})
    header = {
        "generator": "scripts/generate_kubeflow_schemas.py",
        "kubernetes": job.version_text,
        "sources": provenance,
    }
    lines = ["{" + json.dumps(header, sort_keys=True)[1:-1] + ', "kinds": {']
    names = sorted(kinds)
    for i, name in enumerate(names):
        body = json.dumps(kinds[name], sort_keys=True, separators=(",", ":"))
        lines.append(f"{json.dumps(name)}:{body}{',' if i < len(names) - 1 else ''}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crds", nargs=4, action="append", required=True,
                        metavar=("FOLDER", "REPO", "RELEASE", "COMMIT"),
                        help="a release's manifests/base/crds folder and where it comes from")
    parser.add_argument("--check", action="store_true", help="exit 1 if the bundled file differs; write nothing")
    options = parser.parse_args(argv)
    sources = [(Path(folder), repo, release, commit) for folder, repo, release, commit in options.crds]
    for folder, *_ in sources:
        if not folder.is_dir():
            print(f"generate_kubeflow_schemas: {folder} is not a folder", file=sys.stderr)
            return 2
    try:
        text = generate(sources)
    except _k8s_schema.SchemaUnavailable as exc:
        print(f"generate_kubeflow_schemas: {exc}", file=sys.stderr)
        return 2
    if options.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.is_file() else None
        if current != text:
            print(f"generate_kubeflow_schemas: {TARGET.name} is {'missing' if current is None else 'stale'}",
                  file=sys.stderr)
            return 1
        print(f"{TARGET.name} is current")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote rules/data/{TARGET.name} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

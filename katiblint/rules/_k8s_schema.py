"""The Kubernetes `batch/v1` Job schema, walked over positioned nodes.

katiblint bundles the Job definitions of the newest Kubernetes release it knows
(`rules/data/k8s-job-<major>.<minor>.json`, written by `scripts/generate_job_schema.py` from the
`kubernetes-validate` package: only what a Job reaches, without descriptions). Other
`--kubernetes-version`s are read from `kubernetes-validate` itself when it is installed: only its
data files, never its Python module, which pulls in jsonschema and PyYAML.

The walk mirrors what Katib's webhook does with a `batch/v1` Job template (validator.go
`validateTrialJob`): `runtime.DefaultUnstructuredConverter.FromUnstructured` into `batchv1.Job`
fails on a wrong JSON type, and the JSON patch between the template and the re-marshalled
typed Job has an `add` for every key the Go type does not know and for every `omitempty`
field set to its zero value. Semantic checks (required fields, enums) are not part of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from katiblint.yaml import Mapping, Node, Scalar, Sequence

JOB_DEFINITION = "io.k8s.api.batch.v1.Job"
BUNDLED_PREFIX = "k8s-job-"
_BUNDLED_RE = re.compile(r"^k8s-job-(\d+)\.(\d+)\.json$")
_VERSION_DIR_RE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-local-strict$")
_REQUESTED_RE = re.compile(r"^v?(\d+)\.(\d+)")
# Schema keywords that are prose for people, not rules for the converter.
_PROSE = frozenset({"description", "title", "example", "examples", "externalDocs", "$comment"})
# Keywords whose value maps names to schemas (the names are fields, never keywords).
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
_SCHEMA_LISTS = frozenset({"oneOf", "anyOf", "allOf"})
_SCHEMA_VALUES = frozenset({"items", "additionalProperties", "additionalItems", "not"})
# The JSON schema does not say which Go fields are pointers, and `omitempty` drops `""` and
# `false` only from value-typed fields (a `*string` set to `""` is kept). These are the common
# value-typed string and bool fields of a Job template (k8s.io/api core/v1 and batch/v1 types.go);
# empty lists and empty maps are found from the schema itself (slices and maps are never pointers).
VALUE_STRING_FIELDS = frozenset(
    {
        ("EnvVar", "value"),
        ("Container", "image"),
        ("Container", "workingDir"),
        ("Container", "imagePullPolicy"),
        ("Container", "terminationMessagePath"),
        ("Container", "terminationMessagePolicy"),
        ("PodSpec", "restartPolicy"),
        ("PodSpec", "dnsPolicy"),
        ("PodSpec", "serviceAccountName"),
        ("PodSpec", "serviceAccount"),
        ("PodSpec", "nodeName"),
        ("PodSpec", "hostname"),
        ("PodSpec", "subdomain"),
        ("PodSpec", "schedulerName"),
        ("PodSpec", "priorityClassName"),
        ("VolumeMount", "subPath"),
        ("VolumeMount", "subPathExpr"),
        ("ObjectMeta", "generateName"),
        ("ContainerPort", "name"),
        ("ContainerPort", "protocol"),
        ("ContainerPort", "hostIP"),
        ("EmptyDirVolumeSource", "medium"),
    }
)
VALUE_BOOL_FIELDS = frozenset(
    {
        ("PodSpec", "hostNetwork"),
        ("PodSpec", "hostPID"),
        ("PodSpec", "hostIPC"),
        ("Container", "stdin"),
        ("Container", "stdinOnce"),
        ("Container", "tty"),
        ("VolumeMount", "readOnly"),
    }
)


class SchemaUnavailable(Exception):
    """No Job schema for the Kubernetes version asked for (not bundled, and not in `kubernetes-validate`)."""


def bundled_versions() -> dict[tuple[int, int], Path]:
    """The Job schemas shipped inside katiblint: `rules/data/k8s-job-<major>.<minor>.json`."""
    from katiblint.resources import rules_dir

    versions: dict[tuple[int, int], Path] = {}
    folder = rules_dir() / "data"
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return versions
    for name in names:
        match = _BUNDLED_RE.match(name)
        if match:
            versions[(int(match.group(1)), int(match.group(2)))] = folder / name
    return versions


def package_dir() -> Path:
    """Where `kubernetes-validate` keeps its schemas, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("kubernetes_validate")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SchemaUnavailable("the `kubernetes-validate` package is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema"


def shipped_versions(root: Path) -> dict[tuple[int, int], Path]:
    """The strict schema folders of `kubernetes-validate`, by Kubernetes version."""
    versions: dict[tuple[int, int], Path] = {}
    if root.is_dir():
        for entry in root.iterdir():
            match = _VERSION_DIR_RE.match(entry.name)
            if match and (entry / "_definitions.json").is_file():
                versions[(int(match.group(1)), int(match.group(2)))] = entry
    return versions


def parse_version(requested: str) -> tuple[int, int]:
    match = _REQUESTED_RE.match(requested.strip())
    if not match:
        raise SchemaUnavailable(f"`--kubernetes-version {requested}` is not a version like `1.30`")
    return int(match.group(1)), int(match.group(2))


def pick_version(requested: str | None, available: list[tuple[int, int]]) -> tuple[int, int]:
    """The newest available version not newer than `requested` (the newest of all by default)."""
    if not available:
        raise SchemaUnavailable("no Kubernetes schema is available")
    ordered = sorted(available)
    if requested is None:
        return ordered[-1]
    wanted = parse_version(requested)
    older = [v for v in ordered if v <= wanted]
    if not older:
        raise SchemaUnavailable(
            f"no schema for Kubernetes {requested} (oldest available: {ordered[0][0]}.{ordered[0][1]})"
        )
    return older[-1]


class _Plan(NamedTuple):
    """What `walk` needs of one schema, worked out once per schema object and kept."""

    type_name: str | None  # the short definition name when the schema was a `$ref`
    schema: dict[str, Any]  # after following `$ref`s
    allowed: frozenset[str] | None  # JSON types the schema accepts, None: any
    props: dict[str, Any]
    extra: Any  # `additionalProperties` (a schema, True, False or None)
    required: frozenset[str]
    items: dict[str, Any] | None


@dataclass(frozen=True)
class JobSchema:
    version: tuple[int, int]
    definitions: dict[str, Any]
    plans: dict[int, _Plan] = field(default_factory=dict, compare=False, repr=False)

    @property
    def version_text(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    def root(self) -> dict[str, Any]:
        root: dict[str, Any] = self.definitions[JOB_DEFINITION]
        return root

    def resolve(self, schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """Follow `$ref`s: (definition name or None, schema)."""
        name = None
        seen = 0
        while "$ref" in schema and seen < 50:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            schema = self.definitions.get(name, {})
            seen += 1
        return name, schema

    def plan(self, schema: dict[str, Any]) -> _Plan:
        """`schema` resolved and digested; schemas live as long as `definitions`, so `id` keys them."""
        found = self.plans.get(id(schema))
        if found is None:
            definition, resolved = self.resolve(schema)
            allowed = _allowed_types(resolved, self)
            props: dict[str, Any] = resolved.get("properties") or {}
            items = resolved.get("items")
            found = _Plan(
                _short(definition) if definition is not None else None,
                resolved,
                frozenset(allowed) if allowed is not None else None,
                props,
                resolved.get("additionalProperties", True if not props else None),
                frozenset(resolved.get("required") or ()),
                items if isinstance(items, dict) else None,
            )
            self.plans[id(schema)] = found
        return found


def job_schema(requested: str | None) -> JobSchema:
    """The Job definition and everything it references, for a Kubernetes version.

    The newest version not newer than `requested` among the bundled schema and, when it is
    installed, `kubernetes-validate`'s; the bundled file wins a tie. The default (None) and the
    bundled version itself never look for `kubernetes-validate`. Raises `SchemaUnavailable`.
    """
    found = schema_or_reason(requested)
    if isinstance(found, str):
        raise SchemaUnavailable(found)
    return found


@lru_cache(maxsize=8)
def schema_or_reason(requested: str | None) -> JobSchema | str:
    """`job_schema`, decided once per process: the schema, or why there is none."""
    try:
        return _load(requested)
    except SchemaUnavailable as exc:
        return str(exc)


def _load(requested: str | None) -> JobSchema:
    bundled = bundled_versions()
    wanted = parse_version(requested) if requested is not None else None
    if bundled and (wanted is None or wanted in bundled):
        version = wanted or max(bundled)
        return JobSchema(version, _read_bundled(bundled[version]))
    try:
        shipped = shipped_versions(package_dir())
    except SchemaUnavailable:
        if not bundled:
            raise
        newest = max(bundled)
        if wanted is None or wanted > newest:
            return JobSchema(newest, _read_bundled(bundled[newest]))  # the newest not newer than asked
        raise SchemaUnavailable(
            f"katiblint bundles the Kubernetes {newest[0]}.{newest[1]} schema only; "
            f"the `kubernetes` extra (`pip install '.[kubernetes]'` in a clone) adds older releases such as {requested}"
        ) from None
    version = pick_version(requested, list({**shipped, **bundled}))
    if version in bundled:
        return JobSchema(version, _read_bundled(bundled[version]))
    return JobSchema(version, _read_package(shipped[version] / "_definitions.json", version))


def _read_bundled(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
        definitions = data["definitions"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SchemaUnavailable(f"katiblint's bundled {path.name} cannot be read ({exc}); reinstall katiblint") from None
    if not isinstance(definitions, dict) or JOB_DEFINITION not in definitions:
        raise SchemaUnavailable(f"katiblint's bundled {path.name} has no batch/v1 Job; reinstall katiblint")
    return definitions


def _read_package(path: Path, version: tuple[int, int]) -> dict[str, Any]:
    """The Job definitions of one of `kubernetes-validate`'s 1.8 MB files (about 10 ms to parse)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SchemaUnavailable(f"cannot read {path.name} of `kubernetes-validate`: {exc}") from None
    every = (data.get("$defs") or data.get("definitions") or {}) if isinstance(data, dict) else {}
    if JOB_DEFINITION not in every:
        raise SchemaUnavailable(f"the Kubernetes {version[0]}.{version[1]} schema has no batch/v1 Job")
    return job_definitions(every)


def job_definitions(every: dict[str, Any]) -> dict[str, Any]:
    """The Job definition and every definition it reaches through `$ref`, without prose.

    This is what is bundled (`scripts/generate_job_schema.py`) and what is kept of a
    `kubernetes-validate` file, so both sources give the walk the same schema.
    """
    kept: dict[str, Any] = {}
    stack = [JOB_DEFINITION]
    while stack:
        name = stack.pop()
        if name in kept or name not in every:
            continue
        kept[name] = strip_prose(every[name])
        stack.extend(_refs(every[name]))
    return kept


def strip_prose(schema: Any) -> Any:
    """`schema` without descriptions; a field that happens to be called `description` stays."""
    if isinstance(schema, list):
        return [strip_prose(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _PROSE:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: strip_prose(item) for name, item in value.items()}
        elif key in _SCHEMA_LISTS or key in _SCHEMA_VALUES:
            out[key] = strip_prose(value)
        else:
            out[key] = value  # `enum`, `required`, `x-kubernetes-*`, ...: data, not schemas
    return out


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[-1]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


class Problem(NamedTuple):
    """One reason the webhook cannot convert the template into a Job."""

    kind: str  # unknown-field | wrong-type | dropped-empty
    node: Node
    field: str  # the JSON key (or index) at fault
    type_name: str  # the Go type that holds the field, e.g. `PodSpec`
    expected: tuple[str, ...] = ()
    known: tuple[str, ...] = ()


# JSON Schema types in the words of a finding.
TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
}


def type_word(schema_type: str) -> str:
    return TYPE_WORDS.get(schema_type, schema_type)


def json_type(node: Node) -> str:
    if isinstance(node, Mapping):
        return "object"
    if isinstance(node, Sequence):
        return "array"
    if isinstance(node, Scalar):
        kind = node.kind
        if kind == "str":
            return "string"
        if kind == "bool":
            return "boolean"
        if kind == "null":
            return "null"
        if kind == "int":
            return "integer"
        value = node.value
        if isinstance(value, float) and value.is_integer():
            return "integer"  # `2.0` reaches the API as the JSON number 2
        return "number"
    return "unknown"


def _allowed_types(schema: dict[str, Any], js: JobSchema) -> set[str] | None:
    if "oneOf" in schema or "anyOf" in schema:
        types: set[str] = set()
        for alt in schema.get("oneOf", []) + schema.get("anyOf", []):
            found = _allowed_types(js.resolve(alt)[1], js)
            if found is None:
                return None
            types |= found
        return types
    declared = schema.get("type")
    if declared is None:
        return None
    types = set(declared if isinstance(declared, list) else [declared])
    if "number" in types:
        types.add("integer")
    return types


def _short(definition: str | None) -> str:
    return definition.rsplit(".", 1)[-1] if definition else "object"


def walk(js: JobSchema, node: Node, schema: dict[str, Any], type_name: str = "Job") -> list[Problem]:
    """Every conversion problem below `node`, which should match `schema`."""
    problems: list[Problem] = []
    _walk(js, node, schema, type_name, "", problems)
    return problems


def _walk(js: JobSchema, node: Node, schema: dict[str, Any], type_name: str, field_name: str, out: list[Problem]) -> None:
    plan = js.plan(schema)
    if plan.type_name is not None:
        type_name = plan.type_name
    actual = json_type(node)
    if actual == "null":
        return  # decodes to the zero value
    allowed = plan.allowed
    if allowed is not None and actual not in allowed:
        out.append(Problem("wrong-type", node, field_name, type_name, tuple(sorted(allowed - {"null"}))))
        return
    if isinstance(node, Mapping):  # a JSON object
        props, extra, required = plan.props, plan.extra, plan.required
        for key, key_node, value in node.items():
            if key in props:
                if key not in required and _dropped(type_name, key, value, js.plan(props[key]).schema):
                    out.append(Problem("dropped-empty", value, key, type_name))
                    continue
                _walk(js, value, props[key], type_name, key, out)
            elif isinstance(extra, dict):
                _walk(js, value, extra, type_name, key, out)
            elif extra is False or (extra is None and props):
                out.append(Problem("unknown-field", key_node, key, type_name, known=tuple(props)))
    elif isinstance(node, Sequence) and plan.items is not None:  # a JSON array
        items = plan.items
        for index, item in enumerate(node.items):
            _walk(js, item, items, type_name, str(index), out)


def _dropped(type_name: str, key: str, value: Node, schema: dict[str, Any]) -> bool:
    """True when the typed Job drops this value (`omitempty` zero value), which the webhook rejects."""
    if isinstance(value, Sequence):
        return not value.items
    if isinstance(value, Mapping):
        # only a Go map is dropped when empty; an empty struct (`emptyDir: {}`) is kept
        return not value.pairs and isinstance(schema.get("additionalProperties"), dict) and not schema.get("properties")
    if isinstance(value, Scalar):
        if value.is_str and value.value == "":
            return (type_name, key) in VALUE_STRING_FIELDS
        if value.kind == "bool" and value.value is False:
            return (type_name, key) in VALUE_BOOL_FIELDS
    return False


# --- the Kubeflow job kinds (KAT341) ---------------------------------------------------------------

KUBEFLOW_FILE = "kubeflow-jobs.json"


class KubeflowSchemas(NamedTuple):
    """The CRD schemas of the Kubeflow job kinds, walkable with `walk` (their Kubernetes types are `$ref`s
    into the bundled Job schema), and where they come from."""

    schema: JobSchema
    roots: dict[str, dict[str, Any]]  # "<apiVersion> <kind>" -> the kind's openAPIV3Schema
    sources: tuple[str, ...]  # "repo release" per source


@lru_cache(maxsize=1)
def kubeflow_schemas() -> KubeflowSchemas | str:
    """`rules/data/kubeflow-jobs.json` (written by `scripts/generate_kubeflow_schemas.py`), or why it cannot be read."""
    from katiblint.resources import rules_dir

    path = rules_dir() / "data" / KUBEFLOW_FILE
    try:
        data = json.loads(path.read_bytes())
        kinds = data["kinds"]
        sources = tuple(f"{s['repo']} {s['release']}" for s in data["sources"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"katiblint's bundled {KUBEFLOW_FILE} cannot be read ({exc}); reinstall katiblint"
    bundled = bundled_versions()
    if not bundled:
        return "katiblint's bundled Kubernetes Job schema is missing; reinstall katiblint"
    version = max(bundled)
    found = schema_or_reason(f"{version[0]}.{version[1]}")
    if isinstance(found, str):
        return found
    return KubeflowSchemas(JobSchema(version, found.definitions), dict(kinds), sources)

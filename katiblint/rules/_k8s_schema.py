"""The Kubernetes `batch/v1` Job schema shipped by `kubernetes-validate`, walked over positioned nodes.

Only the package's data files are read (its Python module, which pulls in jsonschema and
PyYAML, is never imported). The strict schema of a Kubernetes version is one `_definitions.json`
per version; the Job definition and the definitions it reaches are extracted once per process.

The walk mirrors what Katib's webhook does with a `batch/v1` Job template (validator.go
`validateTrialJob`): `runtime.DefaultUnstructuredConverter.FromUnstructured` into `batchv1.Job`
fails on a wrong JSON type, and the JSON patch between the template and the re-marshalled
typed Job has an `add` for every key the Go type does not know and for every `omitempty`
field set to its zero value. Semantic checks (required fields, enums) are not part of it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from katiblint.loader import Mapping, Node, Scalar, Sequence

JOB_DEFINITION = "io.k8s.api.batch.v1.Job"
_VERSION_DIR_RE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-local-strict$")
_REQUESTED_RE = re.compile(r"^v?(\d+)\.(\d+)")
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
    """`kubernetes-validate` is not installed, or ships no schema for the version asked for."""


def package_dir() -> Path:
    """Where `kubernetes-validate` keeps its schemas, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaUnavailable("the `kubernetes-validate` package is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema"


def shipped_versions(root: Path) -> dict[tuple[int, int], Path]:
    versions: dict[tuple[int, int], Path] = {}
    if root.is_dir():
        for entry in root.iterdir():
            match = _VERSION_DIR_RE.match(entry.name)
            if match and (entry / "_definitions.json").is_file():
                versions[(int(match.group(1)), int(match.group(2)))] = entry
    return versions


def pick_version(requested: str | None, available: list[tuple[int, int]]) -> tuple[int, int]:
    """The newest shipped version not newer than `requested` (the newest of all by default)."""
    if not available:
        raise SchemaUnavailable("`kubernetes-validate` ships no strict schemas")
    ordered = sorted(available)
    if requested is None:
        return ordered[-1]
    match = _REQUESTED_RE.match(requested.strip())
    if not match:
        raise SchemaUnavailable(f"`--kubernetes-version {requested}` is not a version like `1.30`")
    wanted = (int(match.group(1)), int(match.group(2)))
    older = [v for v in ordered if v <= wanted]
    if not older:
        raise SchemaUnavailable(
            f"`kubernetes-validate` has no schema for Kubernetes {requested} "
            f"(oldest shipped: {ordered[0][0]}.{ordered[0][1]})"
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
        return self.definitions[JOB_DEFINITION]

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


@lru_cache(maxsize=8)
def job_schema(requested: str | None) -> JobSchema:
    """The Job definition and everything it references, for a Kubernetes version (cached).

    kubernetes-validate keeps every definition of a version in one 1.8 MB file, whose parsing
    costs more than linting a file. The ~140 definitions a Job uses are kept in katiblint's cache
    directory (`cache_dir`), keyed by that file's size and modification time, and read from there
    next time; without a usable cache directory the big file is parsed every run.
    """
    versions = shipped_versions(package_dir())
    version = pick_version(requested, list(versions))
    path = versions[version] / "_definitions.json"
    try:
        stat = path.stat()
    except OSError as exc:
        raise SchemaUnavailable(f"cannot read {path.name} of `kubernetes-validate`: {exc}") from None
    cached = _cache_file(version, stat.st_size, stat.st_mtime_ns)
    kept = _read_cached(cached) if cached is not None else None
    if kept is None:
        kept = _job_definitions(path, version)
        if cached is not None:
            _write_cached(cached, kept)
    return JobSchema(version, kept)


def _job_definitions(path: Path, version: tuple[int, int]) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaUnavailable(f"cannot read {path.name} of `kubernetes-validate`: {exc}") from None
    every = data.get("$defs") or data.get("definitions") or {}
    if JOB_DEFINITION not in every:
        raise SchemaUnavailable(f"the Kubernetes {version[0]}.{version[1]} schema has no batch/v1 Job")
    kept: dict[str, Any] = {}
    stack = [JOB_DEFINITION]
    while stack:
        name = stack.pop()
        if name in kept or name not in every:
            continue
        kept[name] = every[name]
        stack.extend(_refs(every[name]))
    return kept


def cache_dir() -> Path | None:
    """Where katiblint keeps derived data: `$KATIBLINT_CACHE_DIR` (empty: no cache), else
    `$XDG_CACHE_HOME/katiblint`, else `~/.cache/katiblint`."""
    chosen = os.environ.get("KATIBLINT_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home.startswith("~"):
            return None  # no home directory: no cache rather than a `~` folder in the working directory
        base = os.path.join(home, ".cache")
    return Path(base) / "katiblint"


def _cache_file(version: tuple[int, int], size: int, mtime_ns: int) -> Path | None:
    root = cache_dir()
    if root is None:
        return None
    return root / f"k8s-job-schema-{version[0]}.{version[1]}-{size}-{mtime_ns}.json"


def _read_cached(path: Path) -> dict[str, Any] | None:
    """The cached definitions, or None when absent or unusable (then they are rebuilt)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get(JOB_DEFINITION), dict):
        return None
    return data


def _write_cached(path: Path, kept: dict[str, Any]) -> None:
    """Best effort and atomic: a read-only or full disk only means no cache."""
    import tempfile  # only on a cache miss

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(kept, out, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


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
    if actual == "object":
        props, extra, required = plan.props, plan.extra, plan.required
        for key, key_node, value in node.items():  # type: ignore[attr-defined]
            if key in props:
                if key not in required and _dropped(type_name, key, value, js.plan(props[key]).schema):
                    out.append(Problem("dropped-empty", value, key, type_name))
                    continue
                _walk(js, value, props[key], type_name, key, out)
            elif isinstance(extra, dict):
                _walk(js, value, extra, type_name, key, out)
            elif extra is False or (extra is None and props):
                out.append(Problem("unknown-field", key_node, key, type_name, known=tuple(props)))
    elif actual == "array" and plan.items is not None:
        items = plan.items
        for index, item in enumerate(node.items):  # type: ignore[attr-defined]
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

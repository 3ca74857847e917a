"""Shared pieces of the admission rules: the Go field tree, JSON decoding, webhook defaults.

Katib's webhooks decode the manifest into the typed v1beta1 Go structs, default it
(`experiment_defaults.go SetDefault`) and validate the defaulted object (`validator.go`). These
helpers let each rule see a field the way the validator sees it after those two steps.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from katiblint.yaml import Mapping, Node, Scalar, Sequence

if TYPE_CHECKING:
    from katiblint.katib.experiment import Experiment

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# experiment_defaults.go / constants.go
AUTO_INJECT_COLLECTORS = ("StdOut", "TensorFlowEvent", "File", "PrometheusMetric")


class FieldTree(NamedTuple):
    root: str
    types: dict[str, dict[str, str]]


    def struct_paths(self) -> dict[str, list[str]]:
        """Where each struct sits in an Experiment (`AlgorithmSetting` -> `spec.algorithm.algorithmSettings[]`)."""
        found: dict[str, list[str]] = {}
        queue: list[tuple[str, str]] = [(self.root, "")]
        while queue:
            name, path = queue.pop(0)
            if name in found and len(found[name]) >= 2:
                continue
            found.setdefault(name, []).append(path)
            for key, type_expr in self.types.get(name, {}).items():
                inner = element_type(type_expr)
                if inner in self.types and len(path.split(".")) < 8:
                    suffix = "[]" if type_expr.startswith("[]") else ""
                    queue.append((inner, f"{path}.{key}{suffix}".lstrip(".")))
        return found


def element_type(type_expr: str) -> str:
    if type_expr.startswith("[]"):
        return type_expr[2:]
    if type_expr.startswith("map[string]"):
        return type_expr[len("map[string]") :]
    return type_expr


@lru_cache(maxsize=None)
def field_tree() -> FieldTree:
    from katiblint.katib.catalog import read_data_file

    raw: dict[str, Any] = read_data_file("experiment-fields.yaml")
    types = {str(k): {str(f): str(t) for f, t in (v or {}).items()} for k, v in raw["types"].items()}
    return FieldTree(str(raw.get("root", "Experiment")), types)


class TypedField(NamedTuple):
    """A value the Go decoder assigns to a typed field: `owner.path` is what Go's error names."""

    node: Node
    type: str
    owner: str  # the Go struct the path starts from, e.g. `FeasibleSpace`
    path: str  # e.g. `spec.parameters.feasibleSpace.max`

    @property
    def go_field(self) -> str:
        """e.g. `FeasibleSpace.spec.parameters.feasibleSpace.max`"""
        return f"{self.owner}.{self.path}"


class UnknownKey(NamedTuple):
    mapping: Mapping
    key: str
    key_node: Node
    struct: str


def typed_fields(exp: "Experiment") -> tuple[list[TypedField], list[UnknownKey]]:
    """`walk_typed` of the whole Experiment, computed once per document for all rules."""
    return exp.memo("admission.walk_typed", lambda: walk_typed(exp.root))


@lru_cache(maxsize=None)
def field_homes() -> dict[str, tuple[str, ...]]:
    """Where each field name may appear (`parallelTrialCount` -> `spec`), for "move it there"."""
    tree = field_tree()
    homes: dict[str, list[str]] = {}
    for struct, paths in tree.struct_paths().items():
        for key in tree.types[struct]:
            homes.setdefault(key, []).extend(p or "the top level" for p in paths)
    return {k: tuple(dict.fromkeys(v)) for k, v in homes.items()}


def walk_typed(root: Mapping) -> tuple[list[TypedField], list[UnknownKey]]:
    """Every value below a known field, and every key no Go struct knows (trialSpec etc. excluded)."""
    tree = field_tree()
    walk = _TypedWalk(tree.types)
    walk.visit(root, tree.root, "", tree.root)
    return walk.typed, walk.unknown


new_field = tuple.__new__  # TypedField(...) without the named tuple's Python-level __new__: one per value


class _TypedWalk:
    """The state of one `walk_typed`. A class, not a closure: a recursive nested function is a
    reference cycle that would keep the whole node tree alive until the cycle collector runs."""

    __slots__ = ("structs", "typed", "unknown", "seen")

    def __init__(self, structs: dict[str, dict[str, str]]) -> None:
        self.structs = structs
        self.typed: list[TypedField] = []
        self.unknown: list[UnknownKey] = []
        self.seen: set[int] = set()

    def visit(self, node: Node, type_expr: str, json_path: str, owner: str) -> None:
        seen = self.seen
        if id(node) in seen:
            return
        seen.add(id(node))
        typed = self.typed
        if node.__class__ is Mapping:
            fields = self.structs.get(type_expr)
            if fields is not None:
                for key, key_node, value in node.items():
                    field_type = fields.get(key)
                    if field_type is None:
                        self.unknown.append(UnknownKey(node, key, key_node, type_expr))
                        continue
                    child_path = f"{json_path}.{key}" if json_path else key
                    typed.append(new_field(TypedField, (value, field_type, type_expr, child_path)))
                    if value.__class__ is not Scalar:
                        self.visit(value, field_type, child_path, type_expr)
            elif type_expr.startswith("map[string]"):
                inner = type_expr[len("map[string]") :]
                for _, _, value in node.items():
                    typed.append(new_field(TypedField, (value, inner, owner, json_path)))
        elif node.__class__ is Sequence and type_expr.startswith("[]"):
            inner = type_expr[2:]
            struct = inner in self.structs
            for item in node.items:
                if struct:
                    self.visit(item, inner, json_path, owner)
                else:
                    typed.append(new_field(TypedField, (item, inner, owner, json_path)))


# --- JSON decoding (encoding/json into the Go types) ------------------------------------------


_JSON_KINDS = {"str": "string", "int": "number", "float": "number", "bool": "bool", "null": "null"}


def json_kind(node: Node) -> str:
    """The JSON type a node becomes: string, number, bool, null, object or array."""
    if node.__class__ is Scalar:  # most values: tested first
        return _JSON_KINDS[(node._resolved or node._resolve())[0]]
    if node.__class__ is Mapping:
        return "object"
    if node.__class__ is Sequence:
        return "array"
    raise TypeError(f"not a YAML node: {node!r}")


def go_type_name(type_expr: str) -> str:
    if type_expr.startswith("[]"):
        return "[]" + go_type_name(type_expr[2:])
    if type_expr.startswith("map[string]"):
        return "map[string]" + go_type_name(type_expr[len("map[string]") :])
    return {
        "intOrString": "intstr.IntOrString",
        "object": "map[string]interface {}",
    }.get(type_expr, type_expr if type_expr in ("string", "bool", "int32", "float64") else f"v1beta1.{type_expr}")


def decode_problem(node: Node, type_expr: str) -> str | None:
    """Why encoding/json cannot put this value into a field of this type (None: it can).

    A JSON null is a no-op for every Go type, so it never fails here.
    """
    if node.__class__ is Scalar:  # json_kind, inlined: this runs for every typed value of the Experiment
        kind = _JSON_KINDS[(node._resolved or node._resolve())[0]]
    else:
        kind = json_kind(node)
    if type_expr == "string":  # the commonest field type first
        return None if kind == "string" or kind == "null" else kind
    if kind == "null" or type_expr == "any":
        return None
    if type_expr.startswith("[]"):
        return None if kind == "array" else kind
    if type_expr.startswith("map[string]") or type_expr == "object" or type_expr in field_tree().types:
        return None if kind == "object" else kind
    if type_expr == "bool":
        return None if kind == "bool" else kind
    if type_expr == "float64":
        if kind != "number" or not isinstance(node, Scalar):
            return kind
        return None if math.isfinite(float(node.value)) else "number"
    if type_expr in ("int32", "intOrString"):
        if kind == "string" and type_expr == "intOrString":
            return None
        if kind != "number":
            return kind
        return None if int32_value(node) is not None else "number"
    return None


def int32_value(node: Node | None) -> int | None:
    """The int32 a YAML number decodes to (`3` and `3.0` alike), None if it does not fit or is not one."""
    if not isinstance(node, Scalar) or node.kind not in ("int", "float"):
        return None
    value = node.value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    return value if INT32_MIN <= value <= INT32_MAX else None


# --- values as the validator sees them ---------------------------------------------------------


def is_set(node: Node | None) -> bool:
    """Present and not null (null decodes to the zero value, i.e. absent)."""
    return node is not None and not (isinstance(node, Scalar) and node.kind == "null")


def string_field(node: Node | None) -> str | None:
    """A Go string field after decoding: "" when absent or null, None when it cannot decode."""
    if node is None:
        return ""
    if isinstance(node, Scalar):
        if node.kind == "null":
            return ""
        if node.kind == "str":
            value: str = node.value
            return value
    return None


def quoted(value: str) -> str:
    return f'"{value}"'

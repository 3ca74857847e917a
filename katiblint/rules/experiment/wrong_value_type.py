"""KAT010 wrong-value-type."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability
from katiblint.yaml import Node, Scalar, resolve_plain
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import INT32_MAX, INT32_MIN, decode_problem, go_type_name, int32_value, typed_fields

_WANT = {
    "string": "a string",
    "bool": "a boolean (`true`/`false`, unquoted)",
    "int32": f"an integer between {INT32_MIN} and {INT32_MAX}",
    "float64": "a number",
    "intOrString": "an integer or a string",
}
_FOUND = {"string": "a string", "number": "a number", "bool": "a boolean", "object": "a mapping", "array": "a list"}


def _wanted(type_expr: str) -> str:
    if type_expr.startswith("[]"):
        return "a list"
    if type_expr in _WANT:
        return _WANT[type_expr]
    return "a mapping"


def _unquote_fix(node: Node, type_expr: str) -> Fix | None:
    """`maxTrialCount: "12"` -> `12` when the text is exactly what the field wants."""
    if not isinstance(node, Scalar) or not node.quoted:
        return None
    kind, _ = resolve_plain(node.raw) if node.raw else ("null", None)
    fits = {"int32": ("int",), "float64": ("int", "float"), "bool": ("bool",)}.get(type_expr, ())
    if kind not in fits or node.raw != node.raw.strip():
        return None
    if type_expr == "bool" and node.raw not in ("true", "false"):
        return None
    if type_expr == "int32":
        probe = Scalar(node.span, None, node.raw, None)
        if int32_value(probe) is None:
            return None
    return Fix.safe(f"write it as {_wanted(type_expr).split(' (')[0]}: `{node.raw}`", Edit.replace(node.span, node.raw))


class WrongValueType(Rule):
    code = "KAT010"
    name = "wrong-value-type"
    summary = "A value whose YAML type does not match the Katib field (list, map, number, boolean)"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES
    # A number or boolean in a string field is non-string-value's finding, with its quoting fix.
    superseded_by = ("KAT005",)

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        typed, _ = typed_fields(exp)
        trial_spec = exp.template_get("trialSpec")
        for field in typed:
            node = field.node
            if node is trial_spec:
                continue  # a trialSpec that is not an object is KAT310's decode error (D0-KIND)
            found = decode_problem(node, field.type)
            if found is None:
                continue
            shown = node.raw if isinstance(node, Scalar) else None
            text = exp.source.text[node.span.start : node.span.end] if isinstance(node, Scalar) else None
            what = _FOUND[found] + (f" (`{text}`)" if text and "\n" not in text else "")
            if found == "number" and field.type in ("int32", "intOrString"):
                value = node.value if isinstance(node, Scalar) else None
                if isinstance(value, int) and not isinstance(value, bool):
                    what = f"`{shown}` (out of the 32-bit integer range)"
                elif isinstance(value, float):
                    what = f"`{shown}` (not a whole number)"
            go_found = "number " + shown if found == "number" and shown is not None else found
            yield self.report(
                node,
                f"`{node.path}` is {what}, it must be {_wanted(field.type)}; the defaulting webhook rejects "
                f"the Experiment (`json: cannot unmarshal {go_found} into Go struct field {field.go_field} "
                f"of type {go_type_name(field.type)}`)",
                help=_help(field.type, found),
                fix=_unquote_fix(node, field.type),
            )


def _help(type_expr: str, found: str) -> str:
    if found == "string" and type_expr in ("int32", "float64", "bool"):
        return "remove the quotes"
    if type_expr.startswith("[]"):
        return "write a YAML list (one `- item` per entry)"
    if type_expr == "string":
        return "write a single string value (quote it if it looks like a number or boolean)"
    if type_expr in ("int32", "float64", "bool", "intOrString"):
        return f"write {_wanted(type_expr)}"
    return "write a mapping (`key: value` entries) here"

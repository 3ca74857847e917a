"""Shared helpers for the search-space rules: parameters and their feasible spaces as numbers.

Katib passes `min`, `max`, `step` and `list` to the suggestion service as opaque strings; the
service parses them with its own language's rules (Python `int()`/`float()`, or Go `strconv`
for goptuna), so the grammar depends on the algorithm.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from katiblint.catalog import parse_float, parse_int
from katiblint.context import Context
from katiblint.gitops import algorithm_spec
from katiblint.loader import Mapping, Node, Scalar
from katiblint.model import Experiment, as_str, mapping

NUMERIC_TYPES = ("int", "double")
LIST_TYPES = ("categorical", "discrete")
LOG_DISTRIBUTIONS = ("logUniform", "logNormal")


class Parameter(NamedTuple):
    node: Mapping
    name: str | None
    type: str | None
    space: Mapping | None

    def field(self, key: str) -> Node | None:
        return self.space.get(key) if self.space is not None else None

    def text(self, key: str) -> str | None:
        node = self.field(key)
        return as_str(node) if isinstance(node, Scalar) else None


def parameters(exp: Experiment) -> list[Parameter]:
    """`spec.parameters` with their feasible spaces, computed once per document."""
    return exp.memo(
        "feasible.parameters",
        lambda: [
            Parameter(p, as_str(p.get("name")), as_str(p.get("parameterType")), mapping(p.get("feasibleSpace")))
            for p in exp.parameters
        ],
    )


def grammar(exp: Experiment, ctx: Context) -> str:
    """`go` for goptuna-backed algorithms (strconv), else `python` (int()/float())."""
    spec = algorithm_spec(ctx, exp.algorithm_name, early=False)  # follows katib-config image routing
    return spec.parse if spec is not None else "python"


def number(param: Parameter, key: str, lang: str) -> float | None:
    """The bound `key` as the service reads it, or None when absent or unparseable."""
    text = param.text(key)
    if text is None or text == "":
        return None
    value: float | None
    if param.type == "int":
        parsed = parse_int(text, lang)
        value = float(parsed) if parsed is not None else None
    else:
        value = parse_float(text, lang)
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return value

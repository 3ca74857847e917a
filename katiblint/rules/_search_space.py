"""Shared helpers for the per-algorithm search-space rules: parameters as the services see them."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from katiblint.katib.catalog import AlgorithmSpec, parse_float, parse_int
from katiblint.context import Context
from katiblint.katib.cluster import algorithm_spec
from katiblint.yaml import Mapping, Node, Scalar
from katiblint.katib.experiment import Experiment, as_str, mapping, sequence_items
from katiblint.rules._algorithms import settings_of


class Param(NamedTuple):
    """One `spec.parameters` entry; texts are None when the field is absent or not a scalar."""

    node: Mapping
    name: str | None
    type: str | None
    space: Mapping | None
    min_node: Node | None
    max_node: Node | None
    step_node: Node | None
    min: str | None
    max: str | None
    step: str | None
    distribution: str | None
    values: list[Node]

    def field(self, key: str) -> Node | None:
        """A feasibleSpace field (`min`, `list`, ...), as written."""
        return self.space.get(key) if self.space is not None else None

    def text(self, key: str) -> str | None:
        """A feasibleSpace field's text, None when absent or not a scalar."""
        return _text(self.field(key))

    @property
    def continuous(self) -> bool:
        return self.type in ("int", "double")

    def number(self, which: str, grammar: str = "python") -> float | None:
        """`min`/`max`/`step` as the service parses it (ints with int(), doubles with float())."""
        text = getattr(self, which)
        if text is None:
            return None
        if self.type == "int":
            value = parse_int(text, grammar)
            return None if value is None else float(value)
        return parse_float(text, grammar)


def _text(node: Node | None) -> str | None:
    if isinstance(node, Scalar) and node.value is not None:
        return node.raw if not isinstance(node.value, str) else node.value
    return None


def params(exp: Experiment) -> list[Param]:
    """`spec.parameters` as the services see them, computed once per document."""
    return exp.memo("search_space.params", lambda: _params(exp))


def _params(exp: Experiment) -> list[Param]:
    found = []
    for p in exp.parameters:
        space = mapping(p.get("feasibleSpace"))
        get = space.get if space is not None else (lambda _k: None)
        found.append(
            Param(
                node=p,
                name=as_str(p.get("name")),
                type=as_str(p.get("parameterType")),
                space=space,
                min_node=get("min"),
                max_node=get("max"),
                step_node=get("step"),
                min=_text(get("min")),
                max=_text(get("max")),
                step=_text(get("step")),
                distribution=as_str(get("distribution")),
                values=sequence_items(get("list")),
            )
        )
    return found


def algorithm(exp: Experiment, ctx: Context) -> tuple[str | None, AlgorithmSpec | None]:
    """The algorithm's name and catalog entry, following katib-config image routing (once per document)."""
    name = exp.algorithm_name
    return exp.memo("search_space.algorithm", lambda: (name, algorithm_spec(ctx, name, early=False)))


def service_of(exp: Experiment, ctx: Context) -> tuple[str | None, AlgorithmSpec | None, dict[str, Any]]:
    name, spec = algorithm(exp, ctx)
    return name, spec, (ctx.catalog.service(spec.service) if spec else {})


def setting_values(exp: Experiment) -> dict[str, tuple[str | None, Node | None]]:
    """Algorithm settings by name, the last entry winning (as in the services' dicts)."""
    out: dict[str, tuple[str | None, Node | None]] = {}
    if exp.algorithm is None:
        return out
    for entry in settings_of(exp.algorithm):
        if entry.name is not None:
            out[entry.name] = (entry.value, entry.value_node or entry.name_node)
    return out


def spec_int(exp: Experiment, key: str) -> int | None:
    """An integer spec field (maxTrialCount, parallelTrialCount) when it is a plain int."""
    node = exp.spec_get(key)
    if isinstance(node, Scalar) and node.kind == "int" and isinstance(node.value, int):
        return node.value
    return None


def arange_length(start: float, stop: float, step: float) -> int:
    """len(np.arange(start, stop, step)) in float64: ceil((stop - start) / step), at least 0."""
    if step == 0 or not all(math.isfinite(v) for v in (start, stop, step)):
        raise ValueError("step must be a non-zero finite number")
    ratio = (stop - start) / step
    if not math.isfinite(ratio):
        raise ValueError("the range overflows float64")  # numpy: `Maximum allowed size exceeded`
    return max(0, math.ceil(ratio))


def float_grid(low: float, high: float, step: float) -> int:
    """Size of Katib's double grid: np.arange(min, max + step, step), dropping a last value > max.

    Mirrors internal/search_space.py convert_to_combinations. numpy's length is
    ceil((stop - start) / step) and element i is start + i * delta with
    delta = (start + step) - start, all in float64, which plain Python floats reproduce. An
    empty grid is an error upstream (`index -1 is out of bounds`); it is returned as 0.
    """
    n = arange_length(low, high + step, step)
    delta = (low + step) - low
    if n and low + (n - 1) * delta > high:
        n -= 1
    return n

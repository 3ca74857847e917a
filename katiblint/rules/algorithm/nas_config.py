"""KAT260 nas-config."""

from __future__ import annotations

import math
from typing import Callable, Iterator

from katiblint.katib.catalog import STUCK_FROM_START, parse_float, parse_int
from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping, Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, as_str, mapping, mappings, sequence_items
from katiblint.registry import Rule
from katiblint.rules._search_space import algorithm, arange_length
from katiblint.katib.api import PARAMETER_TYPES

_FAILS = "validation fails and the Experiment fails"
_STUCK = STUCK_FROM_START  # the service expands the search space at its first GetSuggestions


def _empty(node: object) -> bool:
    return node is None or (isinstance(node, Scalar) and (node.value is None or str(node.value).strip() == ""))


def _unparsed(space: Mapping | None, keys: tuple[str, ...], parse: Callable[[str], object]) -> tuple[str, str] | None:
    """The first of `keys` whose text the service's parser rejects (an absent key is the empty string)."""
    for key in keys:
        text = as_str(space.get(key)) if space is not None else None
        text = "" if text is None else text
        if parse(text) is None:
            return key, text
    return None


class NasConfig(Rule):
    code = "KAT260"
    name = "nas-config"
    summary = "A nasConfig the enas or darts service rejects or cannot expand"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec = algorithm(exp, ctx)
        nas = (spec.raw.get("nas") or {}) if spec is not None else {}
        config = mapping(exp.spec_get("nasConfig"))
        if not nas or config is None:
            return
        if nas.get("graph_checks"):
            yield from self._graph(config)
        for op in mappings(config.get("operations")):
            yield from self._operation(op, name or "?", enas=bool(nas.get("graph_checks")))

    def _graph(self, config: Mapping) -> Iterator[Diagnostic]:
        # mirrors enas/service.py ValidateAlgorithmSettings, in order
        graph = mapping(config.get("graphConfig"))
        target = graph if graph is not None else config
        for key, what in (("inputSizes", "InputSizes"), ("outputSizes", "OutputSizes")):
            if not sequence_items(target.get(key)):
                yield self.report_key(target, key, f"enas needs a non-empty `graphConfig.{key}`; {_FAILS} "
                                      f"(`Missing {what} in GraphConfig`)", help=f"add `{key}: [...]`")
        layers = target.get("numLayers")
        if _empty(layers) or (isinstance(layers, Scalar) and layers.value == 0):
            yield self.report_key(target, "numLayers", f"enas needs `graphConfig.numLayers` > 0; {_FAILS} "
                                  "(`Missing NumLayers in GraphConfig`)", help="set `numLayers`, e.g. 8")

    def _operation(self, op: Mapping, algorithm_name: str, enas: bool) -> Iterator[Diagnostic]:
        # mirrors nas/common/validation.py validate_operations (first failure wins upstream)
        if _empty(op.get("operationType")):
            yield self.report_key(op, "operationType", f"a NAS operation has no `operationType`; {_FAILS} "
                                  "(`Missing operationType in Operation`)", help="set `operationType`")
            return
        op_type = as_str(op.get("operationType"))
        parameters = mappings(op.get("parameters"))
        if not parameters:
            yield self.report_key(
                op, "parameters",
                f"operation `{op_type}` has no `parameters`; `{algorithm_name}` requires at least one on every "
                f"operation, `skip_connection` included; {_FAILS} (`Missing ParameterConfigs in Operation`)",
                help="add a parameter, e.g. `{name: filter_size, parameterType: categorical, feasibleSpace: {list: [\"3\"]}}`",
            )
            return
        for p in parameters:
            pname = as_str(p.get("name"))
            ptype = as_str(p.get("parameterType"))
            space = mapping(p.get("feasibleSpace"))
            get = space.get if space is not None else (lambda _k: None)
            if not pname:
                yield self.report_key(p, "name", f"a parameter of operation `{op_type}` has no `name`; {_FAILS} "
                                      "(`Missing Name in ParameterConfig`)", help="set `name`")
                continue
            if ptype not in PARAMETER_TYPES:
                yield self.report_key(p, "parameterType", f"parameter `{pname}` of `{op_type}` has parameterType "
                                      f"`{ptype}`; {_FAILS} (`Missing ParameterType in ParameterConfig`)",
                                      help=f"use one of {', '.join(PARAMETER_TYPES)}")
                continue
            if ptype in ("categorical", "discrete"):
                if not sequence_items(get("list")):
                    yield self.report_key(space or p, "list", f"parameter `{pname}` of `{op_type}` has an empty "
                                          f"`list`; {_FAILS} (`Missing List in ParameterConfig.feasibleSpace`)",
                                          help="list the values")
                elif ptype == "discrete" and enas:
                    yield self.report_key(p, "parameterType", f"enas cannot expand discrete parameter `{pname}` of "
                                          f"`{op_type}` (`tuple index out of range`); {_STUCK}",
                                          help="use `categorical`")
                continue
            low, high, step = get("min"), get("max"), get("step")
            if _empty(low) and _empty(high):
                yield self.report_key(space or p, "min", f"parameter `{pname}` of `{op_type}` has neither `min` nor "
                                      f"`max`; {_FAILS} (`Missing Max and Min in ParameterConfig.feasibleSpace`)",
                                      help="set `min` and `max`")
                continue
            step_text = as_str(step)
            if ptype == "double":
                value = parse_float(step_text) if step_text is not None else None
                if value is None or not value > 0:
                    yield self.report_key(space or p, "step", f"double parameter `{pname}` of `{op_type}` needs a "
                                          f"positive `step`; {_FAILS} (`Step parameter should be > 0 in "
                                          "ParameterConfig.feasibleSpace`)", help="add a positive `step`")
                    continue
                if enas:
                    unparsed = _unparsed(space, ("min", "max"), parse_float)
                    if unparsed is not None:
                        key, text = unparsed
                        yield self._enas_parse(space or p, key, pname, op_type, "float", text)
                        continue
                yield from self._overshoot(p, pname, op_type or "?", as_str(low), as_str(high), value, enas)
            elif ptype == "int" and enas and _empty(step):
                yield self.report_key(space or p, "step", f"enas expands int parameter `{pname}` of `{op_type}` with "
                                      f"`int(step)`, so it needs a `step` (`invalid literal for int() with base 10: "
                                      f"''`); {_STUCK}", help="add `step: \"1\"`")
            elif ptype == "int" and enas:
                unparsed = _unparsed(space, ("min", "max", "step"), parse_int)
                if unparsed is not None:
                    key, text = unparsed
                    yield self._enas_parse(space or p, key, pname, op_type, "int", text)

    def _enas_parse(self, holder: Mapping, key: str, pname: str, op_type: str | None, kind: str,
                    text: str) -> Diagnostic:
        """Operation.py _parse_operations reads an operation's int/double space with int()/float(), unguarded."""
        error = (f"invalid literal for int() with base 10: {text!r}" if kind == "int"
                 else f"could not convert string to float: {text!r}")
        noun = "an integer" if kind == "int" else "a number"
        value = holder.get(key)
        kind_name = "int" if kind == "int" else "double"
        what = (f"has no `{key}`" if text == "" else f"has `{key}: {text}`, not {noun} to Python's `{kind}()`")
        message = (f"{kind_name} parameter `{pname}` of `{op_type}` {what}, and enas reads it with `{kind}()` when "
                   f"it expands the operations (`{error}`); {_STUCK}")
        hint = f"write `{key}` as {noun} Python's `{kind}()` reads, e.g. `\"{'3' if kind == 'int' else '0.5'}\"`"
        if isinstance(value, Scalar):
            return self.report(value, message, help=hint)
        return self.report_key(holder, key, message, help=hint)

    def _overshoot(self, p: Mapping, pname: str, op_type: str, low_text: str | None, high_text: str | None,
                   step: float, enas: bool) -> Iterator[Diagnostic]:
        if not enas or low_text is None or high_text is None:
            return
        low, high = parse_float(low_text), parse_float(high_text)
        if low is None or high is None or not (math.isfinite(low) and math.isfinite(high) and math.isfinite(step)):
            return
        # Operation.py: np.arange(min, max + step, step), then `del` of the element past max
        try:
            n = arange_length(low, high + step, step)
        except ValueError:
            return
        if n and low + (n - 1) * ((low + step) - low) > high:
            yield self.report(
                p,
                f"enas expands double `{pname}` of `{op_type}` with `np.arange({low_text}, {high_text} + step, step)`, "
                f"which overshoots `max` in float64 and then fails (`cannot delete array elements`); {_STUCK}",
                help="use `categorical` with the exact values instead",
            )

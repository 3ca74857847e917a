"""KAT213 invalid-parameter-bounds."""

from __future__ import annotations

import math
from typing import Any, Iterator

from katiblint.katib.catalog import STUCK, STUCK_FROM_START, parse_float, parse_int
from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.yaml import Node
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import Param, params, service_of

# the service converts the search space at every GetSuggestions: a bound it cannot use fails the first
_STUCK = STUCK_FROM_START


class InvalidParameterBounds(Rule):
    code = "KAT213"
    name = "invalid-parameter-bounds"
    summary = "A parameter's min, max or step the algorithm's service cannot parse or sample from"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec, service = service_of(exp, ctx)
        if spec is None or not service:
            return
        grammar = str(service.get("grammar", "python"))
        int_as = str(service.get("int_bounds", "int"))
        version = ctx.settings.katib_version
        for p in params(exp):
            if not p.continuous:
                continue
            label = p.name or "?"
            numbers: dict[str, float] = {}
            bad = False
            for which, node in (("min", p.min_node), ("max", p.max_node), ("step", p.step_node)):
                text = getattr(p, which)
                if text is None or (which == "step" and not text.strip()):
                    continue
                value = _parse(text, p.type, int_as, grammar)
                if value is None:
                    bad = True
                    yield self.report(
                        node,  # type: ignore[arg-type]  # present: its text was read
                        f"`{which}: {text}` of {p.type} parameter `{label}` is not a number `{name}`'s service can "
                        f"parse ({_grammar_name(p.type, int_as, grammar)}); {_STUCK}",
                        help=_parse_help(p.type, int_as, grammar),
                    )
                elif not math.isfinite(value):
                    bad = True
                    yield self.report(node, f"`{which}: {text}` of parameter `{label}` is not finite; {_STUCK}",  # type: ignore[arg-type]  # present: its text was read
                                      help="use finite bounds")
                else:
                    numbers[which] = value
            if bad or "min" not in numbers or "max" not in numbers:
                continue
            low, high = numbers["min"], numbers["max"]
            if low > high:
                yield self.report(
                    p.min_node,  # type: ignore[arg-type]  # present: `min` was parsed
                    f"parameter `{label}` has `min` {p.min} greater than `max` {p.max}; `{name}`'s service cannot "
                    f"sample it and {_STUCK}",
                    help="swap `min` and `max`",
                )
                continue
            if low == high and service.get("min_equal_max") == "stuck":
                yield self.report(
                    p.min_node,  # type: ignore[arg-type]  # present: `min` was parsed
                    f"parameter `{label}` has `min` equal to `max` ({p.min}); skopt requires the lower bound to be "
                    f"strictly less than the upper bound and {_STUCK}",
                    help="widen the range, or drop the parameter and pass the constant to the trial directly",
                )
                continue
            step = numbers.get("step")
            if step is not None and step <= 0 and service.get("step") in ("honoured", "quantized", "required_for_double"):
                crash = spec.service == "goptuna" and name == "sobol" and p.type == "int" and step == 0
                yield self.report(
                    p.step_node,  # type: ignore[arg-type]  # present: `step` was parsed
                    f"parameter `{label}` has `step: {p.step}`; "
                    + ("goptuna's Sobol sampler panics (`integer divide by zero`) at the first GetSuggestions and the "
                       "suggestion pod crash-loops, so no Trial is ever created and the Experiment stays Created"
                       if crash else f"`{name}`'s service needs a positive step and {_STUCK}"),
                    help="use a positive `step`, or remove it",
                )
            yield from self._log_scale(p, name or "?", spec.service, service, low, version, ctx)

    def _log_scale(self, p: Param, name: str, svc: str, service: dict[str, Any], low: float, version: str,
                   ctx: Context) -> Iterator[Diagnostic]:
        target: Node = p.min_node or p.node  # the caller parsed `min`, so its node is there
        if low > 0:
            return
        if service.get("double_prior") == "log-uniform" and p.type == "double":
            yield self.report(
                target,
                f"`{name}` samples double parameter `{p.name}` log-uniformly, so `min: {p.min}` <= 0 yields `nan` "
                f"suggestions, trials get `nan` and the next fit fails (`Input X contains NaN`); {STUCK}",
                help="use a positive `min` (e.g. 1e-6), or shift the parameter inside the trial",
            )
            return
        entry = ctx.catalog.distribution(svc, p.distribution or "uniform", version) or {}
        positive = entry.get("positive_bounds")
        if positive == "stuck":
            yield self.report(
                target,
                f"`distribution: {p.distribution}` on `{p.name}` takes `log(min)`, and `min: {p.min}` <= 0 makes "
                f"`{name}` fail with `math domain error`; {_STUCK}",
                help="use a positive `min`, or `distribution: uniform`",
            )
        elif positive == "clamped":
            floor = "1" if p.type == "int" else "1e-10"
            yield self.report(
                target,
                f"`{name}` clamps the lower bound of log-scale `{p.name}` to {floor} (`min: {p.min}` <= 0)",
                help=f"set `min` to a positive value (the service uses {floor})",
                severity=Severity.WARNING,
            )


def _parse(text: str, ptype: str | None, int_as: str, grammar: str) -> float | None:
    if ptype == "int" and int_as == "int":
        value = parse_int(text, grammar)
        return None if value is None else float(value)
    return parse_float(text, grammar)


def _grammar_name(ptype: str | None, int_as: str, grammar: str) -> str:
    if grammar == "go":
        return "Go `strconv.Atoi`" if ptype == "int" else "Go `strconv.ParseFloat`"
    return "Python `int()`" if ptype == "int" and int_as == "int" else "Python `float()`"


def _parse_help(ptype: str | None, int_as: str, grammar: str) -> str:
    if ptype == "int" and int_as == "int":
        extra = " with no spaces, `_` or decimal point" if grammar == "go" else " (no decimal point or exponent)"
        return f"write a plain integer{extra}, e.g. `\"2\"`"
    return "write a plain decimal number, e.g. `\"0.01\"`"

"""KAT230 hyperband-configuration."""

from __future__ import annotations

import math
from typing import Iterator

from katiblint.katib.catalog import parse_float, parse_int
from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import algorithm, params, setting_values, spec_int
from katiblint.suggest import closest

DEFAULT_PARALLEL = 3  # experiment_defaults.go DefaultTrialParallelCount


def required_parallelism(r_l: float, eta_text: str | None) -> tuple[int, int] | None:
    """(smax, ceil(eta**smax)) as HyperbandService.ValidateAlgorithmSettings computes them."""
    eta = 3
    if eta_text is not None:
        value = parse_float(eta_text)
        if value is None or not math.isfinite(value):
            return None
        eta = int(value)  # the validator truncates eta
        if eta <= 0:
            eta = 3
    if r_l <= 0 or eta == 1:
        return None  # math domain error / division by zero: KAT203's finding
    smax = int(math.log(r_l) / math.log(eta))
    return smax, int(math.ceil(eta**smax))


class HyperbandConfiguration(Rule):
    code = "KAT230"
    name = "hyperband-configuration"
    summary = "A hyperband resource, parallelism or trial budget the service cannot run"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec = algorithm(exp, ctx)
        if spec is None or spec.service != "hyperband" or exp.spec is None:
            return
        settings = setting_values(exp)
        space = params(exp)
        resource, resource_node = settings.get("resource_name", (None, None))
        if resource is not None and resource_node is not None and resource not in exp.parameter_names:
            guess = closest(resource, exp.parameter_names)
            yield self.report(
                resource_node,
                f"`resource_name: {resource}` names no `spec.parameters` entry"
                + (f" (did you mean `{guess}`?)" if guess else "")
                + "; validation fails and the Experiment fails (`value of resource_name setting must be in parameters.`)",
                help="name the parameter that carries the budget (e.g. epochs)",
            )
        for p in space:
            if p.type != "discrete":
                continue
            for item in p.values:
                text = getattr(item, "raw", None)
                if text is not None and parse_int(text) is None:
                    yield self.report(
                        item,
                        f"hyperband parses discrete values with `int()`, and `{text}` of `{p.name}` is not an "
                        "integer; GetSuggestions fails from its first call, so no Trial is ever created and the Experiment "
                        "stays Created",
                        help="use `categorical` for non-integer choices",
                    )
        r_text, _ = settings.get("r_l", (None, None))
        r_l = parse_float(r_text) if r_text is not None else None
        if r_l is None or not math.isfinite(r_l) or r_l <= 0:
            return
        eta_text = settings.get("eta", (None, None))[0]
        computed = required_parallelism(r_l, eta_text)
        if computed is None:
            return
        smax, needed = computed
        parallel = spec_int(exp, "parallelTrialCount")
        explicit = exp.spec_get("parallelTrialCount") is not None
        if parallel is None and explicit:
            return
        parallel = DEFAULT_PARALLEL if parallel is None else parallel
        if parallel < needed:
            yield self.report_key(
                exp.spec,
                "parallelTrialCount",
                f"hyperband with `r_l` {r_text} and `eta` {eta_text or '3'} needs `parallelTrialCount` >= {needed} "
                f"(smax = {smax}), but it is {parallel}{'' if explicit else ' (the default)'}; validation fails and "
                f"the Experiment fails (`parallelTrialCount must be not less than {needed}.`)",
                help=f"set `parallelTrialCount: {needed}`",
            )
            return
        max_trials = spec_int(exp, "maxTrialCount")
        eta_value = parse_float(eta_text) if eta_text is not None else 3.0
        if max_trials is not None and max_trials > parallel:
            deterministic = eta_value is not None and r_l < eta_value
            yield self.report(
                exp.spec_get("maxTrialCount"),  # type: ignore[arg-type]  # present: spec_int read it
                f"hyperband `maxTrialCount` {max_trials} exceeds `parallelTrialCount` {parallel}: "
                + ("with `r_l` < `eta` there is one bracket only, so once it ends every reply is empty "
                   "(`The response contains unexpected trials`) and the Experiment stays Running"
                   if deterministic else
                   "child brackets only work when requests arrive one at a time, so the Experiment may stay Running "
                   "(`The response contains unexpected trials`, kubeflow/katib#1168)"),
                help=f"set `maxTrialCount` and `parallelTrialCount` to {needed} (eta**smax), as Katib's example does",
                severity=Severity.ERROR if deterministic else Severity.WARNING,
            )

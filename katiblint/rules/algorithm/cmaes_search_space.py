"""KAT240 cmaes-search-space."""

from __future__ import annotations

from typing import Iterator

from katiblint.katib.catalog import parse_float
from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import algorithm, params, setting_values


class CmaesSearchSpace(Rule):
    code = "KAT240"
    name = "cmaes-search-space"
    summary = "A CMA-ES search space with fewer than two continuous parameters or a zero-width one"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec = algorithm(exp, ctx)
        rules = (spec.raw.get("search_space") or {}) if spec is not None else {}
        if spec is None or "min_continuous_parameters" not in rules or exp.spec is None:
            return
        space = params(exp)
        continuous = [p for p in space if p.continuous]
        wanted = int(rules["min_continuous_parameters"])
        if space and len(continuous) < wanted:
            # mirrors goptuna/service.go ValidateAlgorithmSettings
            yield self.report_key(
                exp.spec,
                "parameters",
                f"`{name}` needs at least {wanted} int or double parameters, found {len(continuous)}; validation "
                f"fails and the Experiment fails (`{rules.get('min_continuous_message', '')}`)",
                help="add continuous parameters, or use `sobol`, `random` or `tpe` for this space",
            )
        sigma_text = setting_values(exp).get("sigma", (None, None))[0]
        sigma = parse_float(sigma_text, "go") if sigma_text is not None else None
        if sigma is not None and sigma > 0:
            return
        for p in continuous:
            low, high = p.number("min", "go"), p.number("max", "go")
            if low is not None and low == high:
                yield self.report(
                    p.min_node,  # type: ignore[arg-type]  # present: `min` was parsed
                    f"`{p.name}` has `min` equal to `max` ({p.min}), so CMA-ES's default sigma is 0 and goptuna "
                    "fails (`sigma should be non-zero positive number`) at every GetSuggestions, the first included, "
                    "so no Trial is ever created and the Experiment stays Created",
                    help="widen the range, or set a positive `sigma` algorithm setting",
                )

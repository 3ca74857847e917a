"""KAT220 skopt-acquisition-optimizer."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import params, service_of, setting_values

_TREES = ("RF", "ET", "GBRT")


class SkoptAcquisitionOptimizer(Rule):
    code = "KAT220"
    name = "skopt-acquisition-optimizer"
    summary = "acq_optimizer lbfgs with a surrogate that has no gradient"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec, service = service_of(exp, ctx)
        if spec is None or spec.service != "skopt":
            return
        settings = setting_values(exp)
        optimizer, node = settings.get("acq_optimizer", (None, None))
        if optimizer != "lbfgs" or node is None:
            return
        estimator = settings.get("base_estimator", ("GP", None))[0] or "GP"
        space = params(exp)
        if estimator in _TREES:
            why = f"`base_estimator: {estimator}` is a tree model without gradients"
        elif space and all(p.type in ("categorical", "discrete") for p in space):
            why = "every parameter is categorical or discrete, so the GP uses a HammingKernel without gradients"
        else:
            return
        # mirrors skopt.Optimizer.__init__ (0.9.0): the check runs when Katib builds the optimizer
        yield self.report(
            node,
            f"`acq_optimizer: lbfgs` with {why}; skopt raises `The regressor ... should run with "
            "acq_optimizer='sampling'` at every GetSuggestions, the first included, so no Trial is ever created and "
            "the Experiment stays Created",
            help="use `acq_optimizer: sampling` (or `auto`, which picks it)",
        )

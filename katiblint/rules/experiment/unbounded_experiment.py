"""KAT640 unbounded-experiment."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, mapping
from katiblint.registry import Rule
from katiblint.rules._runtime import EXHAUSTIVE_ALGORITHMS


class UnboundedExperiment(Rule):
    code = "KAT640"
    name = "unbounded-experiment"
    summary = "No maxTrialCount and no objective goal, with an algorithm that never ends the search itself"
    api_versions = SERVED_AND_LEGACY
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        spec, algorithm = exp.spec, exp.algorithm_name
        if spec is None or not algorithm or algorithm in EXHAUSTIVE_ALGORITHMS:
            return
        if algorithm not in ctx.catalog.algorithms:
            return  # a custom service may end the search itself
        objective = mapping(spec.get("objective"))
        if "maxTrialCount" in spec or (objective is not None and "goal" in objective):
            return
        # experiment_controller.go ReconcileTrials keeps `parallelTrialCount` Trials running
        # until maxTrialCount or the goal is reached
        yield self.report_key(
            spec,
            "maxTrialCount",
            f"neither `maxTrialCount` nor `objective.goal` is set, and `{algorithm}` never ends the search by "
            "itself; the Experiment keeps creating Trials and never finishes",
            help="set `spec.maxTrialCount` (and optionally `objective.goal`)",
        )

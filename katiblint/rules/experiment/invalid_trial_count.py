"""KAT102 invalid-trial-count."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.fix.edits import insert_entry
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import int32_value, is_set
from katiblint.katib.api import DEFAULT_PARALLEL_TRIAL_COUNT

_LE_MAX = "should be less than or equal to spec.maxTrialCount"


class InvalidTrialCount(Rule):
    code = "KAT102"
    name = "invalid-trial-count"
    summary = "maxTrialCount, parallelTrialCount or maxFailedTrialCount out of range, also after defaulting"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        spec = exp.spec
        if spec is None:
            return
        # mirrors validator.go ValidateExperiment; values that do not decode are KAT010's
        nodes = {k: spec.get(k) for k in ("maxTrialCount", "parallelTrialCount", "maxFailedTrialCount")}
        values = {k: int32_value(n) for k, n in nodes.items()}
        max_trials, parallel, max_failed = (
            values["maxTrialCount"],
            values["parallelTrialCount"],
            values["maxFailedTrialCount"],
        )
        if max_failed is not None and max_failed < 0:
            yield self.report(
                nodes["maxFailedTrialCount"],  # type: ignore[arg-type]  # present: its value was read
                f"`maxFailedTrialCount: {max_failed}` is negative; the webhook rejects the Experiment "
                "(`spec.maxFailedTrialCount: should not be less than 0`)",
                help="use 0 (fail at the first failed trial) or a positive count, or remove it (never fail)",
            )
        for key, value in (("maxTrialCount", max_trials), ("parallelTrialCount", parallel)):
            if value is not None and value <= 0:
                yield self.report(
                    nodes[key],  # type: ignore[arg-type]  # present: its value was read
                    f"`{key}: {value}` is not positive; the webhook rejects the Experiment "
                    f"(`spec.{key}: must be greater than 0`)",
                    help=f"set `{key}` to 1 or more"
                    + (", or remove it for no trial limit" if key == "maxTrialCount" else ""),
                )
        if max_trials is None or max_trials <= 0:
            return
        if max_failed is not None and max_failed > max_trials:
            yield self.report(
                nodes["maxFailedTrialCount"],  # type: ignore[arg-type]  # present: its value was read
                f"`maxFailedTrialCount: {max_failed}` exceeds `maxTrialCount: {max_trials}`; the webhook rejects "
                f"the Experiment (`spec.maxFailedTrialCount: {_LE_MAX}`)",
                help=f"lower `maxFailedTrialCount` to at most {max_trials}",
            )
        if parallel is not None and parallel > max_trials:
            yield self.report(
                nodes["parallelTrialCount"],  # type: ignore[arg-type]  # present: its value was read
                f"`parallelTrialCount: {parallel}` exceeds `maxTrialCount: {max_trials}`; the webhook rejects "
                f"the Experiment (`spec.parallelTrialCount: {_LE_MAX}`)",
                help=f"lower `parallelTrialCount` to at most {max_trials}",
            )
        elif not is_set(nodes["parallelTrialCount"]) and DEFAULT_PARALLEL_TRIAL_COUNT > max_trials:
            # experiment_defaults.go: an absent parallelTrialCount becomes 3 before validation
            edit = insert_entry(exp.source, spec, [f"parallelTrialCount: {max_trials}"])
            fix = Fix.unsafe(f"add `parallelTrialCount: {max_trials}`", edit) if edit and "parallelTrialCount" not in spec else None
            yield self.report(
                nodes["maxTrialCount"],  # type: ignore[arg-type]  # present: its value was read
                f"`maxTrialCount: {max_trials}` is below the default `parallelTrialCount` of "
                f"{DEFAULT_PARALLEL_TRIAL_COUNT} that Katib applies when it is not set; the webhook rejects the "
                f"Experiment (`spec.parallelTrialCount: Invalid value: {DEFAULT_PARALLEL_TRIAL_COUNT}: {_LE_MAX}`)",
                help=f"set `parallelTrialCount: {max_trials}` (or lower) next to `maxTrialCount`",
                fix=fix,
            )

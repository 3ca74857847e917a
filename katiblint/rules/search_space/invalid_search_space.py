"""KAT501 invalid-search-space."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Sequence
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import is_set


class InvalidSearchSpace(Rule):
    code = "KAT501"
    name = "invalid-search-space"
    summary = "Neither or both of spec.parameters and spec.nasConfig are given"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        spec = exp.spec
        if spec is None:
            return
        params = spec.get("parameters")
        nas = spec.get("nasConfig")
        if is_set(params) and not isinstance(params, Sequence):
            return  # a decode error (KAT010)
        # mirrors validator.go ValidateExperiment; `parameters: []` is dropped by the defaulting patch
        has_params = isinstance(params, Sequence) and len(params.items) > 0
        if not has_params and not is_set(nas):
            yield self.report_key(
                spec,
                "parameters",
                "the Experiment has no search space (`parameters` is missing or empty and there is no "
                "`nasConfig`); the webhook rejects it (`spec: Required value: spec.parameters or spec.nasConfig "
                "must be specified`)",
                help="list the hyperparameters to tune under `parameters:` (or `nasConfig:` for NAS algorithms)",
            )
        if has_params and is_set(nas):
            yield self.report_key(
                spec,
                "nasConfig",
                "the Experiment has both `parameters` and `nasConfig`; the webhook rejects it "
                "(`spec: Invalid value: ...: only one of spec.parameters and spec.nasConfig can be specified`)",
                help="use `parameters` for hyperparameter tuning or `nasConfig` for NAS (enas, darts), not both",
            )

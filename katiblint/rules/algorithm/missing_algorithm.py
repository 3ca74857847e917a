"""KAT204 missing-algorithm."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import is_set, string_field


class MissingAlgorithm(Rule):
    code = "KAT204"
    name = "missing-algorithm"
    summary = "spec.algorithm, or the algorithm name of the algorithm or early stopping, is missing"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        spec = exp.spec
        if spec is None:
            return
        # mirrors validator.go validateAlgorithm / validateEarlyStopping
        algorithm = spec.get("algorithm")
        if not is_set(algorithm):
            yield self.report_key(
                spec,
                "algorithm",
                "`spec.algorithm` is missing; the webhook rejects the Experiment "
                "(`spec.algorithm: Required value: must be specified`)",
                help="add `algorithm:` with an `algorithmName` such as `random`, `tpe` or `bayesianoptimization`",
            )
        elif isinstance(algorithm, Mapping) and string_field(algorithm.get("algorithmName")) == "":
            yield self.report_key(
                algorithm,
                "algorithmName",
                "`spec.algorithm.algorithmName` is missing or empty; the webhook rejects the Experiment "
                "(`spec.algorithm.algorithmName: Required value: must be specified`)",
                help="name a suggestion algorithm, e.g. `algorithmName: random`",
            )
        early = spec.get("earlyStopping")
        if isinstance(early, Mapping) and string_field(early.get("algorithmName")) == "":
            yield self.report_key(
                early,
                "algorithmName",
                "`spec.earlyStopping` has no `algorithmName`; the webhook rejects the Experiment "
                "(`spec.earlyStopping.algorithmName: Required value: must be specified`)",
                help="set `algorithmName: medianstop`, or remove `earlyStopping`",
            )

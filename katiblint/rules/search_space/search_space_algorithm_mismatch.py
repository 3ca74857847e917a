"""KAT578 search-space-algorithm-mismatch."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.katib.api import NAS_ALGORITHMS


class SearchSpaceAlgorithmMismatch(Rule):
    code = "KAT578"
    name = "search-space-algorithm-mismatch"
    summary = "A hyperparameter algorithm with nasConfig, or a NAS algorithm with parameters"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        algorithm = exp.algorithm_name
        spec = exp.spec
        if spec is None or not algorithm:
            return
        has_params = bool(exp.parameters)
        nas = spec.get("nasConfig")
        if has_params and nas is not None:
            return  # both at once is the webhook's finding
        # the webhook never cross-checks the algorithm with the kind of search space
        if algorithm in NAS_ALGORITHMS and has_params:
            yield self.report_key(
                spec,
                "parameters",
                f"`{algorithm}` is a neural-architecture-search algorithm and reads only `spec.nasConfig`; with "
                "`spec.parameters` its suggestion service fails and the Experiment fails",
                help="describe the search space under `spec.nasConfig`, or use a hyperparameter algorithm "
                "such as `random` or `tpe`",
            )
        elif nas is not None and not has_params and algorithm in ctx.catalog.algorithms and algorithm not in NAS_ALGORITHMS:
            yield self.report_key(
                spec,
                "nasConfig",
                f"`{algorithm}` is a hyperparameter algorithm and reads only `spec.parameters`; with `spec.nasConfig` "
                "it gets an empty search space: the Experiment fails, or gets no Trial and stays Created",
                help="use `enas` or `darts` for `nasConfig`, or describe hyperparameters under `spec.parameters`",
            )

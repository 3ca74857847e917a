"""KAT103 invalid-objective."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.fix.edits import replace_scalar
from katiblint.yaml import Mapping, Scalar, Sequence
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import is_set, string_field
from katiblint.katib.api import OBJECTIVE_TYPES

_SYNONYMS = {"min": "minimize", "max": "maximize", "minimise": "minimize", "maximise": "maximize"}


class InvalidObjective(Rule):
    code = "KAT103"
    name = "invalid-objective"
    summary = "The objective is missing, or its type or metric name is invalid"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        spec = exp.spec
        if spec is None:
            return
        node = spec.get("objective")
        if not is_set(node):
            yield self.report_key(
                spec,
                "objective",
                "`spec.objective` is missing; the webhook rejects the Experiment "
                "(`spec.objective: Required value: must be specified`)",
                help="add `objective:` with `type: minimize` or `maximize` and `objectiveMetricName`",
            )
            return
        if not isinstance(node, Mapping):
            return  # not an object: a decode error (KAT010)
        # mirrors validator.go validateObjective
        type_node = node.get("type")
        kind = string_field(type_node)
        if kind is not None and kind not in OBJECTIVE_TYPES:
            target = _SYNONYMS.get(kind.lower(), kind.lower())
            fix = None
            if target in OBJECTIVE_TYPES and isinstance(type_node, Scalar):
                fix = Fix.safe(f"use `{target}`", replace_scalar(type_node, target))
            shown = f"`type: {kind}` is not" if kind else "`type` is missing; it must be"
            yield self.report_key(
                node,
                "type",
                f"objective {shown} `minimize` or `maximize` (case-sensitive); the webhook rejects the Experiment "
                "(`spec.objective.type: must be minimize or maximize`)",
                help=f"use `{target}`" if target in OBJECTIVE_TYPES else "use `minimize` or `maximize`",
                fix=fix,
            )
        metric = string_field(node.get("objectiveMetricName"))
        if metric == "":
            yield self.report_key(
                node,
                "objectiveMetricName",
                "`objectiveMetricName` is missing or empty; the webhook rejects the Experiment "
                "(`spec.objective.objectiveMetricName: Required value: must be specified`)",
                help="name the metric the training code prints, e.g. `objectiveMetricName: accuracy`",
            )
        additional = node.get("additionalMetricNames")
        if metric and isinstance(additional, Sequence):
            for item in additional.items:
                if isinstance(item, Scalar) and item.is_str and item.value == metric:
                    yield self.report(
                        item,
                        f"`additionalMetricNames` repeats the objective metric `{metric}`; the webhook rejects the "
                        "Experiment (`spec.objective.additionalMetricNames: should not contain "
                        "spec.objective.objectiveMetricName`)",
                        help=f"remove `{metric}` from `additionalMetricNames`: the objective metric is always collected",
                    )

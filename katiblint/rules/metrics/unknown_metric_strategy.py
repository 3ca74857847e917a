"""KAT416 unknown-metric-strategy."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from katiblint.fix.edits import replace_scalar
from katiblint.yaml import Scalar
from katiblint.katib.experiment import Experiment, as_str, mapping, mappings
from katiblint.registry import Rule
from katiblint.suggest import closest

STRATEGIES = ("min", "max", "latest")
_ALIASES = {"minimum": "min", "minimize": "min", "maximum": "max", "maximize": "max", "last": "latest"}


class UnknownMetricStrategy(Rule):
    code = "KAT416"
    name = "unknown-metric-strategy"
    summary = "A metricStrategies value other than `min`, `max` or `latest`"
    severity = Severity.WARNING
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        objective = mapping(exp.spec_get("objective"))
        if objective is None:
            return
        for item in mappings(objective.get("metricStrategies")):
            node = item.get("value")
            value = as_str(node)
            if not isinstance(node, Scalar) or value is None or value in STRATEGIES:
                continue
            guess = _ALIASES.get(value.lower()) or closest(value, STRATEGIES)
            # status_util.go getObjectiveMetricValue knows only min, max and latest
            yield self.report(
                node,
                f"metric strategy `{value}` for `{as_str(item.get('name'))}` is not `min`, `max` or `latest`; "
                "Katib accepts it but reports the metric as unavailable, so there is no best Trial and the "
                "goal is never reached",
                help=(f"did you mean `{guess}`? " if guess else "") + "use `min`, `max` or `latest`",
                fix=Fix.unsafe(f"use `{guess}`", replace_scalar(node, guess)) if guess else None,
            )

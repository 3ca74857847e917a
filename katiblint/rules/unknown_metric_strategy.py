"""KAT416 unknown-metric-strategy."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from katiblint.edits import replace_scalar
from katiblint.loader import Scalar
from katiblint.model import Experiment, as_str, mapping, mappings
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
            # status_util.go getObjectiveMetricValue and suggestionclient.go convertTrialObservation know
            # only min, max and latest: any other strategy yields the unavailable value or an empty one
            metric = as_str(item.get("name"))
            if metric == as_str(objective.get("objectiveMetricName")):
                then = ("Katib accepts it, but reads the objective of every Trial as unavailable, so there is no best "
                        "Trial and the goal is never reached, and it sends the suggestion service an empty value")
            else:
                then = "Katib accepts it, but sends the suggestion service an empty value for this metric"
            yield self.report(
                node,
                f"metric strategy `{value}` for `{metric}` is not `min`, `max` or `latest`; {then}",
                help=(f"did you mean `{guess}`? " if guess else "") + "use `min`, `max` or `latest`",
                fix=Fix.unsafe(f"use `{guess}`", replace_scalar(node, guess)) if guess else None,
            )

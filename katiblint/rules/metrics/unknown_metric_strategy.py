"""KAT416 unknown-metric-strategy."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from katiblint.fix.edits import replace_scalar
from katiblint.katib.cluster import algorithm_spec
from katiblint.yaml import Scalar
from katiblint.katib.experiment import Experiment, as_str, mapping, mappings
from katiblint.registry import Rule
from katiblint.suggest import closest

STRATEGIES = ("min", "max", "latest")
_ALIASES = {"minimum": "min", "minimize": "min", "maximum": "max", "maximize": "max", "last": "latest"}


class UnknownMetricStrategy(Rule):
    code = "KAT416"
    name = "unknown-metric-strategy"
    summary = "A metricStrategies value other than `min`, `max` or `latest` (an error for the objective metric)"
    severity = Severity.WARNING
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        objective = mapping(exp.spec_get("objective"))
        if objective is None:
            return
        objective_name = as_str(objective.get("objectiveMetricName"))
        for item in mappings(objective.get("metricStrategies")):
            node = item.get("value")
            value = as_str(node)
            if not isinstance(node, Scalar) or value is None or value in STRATEGIES:
                continue
            guess = _ALIASES.get(value.lower()) or closest(value, STRATEGIES)
            name = as_str(item.get("name"))
            severity = None
            if name is not None and name == objective_name:
                # status_util.go getObjectiveMetricValue knows only min, max and latest; so does
                # suggestionclient.go convertTrialObservation, which then sends the service "".
                parser = _objective_parser(exp, ctx)
                if parser is not None:
                    service, facts = parser
                    message = (
                        f"metric strategy `{value}` for the objective metric `{name}` is not `min`, `max` or "
                        f"`latest`; Katib then sends the `{service}` suggestion service an empty objective value "
                        f"for each finished Trial, which its `{facts.get('parser')}` rejects "
                        f"(`{facts.get('error')}`): no Trial is created after the first ones finish, and there "
                        "is no best Trial"
                    )
                    severity = Severity.ERROR
                else:
                    message = (
                        f"metric strategy `{value}` for the objective metric `{name}` is not `min`, `max` or "
                        "`latest`; Katib accepts it, but finds no objective value in any Trial, so there is no best "
                        "Trial and the goal is never reached"
                    )
            else:
                message = (
                    f"metric strategy `{value}` for `{name}` is not `min`, `max` or `latest`; Katib accepts it, "
                    "but never extracts a value with it (the suggestion service receives an empty value for "
                    "this metric)"
                )
            yield self.report(
                node,
                message,
                help=(f"did you mean `{guess}`? " if guess else "") + "use `min`, `max` or `latest`",
                fix=Fix.unsafe(f"use `{guess}`", replace_scalar(node, guess)) if guess else None,
                severity=severity,
            )


def _objective_parser(exp: Experiment, ctx: Context) -> tuple[str, dict[str, str]] | None:
    """(service, facts) when the Experiment's suggestion service parses the objective value of finished
    Trials (`objective_value:` of the algorithm catalog); None for services that do not, or unknown ones."""
    spec = algorithm_spec(ctx, exp.algorithm_name, False)
    if spec is None:
        return None
    facts = (ctx.catalog.raw.get("objective_value") or {}).get(spec.service)
    return (spec.service, facts) if isinstance(facts, dict) else None

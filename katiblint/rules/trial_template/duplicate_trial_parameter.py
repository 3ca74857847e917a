"""KAT306 duplicate-trial-parameter."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule


class DuplicateTrialParameter(Rule):
    code = "KAT306"
    name = "duplicate-trial-parameter"
    summary = "Two trialParameters entries share a name or a reference"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for field in ("name", "reference"):
            seen: dict[str, int] = {}
            for tp in exp.trial_parameters:
                value = getattr(tp, field)
                node = tp.node.get(field)
                if value is None or node is None:
                    continue
                if value in seen:
                    yield self.report(
                        node,
                        f"trial parameter {field} `{value}` is already used on line {seen[value]}; "
                        f"the webhook rejects duplicate {field}s",
                        help=f"give each trialParameters entry its own {field}",
                    )
                else:
                    seen[value] = exp.source.position(node.span.start)[0] + 1

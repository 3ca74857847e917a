"""KAT303 unused-trial-parameter."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, FixAvailability
from katiblint.model import Experiment
from katiblint.registry import Rule
from katiblint.rules._placeholders import checks_apply, declared


class UnusedTrialParameter(Rule):
    code = "KAT303"
    name = "unused-trial-parameter"
    summary = "A declared trial parameter that no ${trialParameters.x} placeholder uses"
    fixable = FixAvailability.NEVER

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        if not checks_apply(exp):
            return
        used = {ph.name for ph in exp.placeholders}
        for tp in declared(exp):
            if tp.name in used:
                continue
            node = tp.node.get("name") or tp.node
            yield self.report(
                node,
                f"trial parameter `{tp.name}` is never used as `${{trialParameters.{tp.name}}}` in the trial "
                "spec; the webhook rejects the Experiment (`not found in spec.trialTemplate`)",
                help=f"pass it to the training code, e.g. `--{tp.name}=${{trialParameters.{tp.name}}}`, "
                "or remove the entry",
            )

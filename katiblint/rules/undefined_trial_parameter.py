"""KAT302 undefined-trial-parameter."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability
from katiblint.model import Experiment
from katiblint.registry import Rule
from katiblint.rules._placeholders import checks_apply, declared
from katiblint.source import Span
from katiblint.suggest import closest, unique_closest


class UndefinedTrialParameter(Rule):
    code = "KAT302"
    name = "undefined-trial-parameter"
    summary = "A ${trialParameters.x} placeholder with no trialParameters entry"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        if not checks_apply(exp):
            return
        names = [tp.name for tp in declared(exp) if tp.name]
        for ph in exp.placeholders:
            if ph.name in names:
                continue
            guess = closest(ph.name, names)
            safe = unique_closest(ph.name, names)
            fix = None
            if safe:
                name_span = Span(ph.span.start + len("${trialParameters."), ph.span.end - 1)
                fix = Fix.safe(f"use `{safe}`", Edit.replace(name_span, safe))
            yield self.report(
                ph.span,
                f"`${{trialParameters.{ph.name}}}` is not declared in spec.trialTemplate.trialParameters; "
                "the webhook rejects the Experiment",
                help=(f"did you mean `{guess}`? " if guess else "")
                + f"declare `{ph.name}` under trialParameters with the spec.parameters entry it takes its "
                "value from (`reference`)",
                fix=fix,
                path=ph.node.path,
            )

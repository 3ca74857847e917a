"""KAT307 malformed-placeholder."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._placeholders import checks_apply, meant_for, near_misses, unused_names

class MalformedPlaceholder(Rule):
    code = "KAT307"
    name = "malformed-placeholder"
    summary = "Text that looks like a trial parameter placeholder but is not ${trialParameters.x}"
    fixable = FixAvailability.ALWAYS

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        unused = unused_names(exp) if checks_apply(exp) else set()
        for miss in near_misses(exp):
            if meant_for(exp, miss) in unused:
                continue  # it names a declared, otherwise unused parameter: KAT303 reports it (rejected)
            yield self.report(
                miss.span,
                f"`{miss.text}` is not substituted by Katib, which only replaces `${{trialParameters.<name>}}`; "
                "the webhook lets it through and the trial receives this text literally",
                help=f"write `{miss.proper}`",
                fix=Fix.safe(f"write `{miss.proper}`", Edit.replace(miss.span, miss.proper)),
                path=miss.node.path,
            )

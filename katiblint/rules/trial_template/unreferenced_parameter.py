"""KAT305 unreferenced-parameter."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import Experiment, as_str
from katiblint.registry import Rule


class UnreferencedParameter(Rule):
    code = "KAT305"
    name = "unreferenced-parameter"
    summary = "A spec.parameters entry that no trial parameter references"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        if exp.trial_template is None or exp.template_get("trialParameters") is None:
            return  # a missing trialParameters list is the admission rules' finding
        references = {tp.reference for tp in exp.trial_parameters}
        for param in exp.parameters:
            node = param.get("name")
            name = as_str(node)
            if name is None or name in references:
                continue
            yield self.report(
                node,  # type: ignore[arg-type]  # present: its name was read above
                f"parameter `{name}` is not referenced by any trialParameters entry; Katib cannot place "
                "the suggested value, so no Trial is ever created and the Experiment stays Created",
                help=f"add a trialParameters entry with `reference: {name}` and use it in the trial spec, "
                "or remove the parameter",
            )

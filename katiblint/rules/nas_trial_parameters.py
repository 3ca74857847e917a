"""KAT261 nas-trial-parameters."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.model import Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import algorithm


class NasTrialParameters(Rule):
    code = "KAT261"
    name = "nas-trial-parameters"
    summary = "A NAS Experiment whose trialParameters miss an assignment the service sends"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec = algorithm(exp, ctx)
        nas = (spec.raw.get("nas") or {}) if spec is not None else {}
        template = exp.trial_template
        if not nas or template is None:
            return
        wanted = [str(a) for a in nas.get("trial_assignments") or ()]
        references = {tp.reference for tp in exp.trial_parameters}
        missing = [a for a in wanted if a not in references]
        if not missing:
            return
        # generator.go applyParameters: every assignment must be rendered into the trial
        yield self.report_key(
            template,
            "trialParameters",
            f"`{name}` assigns {', '.join(f'`{a}`' for a in wanted)} to every trial, but no trial parameter "
            f"references {', '.join(f'`{m}`' for m in missing)}; trials cannot be rendered and the Experiment stays "
            "Running",
            help="add " + ", ".join(f"`{{name: <name>, reference: {m}}}`" for m in missing)
            + " under `trialTemplate.trialParameters` and pass them to the trial command",
        )

"""KAT261 nas-trial-parameters."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, FixAvailability
from katiblint.fix.edits import rename_fix
from katiblint.yaml import Scalar
from katiblint.katib.experiment import META_RE, Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import algorithm


class NasTrialParameters(Rule):
    code = "KAT261"
    name = "nas-trial-parameters"
    summary = "A NAS Experiment's trialParameters reference a name the service never assigns, or miss one it does"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec = algorithm(exp, ctx)
        nas = (spec.raw.get("nas") or {}) if spec is not None else {}
        template = exp.trial_template
        if not nas or template is None:
            return
        wanted = [str(a) for a in nas.get("trial_assignments") or ()]
        assigned = ", ".join(f"`{a}`" for a in wanted)
        references = {tp.reference for tp in exp.trial_parameters}
        # generator.go applyParameters: a non-metadata reference must name an assignment
        # (errParamNotFoundInParameterAssignment), and every assignment must be referenced
        # (errParamNotFoundInTrialParameters)
        for tp in exp.trial_parameters:
            ref = tp.reference
            node = tp.node.get("reference")
            if ref is None or ref in wanted or not isinstance(node, Scalar) or META_RE.search(ref):
                continue
            free = [a for a in wanted if a not in references]
            guess, fix = rename_fix(node, ref, free or wanted)
            yield self.report(
                node,
                f"`{name}` never assigns `{ref}` (it assigns {assigned}); Katib cannot render any trial "
                "(`unable to find non-meta parameter from TrialParameters in ParameterAssignment`), so no Trial is ever "
                "created and the Experiment stays Created",
                help=(f"did you mean `{guess}`? " if guess else "") + f"reference one of {assigned}",
                fix=fix if free else None,
            )
        missing = [a for a in wanted if a not in references]
        if not missing:
            return
        yield self.report_key(
            template,
            "trialParameters",
            f"`{name}` assigns {assigned} to every trial, but no trial parameter "
            f"references {', '.join(f'`{m}`' for m in missing)}; trials cannot be rendered, so no Trial is ever created "
            "and the Experiment stays Created",
            help="add " + ", ".join(f"`{{name: <name>, reference: {m}}}`" for m in missing)
            + " under `trialTemplate.trialParameters` and pass them to the trial command",
        )

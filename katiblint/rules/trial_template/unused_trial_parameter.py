"""KAT303 unused-trial-parameter."""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability
from katiblint.fix.edits import delete_sequence_item
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._placeholders import checks_apply, declared, meant_for, misspelled_for, near_misses


def _settled(exp: Experiment) -> bool:
    """Every mention of `trialParameters.` in the trial spec is a proper, declared placeholder.

    Otherwise a near miss (`$(trialParameters.x)`, fixed by KAT307) or an undeclared placeholder
    (fixed by KAT302) may be meant for an "unused" entry, and removing it would lose it.
    """
    spec = exp.trial_spec
    if spec is None:
        return False
    text = exp.source.text[spec.span.start : spec.span.end]
    mentions = len(re.findall(r"(?i)trial_?param\w*\s*\.", text))
    names = {tp.name for tp in declared(exp)}
    return mentions == len(exp.placeholders) and all(ph.name in names for ph in exp.placeholders)


class UnusedTrialParameter(Rule):
    code = "KAT303"
    name = "unused-trial-parameter"
    summary = "A declared trial parameter that no ${trialParameters.x} placeholder uses"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        if not checks_apply(exp):
            return
        used = {ph.name for ph in exp.placeholders}
        unused = [tp for tp in declared(exp) if tp.name not in used]
        if not unused:
            return  # most Experiments
        removable = _settled(exp)
        misspelled = misspelled_for(exp)
        for tp in unused:
            if tp.name in misspelled:
                continue  # a misspelled placeholder meant for it is KAT302's finding ("did you mean")
            misses = [m for m in near_misses(exp) if meant_for(exp, m) == tp.name]
            if misses:
                # `$(trialParameters.x)` for a declared `x`: one mistake, and the webhook rejects it first
                first = misses[0]
                proper = f"${{trialParameters.{tp.name}}}"
                yield self.report(
                    first.span,
                    f"trial parameter `{tp.name}` is never used as `{proper}`: Katib does not replace "
                    f"`{first.text}`, so the webhook rejects the Experiment (`not found in spec.trialTemplate`)",
                    help=f"write `{proper}`",
                    fix=Fix.safe(f"write `{proper}`", *(Edit.replace(m.span, proper) for m in misses)),
                    path=first.node.path,
                )
                continue
            node = tp.node.get("name") or tp.node
            # Unsafe: the entry may be meant for a placeholder not written yet, and its parameter
            # may then be referenced by no trial parameter (KAT305).
            edit = None
            if removable:
                edit = delete_sequence_item(exp.source, exp.template_get("trialParameters"), tp.node)
            yield self.report(
                node,
                f"trial parameter `{tp.name}` is never used as `${{trialParameters.{tp.name}}}` in the trial "
                "spec; the webhook rejects the Experiment (`not found in spec.trialTemplate`)",
                help=f"pass it to the training code, e.g. `--{tp.name}=${{trialParameters.{tp.name}}}`, "
                "or remove the entry",
                fix=Fix.unsafe(f"remove trial parameter `{tp.name}`", edit) if edit else None,
            )

"""KAT304 unknown-parameter-reference."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, FixAvailability
from katiblint.fix.edits import rename_fix
from katiblint.yaml import Scalar
from katiblint.katib.experiment import META_RE, Experiment, is_meta_reference
from katiblint.registry import Rule


class UnknownParameterReference(Rule):
    code = "KAT304"
    name = "unknown-parameter-reference"
    summary = "A trial parameter's reference names no spec.parameters entry or trial metadata key"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        params = exp.parameter_names
        if not params:
            return  # NAS: the suggestion's own assignment names are checked by the NAS rules
        for tp in exp.trial_parameters:
            ref = tp.reference
            node = tp.node.get("reference")
            if ref is None or not isinstance(node, Scalar) or ref in params or is_meta_reference(ref):
                continue
            if META_RE.search(ref):
                yield self.report(
                    node,
                    f"`{ref}` is not a trial metadata reference Katib knows; use `${{trialSpec.Name}}`, "
                    "`Namespace`, `Kind`, `APIVersion`, `Labels[key]` or `Annotations[key]`",
                    help="fix the metadata key, or reference a spec.parameters entry",
                )
                continue
            guess, fix = rename_fix(node, ref, params)
            yield self.report(
                node,
                f"reference `{ref}` is not a spec.parameters name ({', '.join(f'`{p}`' for p in params)}); "
                "the webhook rejects the Experiment",
                help=(f"did you mean `{guess}`? " if guess else "") + "reference the `name` of a spec.parameters entry",
                fix=fix,
            )

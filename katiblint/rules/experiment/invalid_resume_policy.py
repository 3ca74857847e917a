"""KAT104 invalid-resume-policy."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, FixAvailability
from katiblint.fix.edits import rename_fix
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import string_field
from katiblint.katib.api import RESUME_POLICIES


class InvalidResumePolicy(Rule):
    code = "KAT104"
    name = "invalid-resume-policy"
    summary = "resumePolicy is not Never, LongRunning or FromVolume"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        node = exp.spec_get("resumePolicy")
        value = string_field(node)
        # mirrors validator.go validateResumePolicy ("" is defaulted to Never first)
        if not value or value in RESUME_POLICIES or not isinstance(node, Scalar):
            return
        guess, fix = rename_fix(node, value, RESUME_POLICIES)
        yield self.report(
            node,
            f"`resumePolicy: {value}` is not a resume policy{f' (did you mean `{guess}`?)' if guess else ''}; "
            "the webhook rejects the Experiment "
            "(`spec.resumePolicy: invalid ResumePolicyType`)",
            help=(f"did you mean `{guess}`? " if guess else "") + "use `Never`, `LongRunning` or `FromVolume` "
            "(case-sensitive)",
            fix=fix,
        )

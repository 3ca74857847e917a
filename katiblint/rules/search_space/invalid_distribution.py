"""KAT503 invalid-distribution."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, FixAvailability
from katiblint.fix.edits import rename_fix
from katiblint.yaml import Mapping, Scalar
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import string_field
from katiblint.katib.api import ACCEPTED_DISTRIBUTIONS, DISTRIBUTIONS



class InvalidDistribution(Rule):
    code = "KAT503"
    name = "invalid-distribution"
    summary = "A feasibleSpace distribution other than uniform, logUniform, normal or logNormal"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        # mirrors validator.go validateParameters; "" is defaulted to uniform before validation
        for param in exp.parameters:
            space = param.get("feasibleSpace")
            if not isinstance(space, Mapping):
                continue
            node = space.get("distribution")
            value = string_field(node)
            if not value or value in ACCEPTED_DISTRIBUTIONS or not isinstance(node, Scalar):
                continue
            guess, fix = rename_fix(node, value, DISTRIBUTIONS)
            yield self.report(
                node,
                f"`distribution: {value}` is not a Katib distribution{f' (did you mean `{guess}`?)' if guess else ''}; "
                "the webhook rejects the Experiment "
                f"(`distribution: {value} is not supported`)",
                help=(f"did you mean `{guess}`? " if guess else "")
                + "use `uniform`, `logUniform`, `normal` or `logNormal` (case-sensitive), or omit it for `uniform`",
                fix=fix,
            )

"""KAT502 invalid-parameter-type."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.fix.edits import rename_fix, replace_scalar
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import string_field
from katiblint.katib.api import ACCEPTED_PARAMETER_TYPES, PARAMETER_TYPES
from katiblint.suggest import closest

# Names other tools use for the same types.
SYNONYMS = {"float": "double", "integer": "int", "real": "double", "choice": "categorical", "enum": "categorical"}


class InvalidParameterType(Rule):
    code = "KAT502"
    name = "invalid-parameter-type"
    summary = "A parameterType other than int, double, categorical or discrete"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        # mirrors validator.go validateParameters (spec.parameters only; nasConfig is not checked)
        for param in exp.parameters:
            node = param.get("parameterType")
            value = string_field(node)
            if value is None or value in ACCEPTED_PARAMETER_TYPES:
                continue
            name = string_field(param.get("name")) or "?"
            if not value:
                yield self.report_key(
                    param,
                    "parameterType",
                    f"parameter `{name}` has no `parameterType`; the webhook rejects the Experiment "
                    "(`parameterType:  is not supported`)",
                    help="set `parameterType` to `int`, `double`, `categorical` or `discrete`",
                )
                continue
            synonym = SYNONYMS.get(value.lower())
            if not isinstance(node, Scalar):
                guess, fix = synonym or closest(value, PARAMETER_TYPES), None
            elif synonym:
                guess, fix = synonym, Fix.safe(f"use `{synonym}`", replace_scalar(node, synonym))
            else:
                guess, fix = rename_fix(node, value, PARAMETER_TYPES)
            yield self.report(
                node,  # type: ignore[arg-type]  # a scalar: its text was read above
                f"`parameterType: {value}` is not a Katib parameter type{f' (did you mean `{guess}`?)' if guess else ''}; "
                "the webhook rejects the Experiment "
                f"(`parameterType: {value} is not supported`)",
                help=(f"did you mean `{guess}`? " if guess else "")
                + "use `int`, `double`, `categorical` or `discrete` (case-sensitive)",
                fix=fix,
            )

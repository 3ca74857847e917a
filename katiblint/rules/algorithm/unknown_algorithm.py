"""KAT201 unknown-algorithm."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, FixAvailability
from katiblint.fix.edits import rename_fix
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, as_str
from katiblint.registry import Rule


class UnknownAlgorithm(Rule):
    code = "KAT201"
    name = "unknown-algorithm"
    summary = "The algorithm or early-stopping name is not configured in katib-config"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for section, names, what, config_key in (
            (exp.algorithm, ctx.suggestion_names, "algorithm", "algorithms"),
            (exp.early_stopping, ctx.early_stopping_names, "early-stopping algorithm", "early-stopping-algorithms"),
        ):
            if section is None:
                continue
            node = section.get("algorithmName")
            name = as_str(node)
            if not isinstance(node, Scalar) or not name or name in names:
                continue  # a missing name is the admission rules' finding
            guess, fix = rename_fix(node, name, names, "rename to")
            hint = f"did you mean `{guess}`? " if guess else ""
            yield self.report(
                node,
                f"{what} `{name}` is not in katib-config; the webhook rejects the Experiment "
                f"(`unable to get {'Suggestion' if what == 'algorithm' else 'EarlyStopping'} config data`)",
                help=f"{hint}known: {', '.join(names)}; a custom service needs its name under "
                f"`{config_key}` in the katiblint configuration",
                fix=fix,
            )

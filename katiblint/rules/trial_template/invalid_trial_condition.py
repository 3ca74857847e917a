"""KAT353 invalid-trial-condition."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._gjson import GJSONError, parse
from katiblint.rules._runtime import condition_nodes, value_span


class InvalidTrialCondition(Rule):
    code = "KAT353"
    name = "invalid-trial-condition"
    summary = "A successCondition or failureCondition that is not a valid GJSON path"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for key, node, text in condition_nodes(exp):
            try:
                parse(text)
            except GJSONError as error:
                # mirrors job_util.go GetDeployedJobStatus: gjson.Get returns nothing for a bad
                # path, so the condition never holds
                yield self.report(
                    value_span(node, error.offset),
                    f"`{key}` is not a valid GJSON path: {error}; GJSON matches nothing, so the Trial "
                    + ("never reaches Succeeded and stays Running" if key == "successCondition" else "is never marked Failed"),
                    help='write it like `status.conditions.#(type=="Complete")#|#(status=="True")#`',
                    path=node.path,
                )

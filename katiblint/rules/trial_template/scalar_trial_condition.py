"""KAT354 scalar-trial-condition."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._gjson import GJSONError, parse, shape
from katiblint.rules._runtime import condition_nodes

_EXAMPLE = 'status.conditions.#(type=="Complete")#|#(status=="True")#'


class ScalarTrialCondition(Rule):
    code = "KAT354"
    name = "scalar-trial-condition"
    summary = "A successCondition or failureCondition that selects a value instead of a matching condition"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for key, node, text in condition_nodes(exp):
            try:
                kind = shape(parse(text))
            except GJSONError:
                continue  # invalid-trial-condition's finding
            # mirrors job_util.go GetDeployedJobStatus: only an object or a non-empty array counts
            if kind == "scalar":
                yield self.report(
                    node,
                    f"`{key}` `{text}` selects a single value; Katib only accepts an object or a non-empty "
                    "array, so the condition never holds and the Trial "
                    + ("stays Running" if key == "successCondition" else "is never marked Failed"),
                    help=f"select the matching condition or object with a query, e.g. `{_EXAMPLE}` "
                    'or `status.[@this].#(phase=="Succeeded")#`',
                )
            elif kind == "scalars":
                yield self.report(
                    node,
                    f"`{key}` `{text}` selects a list of plain values; Katib unmarshals the first element "
                    "as a condition object and fails, so the Trial's status is never updated",
                    help=f"filter conditions with a query instead, e.g. `{_EXAMPLE}`",
                )
            elif kind == "conditions":
                verdict = "Succeeded" if key == "successCondition" else "Failed"
                if exp.trial_kind == "Job":
                    # a batch Job has no condition while it runs: the first one comes when it ends
                    when = ("a Job gets its first condition only when it ends (or is suspended), and Katib then "
                            f"marks the Trial {verdict} whatever the outcome")
                else:
                    when = f"the job has any condition (`Created`, `Running`); Katib marks the Trial {verdict} at once"
                yield self.report(
                    node,
                    f"`{key}` `{text}` selects the whole conditions list, which is non-empty as soon as {when}",
                    help=f"filter on the condition type and status, e.g. `{_EXAMPLE}`",
                )

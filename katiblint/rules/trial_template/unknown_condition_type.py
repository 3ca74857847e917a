"""KAT355 unknown-condition-type."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._gjson import GJSONError, parse
from katiblint.rules._runtime import ARGO_PHASES, CONDITION_STATUSES, CONDITION_TYPES, condition_nodes
from katiblint.suggest import closest


class UnknownConditionType(Rule):
    code = "KAT355"
    name = "unknown-condition-type"
    summary = "A trial condition compares a condition type, status or phase the trial kind never sets"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        kind = exp.trial_kind
        for key, node, text in condition_nodes(exp):
            try:
                path = parse(text)
            except GJSONError:
                continue
            after_conditions = False
            for seg in path.segments:
                if seg.kind == "key":
                    after_conditions = seg.text == "conditions"
                    continue
                if seg.kind not in ("query", "query-all"):
                    continue
                for comp in seg.comparisons:
                    if comp.op != "==" or comp.value is None:
                        continue
                    allowed: tuple[str, ...] | None = None
                    what = comp.key
                    if comp.key == "type" and after_conditions and kind in CONDITION_TYPES:
                        allowed = CONDITION_TYPES[kind]
                        what = f"condition type `{comp.value}`"
                    elif comp.key == "status" and after_conditions:
                        allowed = CONDITION_STATUSES
                        what = f"condition status `{comp.value}`"
                    elif comp.key == "phase" and kind == "Workflow":
                        allowed = ARGO_PHASES
                        what = f"phase `{comp.value}`"
                    if allowed is None or comp.value in allowed:
                        continue
                    guess = closest(comp.value, allowed)
                    listing = ", ".join(f"`{a}`" for a in allowed)
                    owner = f"a `{kind}` never sets" if comp.key != "status" else "no Kubernetes condition has"
                    yield self.report(
                        node,
                        f"`{key}` compares the {what}, which {owner} ({listing}); the condition "
                        "never holds, so the Trial "
                        + ("stays Running" if key == "successCondition" else "is never marked Failed"),
                        help=(f"did you mean `{guess}`? " if guess else "")
                        + "condition types and statuses are case-sensitive",
                    )

"""KAT504 invalid-feasible-space."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping, Sequence
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import is_set, string_field


class InvalidFeasibleSpace(Rule):
    code = "KAT504"
    name = "invalid-feasible-space"
    summary = "A feasibleSpace whose shape does not fit the parameter type (min/max vs list)"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        # mirrors validator.go validateParameters
        for param in exp.parameters:
            ptype = string_field(param.get("parameterType"))
            name = string_field(param.get("name")) or "?"
            space_node = param.get("feasibleSpace")
            if is_set(space_node) and not isinstance(space_node, Mapping):
                continue  # a decode error (KAT010)
            space = space_node if isinstance(space_node, Mapping) else None
            if ptype in ("int", "double"):
                if space is None:
                    yield self.report_key(
                        param,
                        "feasibleSpace",
                        f"{ptype} parameter `{name}` has no `feasibleSpace`; the webhook rejects the Experiment "
                        f"(`feasibleSpace.max or feasibleSpace.min must be specified for parameterType: {ptype}`)",
                        help="add `feasibleSpace:` with quoted `min` and `max`, e.g. `min: \"0.01\"`",
                    )
                    continue
                items = space.get("list")
                if isinstance(items, Sequence) and items.items:
                    yield self.report(
                        space.key_node("list"),  # type: ignore[arg-type]  # present: its value was read above
                        f"{ptype} parameter `{name}` has a `list`; the webhook rejects the Experiment "
                        f"(`feasibleSpace.list is not supported for parameterType: {ptype}`)",
                        help="use `min`/`max` (and `step`) for numbers, or make the parameter `categorical`/`discrete`",
                    )
                for key in ("min", "max"):
                    if string_field(space.get(key)) == "":
                        yield self.report_key(
                            space,
                            key,
                            f"{ptype} parameter `{name}` has no `{key}`; the webhook rejects the Experiment "
                            f"(`spec.parameters[].feasibleSpace.max: Required value: feasibleSpace.max or "
                            f"feasibleSpace.min must be specified for parameterType: {ptype}`)",
                            help=f"set `{key}` as a quoted number",
                        )
            elif ptype in ("categorical", "discrete") and space is not None:
                for key in ("min", "max", "step"):
                    value = space.get(key)
                    if is_set(value) and string_field(value) != "":
                        yield self.report(
                            space.key_node(key),  # type: ignore[arg-type]  # present: its value was read above
                            f"{ptype} parameter `{name}` has `{key}`; the webhook rejects the Experiment "
                            f"(`feasibleSpace .max, .min and .step is not supported for parameterType: {ptype}`)",
                            help="list the values under `list:` instead, or make the parameter `int`/`double`",
                        )

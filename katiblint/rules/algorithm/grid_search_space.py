"""KAT211 grid-search-space."""

from __future__ import annotations

import math
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, mapping
from katiblint.registry import Rule
from katiblint.rules._search_space import Param, algorithm, float_grid, params, spec_int

_STEP_NIL = "Param {name} step is nil; For discrete search space, all parameters must include step"


class GridSearchSpace(Rule):
    code = "KAT211"
    name = "grid-search-space"
    summary = "A grid search space Katib cannot enumerate, or a trial budget the grid cannot fill"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec = algorithm(exp, ctx)
        if spec is None or spec.raw.get("search_space", {}).get("double_step") != "required":
            return
        size: int | None = 1
        for p in params(exp):
            count: int | None = None
            label = p.name or "?"
            if p.type == "double":
                if p.step is None or not p.step.strip():
                    target = p.space if p.space is not None else p.node
                    yield self.report_key(
                        target,
                        "step",
                        f"grid needs a `step` on double parameter `{label}`; validation fails and the Experiment "
                        f"fails (`{_STEP_NIL.format(name=label)}`)",
                        help="add `step` to `feasibleSpace`, e.g. a tenth of `max - min`",
                    )
                    size = None
                    continue
                low, high, step = p.number("min"), p.number("max"), p.number("step")
                if low is None or high is None or step is None or not all(map(math.isfinite, (low, high, step))):
                    size = None
                    continue  # unparseable numbers are KAT213's finding
                if step == 0:
                    yield self._bad_step(p, label, "`float division by zero`")
                    size = None
                    continue
                try:
                    count = float_grid(low, high, step)
                except ValueError:
                    size = None
                    continue
                if count == 0:
                    yield self.report(
                        p.step_node or p.node,
                        f"double parameter `{label}` has an empty grid (min `{p.min}`, max `{p.max}`, step "
                        f"`{p.step}`); validation fails and the Experiment fails (`index -1 is out of bounds for "
                        "axis 0 with size 0`)",
                        help="use `min <= max` and a positive `step`",
                    )
                    size = None
                    continue
            elif p.type == "int":
                low, high = p.number("min"), p.number("max")
                step = p.number("step") if p.step else 1.0
                if low is None or high is None or step is None:
                    size = None
                    continue
                if step == 0:
                    yield self._bad_step(p, label, "`range() arg 3 must not be zero`")
                    size = None
                    continue
                count = _range_length(int(low), int(high) + 1, int(step))
            elif p.type in ("categorical", "discrete"):
                count = len(p.values)
            if size is not None and count is not None:
                size *= count
            elif count is None:
                size = None
        if size is None or not exp.parameters:
            return
        max_trials = spec_int(exp, "maxTrialCount")
        if max_trials is not None and max_trials > size:
            # mirrors optuna/service.py _validate_grid_setting
            yield self.report(
                exp.spec_get("maxTrialCount"),  # type: ignore[arg-type]  # present: spec_int read it
                f"`maxTrialCount` {max_trials} exceeds the {size} points of the grid; validation fails and the "
                f"Experiment fails (`Max Trial Count: {max_trials} > all possible search combinations: {size}`)",
                help=f"set `maxTrialCount` to at most {size}, or widen the grid (double grids follow numpy's "
                "float64 `arange`, which often drops the `max` endpoint)",
            )
        elif max_trials is None and exp.spec_get("maxTrialCount") is None and not _has_goal(exp):
            yield self.report_key(
                exp.spec,  # type: ignore[arg-type]  # the spec exists: parameters were read from it
                "maxTrialCount",
                "grid without `maxTrialCount` or an objective `goal`: after the last grid point Optuna's "
                "GridSampler calls `study.stop()` inside Katib's `tell()` and GetSuggestions fails forever, so the "
                "Experiment stays Running",
                help=f"set `maxTrialCount: {size}` (the grid size)",
            )

    def _bad_step(self, p: Param, label: str, upstream: str) -> Diagnostic:
        return self.report(
            p.step_node or p.node,
            f"parameter `{label}` has `step: {p.step}`; the grid cannot be built, validation fails and the "
            f"Experiment fails ({upstream})",
            help="use a positive `step`",
        )


def _range_length(start: int, stop: int, step: int) -> int:
    """len(range(start, stop, step)) without building it (bounds may exceed a C ssize_t)."""
    if step > 0:
        return max(0, (stop - start + step - 1) // step)
    return max(0, (start - stop - step - 1) // -step)


def _has_goal(exp: Experiment) -> bool:
    objective = mapping(exp.spec_get("objective"))
    return objective is not None and objective.get("goal") is not None

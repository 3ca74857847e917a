"""KAT572 step-exceeds-range."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._feasible import grammar, number
from katiblint.katib.api import NUMERIC_TYPES
from katiblint.rules._search_space import params, service_of


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


class StepExceedsRange(Rule):
    code = "KAT572"
    name = "step-exceeds-range"
    summary = "A feasibleSpace step larger than `max - min`, so the parameter is not tuned"
    api_versions = SERVED_AND_LEGACY
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        lang = grammar(exp, ctx)
        _, spec, _ = service_of(exp, ctx)
        hyperopt = spec is not None and spec.service == "hyperopt"
        for param in params(exp):
            if param.type not in NUMERIC_TYPES:
                continue
            step = number(param, "step", lang)
            low, high = number(param, "min", lang), number(param, "max", lang)
            node = param.field("step")
            if step is None or node is None or low is None or high is None:
                continue
            if step <= 0 or high < low or step <= high - low:
                continue  # non-positive steps and reversed ranges are invalid-parameter-bounds' findings
            if hyperopt:
                if param.distribution not in (None, "", "uniform", "logUniform"):
                    continue
                # hyperopt/base_service.py: hp.quniform / hp.qloguniform, round(x / step) * step for x in
                # [min, max]: multiples of step, not min + k*step (KAT214 reports those outside the range)
                values = [_fmt(k * step) for k in range(round(low / step), round(high / step) + 1)]
                got = (f"every Trial gets `{values[0]}` and the parameter is silently not tuned" if len(values) == 1
                       else "Trials get only " + " or ".join(f"`{v}`" for v in values))
                yield self.report(
                    node,
                    f"`{param.name}`: step `{param.text('step')}` is larger than the range {_fmt(high - low)} "
                    f"(`{param.text('min')}`..`{param.text('max')}`); hyperopt rounds every value to a multiple of "
                    f"the step, so {got}",
                    help="use a step no larger than `max - min`, or remove `step`",
                )
                continue
            # grid's range/arange and goptuna's stepped sampling round onto min + k*step: with
            # step > max - min only k = 0 stays inside the range
            yield self.report(
                node,
                f"`{param.name}`: step `{param.text('step')}` is larger than the range {_fmt(high - low)} "
                f"(`{param.text('min')}`..`{param.text('max')}`); every Trial gets `{param.text('min')}`, so the "
                "parameter is silently not tuned",
                help="use a step no larger than `max - min`, or remove `step`",
            )

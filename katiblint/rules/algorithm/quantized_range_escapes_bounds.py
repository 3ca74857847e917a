"""KAT214 quantized-range-escapes-bounds."""

from __future__ import annotations

import math
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import params, service_of


def _quantize(value: float, step: float) -> float:
    # hyperopt's quniform: np.round(uniform(low, high) / q) * q (round half to even)
    return round(value / step) * step


class QuantizedRangeEscapesBounds(Rule):
    code = "KAT214"
    name = "quantized-range-escapes-bounds"
    summary = "A stepped range hyperopt rounds to values outside min and max"
    api_versions = SERVED_AND_LEGACY
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        _, spec, _ = service_of(exp, ctx)
        if spec is None or spec.service != "hyperopt":
            return
        for p in params(exp):
            # an explicit step becomes quniform for ints and doubles (ints without one get step 1,
            # which their integer bounds always divide)
            if p.type not in ("int", "double") or p.step is None or p.step_node is None:
                continue
            if p.distribution not in (None, "", "uniform", "unknown", "logUniform"):
                continue  # normal/logNormal are unbounded anyway (KAT212)
            low, high, step = p.number("min"), p.number("max"), p.number("step")
            if low is None or high is None or step is None or not (step > 0) or not (low < high):
                continue  # bounds the service cannot use are KAT213's findings
            if not all(map(math.isfinite, (low, high, step))):
                continue
            lowest, highest = _quantize(low, step), _quantize(high, step)
            outside = []
            if lowest < low - 1e-12 * max(1.0, abs(low)):
                outside.append(f"`{_fmt(lowest)}` below min `{p.min}`")
            if highest > high + 1e-12 * max(1.0, abs(high)):
                outside.append(f"`{_fmt(highest)}` above max `{p.max}`")
            if not outside:
                continue
            yield self.report(
                p.step_node,
                f"hyperopt (`{exp.algorithm_name}`) samples `{p.name}` as `quniform`: it rounds to multiples "
                f"of step `{p.step}`, so trials can get {' and '.join(outside)}",
                help=f"make min and max multiples of the step (e.g. min `{_fmt(math.ceil(low / step) * step)}`, "
                f"max `{_fmt(math.floor(high / step) * step)}`), or drop the step",
            )


def _fmt(value: float) -> str:
    return f"{value:.10g}"

"""KAT410 uncollectable-metric-name."""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._collector import DEFAULT_NAME_RE, collector, compile_re2, metric_names, name_matches


class UncollectableMetricName(Rule):
    code = "KAT410"
    name = "uncollectable-metric-name"
    summary = "A metric name the collector's filter can never capture"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        c = collector(exp)
        if c.kind not in ("StdOut", "File") or (c.kind == "File" and c.file_format != "TEXT"):
            return  # JSON files, TF events, Prometheus and custom collectors name metrics otherwise
        formats = c.formats
        for node, name in metric_names(exp):
            if not formats:
                if DEFAULT_NAME_RE.fullmatch(name):
                    continue
                # mirrors file-metricscollector.go with const.go DefaultFilter `([\w|-]+)\s*=\s*...`
                captured = max(re.findall(r"[A-Za-z0-9_|-]+", name), key=len, default="")
                yield self.report(
                    node,
                    f"metric `{name}` can never be collected: the default filter `([\\w|-]+)\\s*=\\s*<number>` "
                    "only captures names of letters, digits, `_`, `|` and `-`"
                    + (f" (a line `{name}=0.9` is read as `{captured}`)" if captured else "")
                    + "; every Trial ends MetricsUnavailable",
                    help="print and name the metric without `/`, `.` or spaces (e.g. `"
                    + re.sub(r"[^A-Za-z0-9_|-]+", "_", name).strip("_")
                    + "`), or set `metricsCollectorSpec.source.filter.metricsFormat`",
                )
                continue
            verdicts: list[bool | None] = []
            for _, pattern in formats:
                compiled, error = compile_re2(pattern)
                if compiled is None:
                    verdicts.append(None)  # an invalid filter is reported by the filter rules
                    continue
                verdicts.append(name_matches(pattern, name))
            if any(v is not False for v in verdicts):
                continue
            listing = ", ".join(f"`{p}`" for _, p in formats)
            yield self.report(
                node,
                f"metric `{name}` can never be collected: the first group of no `metricsFormat` filter "
                f"({listing}) can capture it; every Trial ends MetricsUnavailable",
                help="make the filter's first group match the metric name exactly, or rename the metric",
            )

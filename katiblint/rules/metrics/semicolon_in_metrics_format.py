"""KAT411 semicolon-in-metrics-format."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._collector import collector, re2_error
from katiblint.rules._runtime import value_span


class SemicolonInMetricsFormat(Rule):
    code = "KAT411"
    name = "semicolon-in-metrics-format"
    summary = "A metricsFormat regex containing `;`, which the collector splits apart"
    api_versions = SERVED_AND_LEGACY
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for node, pattern in collector(exp).formats:
            at = pattern.find(";")
            if at == -1:
                continue
            # mirrors inject_webhook.go (formats joined with `;` into one -f flag) and the
            # collector's main.go (split on `;` again)
            pieces = ", ".join(f"`{p}`" for p in pattern.split(";"))
            broken = next((p for p in pattern.split(";") if re2_error(p) is not None), None)
            if broken is not None and collector(exp).kind in ("StdOut", "File"):
                # file-metricscollector.go GetFilterRegexpList: the compile error is dropped and the
                # nil *Regexp panics on the first line that names a metric
                yield self.report(
                    value_span(node, at),
                    f"`;` in metricsFormat `{pattern}`: Katib passes all formats to the collector joined by `;` "
                    f"and the collector splits them again, into {pieces}; `{broken}` is not a valid regexp, so the "
                    "collector panics on the first output line that names a metric, no metrics are reported and "
                    "the trial pod fails",
                    help="match a semicolon with `\\x3b` (or `[\\x3b]`) instead of `;`",
                    path=node.path,
                    severity=Severity.ERROR,
                )
                continue
            yield self.report(
                value_span(node, at),
                f"`;` in metricsFormat `{pattern}`: Katib passes all formats to the collector joined by `;` and "
                f"splits them again, so this filter becomes {pieces}, each used on its own, and metrics are "
                "silently misread or missed",
                help="match a semicolon with `\\x3b` (or `[\\x3b]`) instead of `;`",
                path=node.path,
            )

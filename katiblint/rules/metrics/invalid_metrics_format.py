"""KAT630 invalid-metrics-format."""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, as_str, mapping, sequence_items
from katiblint.registry import Rule
from katiblint.rules._collector import re2_error

# validator.go validateMetricsCollector: `regexp.MustCompile(".*\(.*\).*\(.*\).*").MatchString(mf)`,
# a check on the text of the pattern (escaped parentheses count, `.` does not cross newlines).
TWO_GROUPS_RE = re.compile(r".*\(.*\).*\(.*\).*")
# validator.go returns early for these kinds, before the filter checks.
UNCHECKED_KINDS = ("StdOut", "Push")


class InvalidMetricsFormat(Rule):
    code = "KAT630"
    name = "invalid-metrics-format"
    summary = "A metricsFormat filter that is not a Go RE2 regexp with two top subexpressions"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        spec = mapping(exp.spec_get("metricsCollectorSpec"))
        if spec is None:
            return
        source = mapping(spec.get("source"))
        flt = mapping(source.get("filter")) if source else None
        if flt is None:
            return
        collector = mapping(spec.get("collector"))
        # The defaulter turns a missing collector into `{kind: StdOut}` (experiment_defaults.go).
        kind = as_str(collector.get("kind")) if collector is not None else "StdOut"
        unchecked = kind in UNCHECKED_KINDS
        for item in sequence_items(flt.get("metricsFormat")):
            if not isinstance(item, Scalar) or not item.is_str:
                continue  # a non-string item is a type error, reported by the schema rules
            pattern = item.value
            error = re2_error(pattern)
            if error is not None:
                what = f"metricsFormat `{pattern}` is not a valid Go RE2 regexp ({error})"
                why = "Go's RE2 syntax has no look-around, back-references or `\\Z`"
            elif not TWO_GROUPS_RE.search(pattern):
                what = f"metricsFormat `{pattern}` has fewer than two top subexpressions"
                why = "Katib reads the metric name from the first group and the value from the second"
            else:
                continue
            if kind == "Push":
                yield self.report(
                    item,
                    f"{what}; the webhook does not check filters of a `Push` collector, which ignores them",
                    help=f"fix or remove the filter: {why}",
                    severity=Severity.WARNING,
                )
            elif unchecked:
                # file-metricscollector.go GetFilterRegexpList drops the compile error and keeps a nil
                # *Regexp, which panics on the first line that names a metric; a valid filter without
                # a second group never yields a value, so the objective is reported unavailable
                then = (
                    "the metrics collector keeps it as a nil regexp and panics on the first output line that "
                    "names a metric, so no metrics are reported and the trial pod fails"
                    if error
                    else "the metrics collector never reads a value with it, so every Trial ends MetricsUnavailable"
                )
                yield self.report(
                    item,
                    f"{what}; the webhook does not check it for a `{kind}` collector: {then}",
                    help=f"write a pattern like `([\\w-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?)`: {why}",
                )
            else:
                yield self.report(
                    item,
                    f"{what}; Katib's webhook rejects the Experiment "
                    f"(`{'invalid filter' if error else 'two top subexpressions are required'}`)",
                    help=f"write a pattern like `([\\w-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?)`: {why}",
                )

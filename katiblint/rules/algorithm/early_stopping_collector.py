"""KAT270 early-stopping-collector."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.cluster import algorithm_spec
from katiblint.katib.experiment import Experiment, as_str, mapping
from katiblint.registry import Rule


class EarlyStoppingCollector(Rule):
    code = "KAT270"
    name = "early-stopping-collector"
    summary = "Early stopping with a metrics collector that cannot apply stop rules"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        section = exp.early_stopping
        name = as_str(section.get("algorithmName")) if section is not None else None
        spec = algorithm_spec(ctx, name, early=True)  # follows katib-config image routing
        allowed = [str(c) for c in (spec.raw.get("collectors") or ())] if spec is not None else []
        if not allowed:
            return
        collector_spec = mapping(exp.spec_get("metricsCollectorSpec"))
        collector = mapping(collector_spec.get("collector")) if collector_spec is not None else None
        kind_node = collector.get("kind") if collector is not None else None
        kind = as_str(kind_node) or "StdOut"  # experiment_defaults.go: StdOut when unset
        if kind in allowed or kind_node is None:
            return
        # inject_webhook.go getMetricsCollectorArgs passes -stop-rule / -s-earlystop, which only
        # the StdOut/File collector understands
        yield self.report(
            kind_node,
            f"early stopping `{name}` works only with the {' or '.join(f'`{c}`' for c in allowed)} metrics collector, "
            f"not `{kind}`: the collector sidecar rejects the stop-rule arguments and trials created after the first "
            "rule fail",
            help="use the `File` collector (or `StdOut`), or remove `earlyStopping`",
        )

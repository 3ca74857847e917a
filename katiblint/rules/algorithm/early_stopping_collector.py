"""KAT270 early-stopping-collector."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
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
        allowed_text = " or ".join(f"`{c}`" for c in allowed)
        if kind in ("Push", "Custom"):
            # inject_webhook.go Mutate: Push gets no sidecar at all; getMetricsCollectorContainer
            # injects a Custom container as written, without the -stop-rule arguments
            why = (
                "Katib injects no metrics collector for `Push`"
                if kind == "Push"
                else "Katib injects the `Custom` collector container as written, without the stop rules"
            )
            yield self.report(
                kind_node,
                f"early stopping `{name}` works only with the {allowed_text} metrics collector, not `{kind}`: {why}, "
                "so nothing applies the stop rules; early stopping is silently ignored and every Trial runs to its end",
                help="use the `File` collector (or `StdOut`), or remove `earlyStopping`",
                severity=Severity.WARNING,
            )
            return
        # inject_webhook.go getMetricsCollectorArgs passes -stop-rule / -s-earlystop once the
        # early-stopping service returns rules; only the StdOut/File collector defines those flags
        yield self.report(
            kind_node,
            f"early stopping `{name}` works only with the {allowed_text} metrics collector, not `{kind}`: "
            "once the early-stopping service returns stop rules, Katib passes them to the collector sidecar as "
            "`-stop-rule` arguments, which it rejects and exits; every Trial created from then on fails",
            help="use the `File` collector (or `StdOut`), or remove `earlyStopping`",
        )

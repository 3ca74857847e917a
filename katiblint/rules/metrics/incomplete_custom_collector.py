"""KAT415 incomplete-custom-collector."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, as_str, mapping
from katiblint.registry import Rule, parent_key
from katiblint.rules._collector import collector


class IncompleteCustomCollector(Rule):
    code = "KAT415"
    name = "incomplete-custom-collector"
    summary = "A Custom metrics collector container without a name or an image"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        c = collector(exp)
        if c.kind != "Custom" or c.spec is None:
            return
        coll = mapping(c.spec.get("collector"))
        custom = mapping(coll.get("customCollector")) if coll else None
        if custom is None:
            return  # a missing customCollector is rejected by the webhook
        missing = [k for k in ("name", "image") if not as_str(custom.get(k))]
        if not missing:
            return
        # inject_webhook.go appends the container verbatim; the API server rejects the Pod
        fields = " and ".join(f"`{k}`" for k in missing)
        yield self.report(
            parent_key(custom),
            f"the custom collector container has no {fields}; Katib injects it as it is, Kubernetes rejects "
            "every trial pod, and the Trial stays Running",
            help="give the container a `name` (e.g. `custom-metrics-logger-and-collector`) and an `image`",
            path=custom.path,
        )

"""KAT212 unsupported-distribution."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import params, service_of

_LOG = ("logUniform", "logNormal")


class UnsupportedDistribution(Rule):
    code = "KAT212"
    name = "unsupported-distribution"
    summary = "A parameter distribution the algorithm's service rejects, drops or ignores"
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec, service = service_of(exp, ctx)
        if spec is None or not service:
            return
        version = ctx.settings.katib_version
        for p in params(exp):
            if not p.continuous or p.distribution in (None, "", "unknown") or p.space is None:
                continue
            node = p.space.get("distribution")
            entry = ctx.catalog.distribution(spec.service, p.distribution, version)
            if node is None or entry is None:
                continue
            effect = entry.get("effect")
            note = str(entry.get("note", "")).replace("<name>", p.name or "?")
            if service.get("double_prior") == "log-uniform":
                # skopt: every double is Real(..., "log-uniform") and every int Integer(min, max)
                wanted = "logUniform" if p.type == "double" else "uniform"
                if p.distribution == wanted:
                    continue
                actual = "log-uniformly" if p.type == "double" else "uniformly"
                yield self.report(
                    node,
                    f"`{name}` samples every {p.type} {actual}: `distribution: {p.distribution}` on `{p.name}` is "
                    "silently ignored (skopt base_service.py create_optimizer)",
                    help=f"write `distribution: {wanted}` to say what happens, or use an algorithm that honours "
                    f"`{p.distribution}` (random, tpe)",
                )
                continue
            if effect == "stuck":
                yield self.report(
                    node,
                    f"`{name}` cannot sample `distribution: {p.distribution}` on `{p.name}`: {note}, from the first "
                    "GetSuggestions on; no Trial is ever created and the Experiment stays Created",
                    help="use `uniform` or `logUniform`, or switch to `random`/`tpe` (hyperopt), which support "
                    "normal distributions",
                    severity=Severity.ERROR,
                )
            elif effect == "ignored":
                yield self.report(
                    node,
                    f"`{name}` ignores `distribution: {p.distribution}` on `{p.name}`: {note}",
                    help="remove `distribution`, or use an algorithm that honours it (random, tpe)",
                )
            elif effect == "unbounded":
                yield self.report(
                    node,
                    f"`{name}` samples `distribution: {p.distribution}` on `{p.name}` without bounds: {note}",
                    help="use `uniform`/`logUniform` if trials must stay within [min, max]",
                    severity=Severity.INFO,
                )

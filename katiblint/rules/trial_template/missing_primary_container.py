"""KAT301 missing-primary-container."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from katiblint.fix.edits import replace_scalar
from katiblint.yaml import Scalar
from katiblint.katib.experiment import Experiment, as_str, mapping
from katiblint.registry import Rule
from katiblint.suggest import closest, unique_closest


class MissingPrimaryContainer(Rule):
    code = "KAT301"
    name = "missing-primary-container"
    summary = "primaryContainerName is missing or names no container of a trial pod"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        template = exp.trial_template
        if template is None:
            return
        node = template.get("primaryContainerName")
        primary = exp.primary_container_name
        if node is None or primary is None or primary == "":
            yield self.report_key(
                template,
                "primaryContainerName",
                "`primaryContainerName` is missing; the webhook rejects the Experiment "
                "(`spec.trialTemplate.primaryContainerName: Required value`)",
                help="set it to the name of the training container",
            )
            return
        pods = exp.pod_templates
        if exp.trial_kind == "TrainJob" and isinstance(node, Scalar):
            yield from self._stock_runtime(exp, ctx, node, primary)
            return
        if not pods or not isinstance(node, Scalar):
            return  # pods come from elsewhere (ConfigMap): nothing to compare
        every = [c.name for pod in pods for c in pod.containers if c.name]
        names = list(dict.fromkeys(every))
        lacking = [pod for pod in pods if primary not in [c.name for c in pod.containers]]
        if not lacking:
            return
        if len(lacking) == len(pods):
            guess = closest(primary, names)
            target = unique_closest(primary, names) or (names[0] if len(names) == 1 else None)
            fix = Fix.unsafe(f"rename to `{target}`", replace_scalar(node, target)) if target else None
            listing = ", ".join(f"`{n}`" for n in names) or "none"
            if f"step-{primary}" in names:
                # Tekton prefixes every step container with `step-` (the Katib Tekton example does too)
                guess = f"step-{primary}"
                fix = Fix.unsafe(f"rename to `{guess}`", replace_scalar(node, guess))
            yield self.report(
                node,
                f"primaryContainerName `{primary}` matches no container of the trial pods (containers: "
                f"{listing}); Katib's pod webhook denies every trial pod and the Trial stays Running",
                help=(f"did you mean `{guess}`? " if guess else "")
                + "name the container that runs training and prints the metrics",
                fix=fix,
            )
            return
        for pod in lacking:
            line = exp.source.position(pod.node.span.start)[0] + 1
            have = ", ".join(f"`{c.name}`" for c in pod.containers if c.name) or "none"
            yield self.report(
                node,
                f"pods of `{pod.label}` (line {line}) have no container named `{primary}` (they have {have}); "
                "Katib's pod webhook denies any trial pod without it, so these pods are never created",
                help=f"name a container `{primary}` in every pod template of the trial, "
                "or use a container name that every pod shares",
            )

    def _stock_runtime(self, exp: Experiment, ctx: Context, node: Scalar, primary: str) -> Iterator[Diagnostic]:
        """A TrainJob's pods come from its runtime: checked when it is one of Trainer's stock runtimes."""
        from katiblint.rules._operators import stock_runtimes

        template = exp.trial_template
        spec = mapping(exp.trial_spec.get("spec")) if exp.trial_spec is not None else None
        ref = mapping(spec.get("runtimeRef")) if spec is not None else None
        stock = stock_runtimes()
        name = as_str(ref.get("name")) if ref is not None else None
        kind = (as_str(ref.get("kind")) if ref is not None else None) or stock.kind  # Trainer's default
        if template is None or template.get("primaryPodLabels") is not None:
            return  # pods the user selected: what they hold is not known
        if name not in stock.names or kind != stock.kind or primary == stock.trainer_container:
            return
        from katiblint.katib.cluster import training_runtimes

        defined = ctx.cluster.training_runtimes | training_runtimes(ctx.documents)
        if name in defined:
            return  # the project defines it: the cluster's runtime is not the stock one
        container = stock.trainer_container
        yield self.report(
            node,
            f"primaryContainerName `{primary}` is not the container of the pods Katib's default "
            f"primaryPodLabels select in the stock {kind} `{name}` (replicated job `node`, container "
            f"`{container}`); Katib's pod webhook denies those pods and the Trial stays Running (Trainer "
            f"{stock.release}'s stock runtime assumed, since no linted file defines it; a cluster may have "
            "changed it)",
            help=f"did you mean `{container}`? name the container that runs training",
            fix=Fix.unsafe(f"rename to `{container}`", replace_scalar(node, container)),
            severity=Severity.WARNING,
        )

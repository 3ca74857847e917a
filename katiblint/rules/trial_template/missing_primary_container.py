"""KAT301 missing-primary-container."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.fix.edits import replace_scalar
from katiblint.yaml import Scalar
from katiblint.katib.experiment import Experiment
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
        if not pods or not isinstance(node, Scalar):
            return  # pods come from elsewhere (TrainJob runtime, ConfigMap): nothing to compare
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

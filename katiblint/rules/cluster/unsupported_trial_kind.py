"""KAT352 unsupported-trial-kind."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._runtime import resource_name, trial_resources
from katiblint.katib.api import STOCK_TRIAL_RESOURCES
from katiblint.suggest import closest


# Kinds Katib documents as trial kinds once the cluster's katib-config and RBAC list them
# (kubeflow/website trial-template.md); Katib's own Argo and Tekton examples use them.
OPT_IN_KINDS = ("Workflow.v1alpha1.argoproj.io", "PipelineRun.v1beta1.tekton.dev", "PipelineRun.v1.tekton.dev",
                "JobSet.v1alpha2.jobset.x-k8s.io")


class UnsupportedTrialKind(Rule):
    code = "KAT352"
    name = "unsupported-trial-kind"
    summary = "The trial kind is not in katib-config's trialResources, so Katib never watches it"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        spec = exp.trial_spec
        kind, api = exp.trial_kind, exp.trial_api_version
        if spec is None or not kind or not api:
            return  # a missing kind or apiVersion is the webhook's finding
        known = trial_resources(ctx)
        resource = resource_name(kind, api)
        if resource in known:
            return
        # mirrors trial_controller.go: only trialResources GVKs are watched (and granted by RBAC)
        same_kind = [r for r in known if r.split(".", 1)[0] == kind]
        node = spec.get("apiVersion") if same_kind else spec.get("kind")
        if node is None:
            return
        if same_kind:
            wanted = same_kind[0].split(".", 2)
            hint = f"did you mean `apiVersion: {wanted[2] + '/' if len(wanted) > 2 else ''}{wanted[1]}`? "
        else:
            guess = closest(kind, [r.split(".", 1)[0] for r in known])
            hint = f"did you mean `{guess}`? " if guess else ""
        if resource in OPT_IN_KINDS and ctx.cluster.config is None and known == STOCK_TRIAL_RESOURCES:
            # No katib-config is known: whether the cluster opted in, as Katib documents, is a fact
            # about the cluster, not this manifest. Said once per run and kind, as information.
            diag = self.report(
                node,
                f"trial kind `{resource}` runs only on clusters whose katib-config lists it: the stock "
                "katib-config's `trialResources` does not, and there Trials stay Created or Running forever "
                "(reported once per run)",
                help=f"make sure your katib-config lists `{resource}` under `init.controller.trialResources` and the "
                "katib-controller ClusterRole may manage it; lint your katib-config with the Experiments "
                "(or pass `--katib-config`) to check against your cluster",
                severity=Severity.INFO,
            )
            diag.once_per_run = True
            yield diag
            return
        yield self.report(
            node,
            f"trial kind `{resource}` is not in katib-config's `trialResources`; Katib does not watch it "
            "(and has no RBAC for it), so Trials stay Created or Running forever",
            help=hint + f"or add `{resource}` to `init.controller.trialResources` in katib-config (now: "
            f"{', '.join(f'`{r}`' for r in known)}), grant the katib-controller ClusterRole access to it, "
            "and restart the controller",
        )

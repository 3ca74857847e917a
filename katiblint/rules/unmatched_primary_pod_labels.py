"""KAT350 unmatched-primary-pod-labels."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.model import Experiment, PodTemplate, as_str, mapping
from katiblint.registry import Rule
from katiblint.rules._runtime import collector_kind, effective_primary_pod_labels
from katiblint.suggest import closest

_TRAINING_OPERATOR = ("TFJob", "PyTorchJob", "XGBoostJob", "MPIJob", "PaddleJob", "JAXJob")
# Label keys whose values the controllers fill in from names Katib generates (trial name,
# uid, index): any value may match, so these are never reported.
_OPEN_KEYS = (
    "training.kubeflow.org/job-name", "training.kubeflow.org/replica-index", "training.kubeflow.org/operator-name",
    "job-name", "replica-index", "group-name", "mpi-job-name", "controller-uid", "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-completion-index",
)
_OPEN_PREFIXES = ("katib.kubeflow.org/", "jobset.sigs.k8s.io/", "workflows.argoproj.io/", "tekton.dev/")


def _role(pod: PodTemplate) -> str | None:
    """`Worker` for a pod template at `tfReplicaSpecs.Worker`."""
    head, _, role = pod.label.partition(".")
    return role if head.endswith("ReplicaSpecs") and role else None


def _is_master(kind: str, role: str, roles: list[str]) -> bool:
    """Training Operator `IsMasterRole`: the pods that get `training.kubeflow.org/job-role: master`."""
    if kind == "MPIJob":
        return role == "Launcher"
    if kind == "TFJob":
        if any(r in ("Chief", "Master") for r in roles):
            return role in ("Chief", "Master")
        return role == "Worker"  # worker 0 is the master when there is no Chief or Master
    return role == "Master"


def _controller_labels(kind: str, role: str | None, roles: list[str]) -> dict[str, str]:
    if kind not in _TRAINING_OPERATOR or role is None:
        return {}
    labels = {"training.kubeflow.org/replica-type": role.lower(), "replica-type": role.lower()}
    if _is_master(kind, role, roles):
        labels["training.kubeflow.org/job-role"] = "master"
        labels["job-role"] = "master"
    if kind == "MPIJob":
        labels["mpi-job-role"] = role.lower()
    return labels


def _pod_labels(pod: PodTemplate) -> dict[str, str]:
    labels = mapping(pod.metadata.get("labels")) if pod.metadata else None
    return {k: as_str(v) or "" for k, _, v in labels.items()} if labels else {}


class UnmatchedPrimaryPodLabels(Rule):
    code = "KAT350"
    name = "unmatched-primary-pod-labels"
    summary = "No trial pod carries the primaryPodLabels, so no metrics collector is injected"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        explicit, wanted = effective_primary_pod_labels(exp)
        pods = exp.pod_templates
        kind = exp.trial_kind or ""
        if not wanted or not pods or collector_kind(exp) == "Push":
            return
        roles = [r for r in (_role(p) for p in pods) if r]
        meta_labels = mapping(exp.metadata.get("labels")) if exp.metadata else None
        shared = {k: as_str(v) or "" for k, _, v in meta_labels.items()} if meta_labels else {}
        carried = []
        for pod in pods:
            labels = {**shared, **_controller_labels(kind, _role(pod), roles), **_pod_labels(pod)}
            carried.append(labels)
        # mirrors inject_webhook.go isPrimaryPod: every primaryPodLabels entry must be on the pod
        if any(all(_has(labels, k, v) for k, v in wanted.items()) for labels in carried):
            return
        every = sorted({f"{k}: {v}" for labels in carried for k, v in labels.items()})
        listing = ", ".join(f"`{x}`" for x in every[:6]) or "none"
        if explicit is not None:
            missing = [k for k, v in wanted.items() if not any(_has(l, k, v) for l in carried)] or list(wanted)
            key = missing[0]
            target = explicit.key_node(key) or explicit
            guess = closest(f"{key}: {wanted[key]}", every)
            yield self.report(
                target,
                f"no trial pod carries the primaryPodLabels `{key}: {wanted[key]}` (pods carry {listing}); "
                "Katib injects the metrics collector into no pod, so every Trial ends MetricsUnavailable",
                help=(f"did you mean `{guess}`? " if guess else "")
                + "use labels the training pod template (or its controller) sets",
                path=f"{explicit.path}[{key}]",
            )
            return
        spec = mapping(exp.trial_spec.get("spec")) if exp.trial_spec else None
        replica_key = next((k for k in (spec.keys() if spec else []) if k.endswith("ReplicaSpecs")), None)
        target = spec.key_node(replica_key) if spec is not None and replica_key else None
        if target is None:
            return
        yield self.report(
            target,
            f"no `{kind}` replica here is a master ({', '.join(f'`{r}`' for r in roles) or 'none'}), so no pod gets "
            "the defaulted primaryPodLabels `training.kubeflow.org/job-role: master`; Katib injects the metrics "
            "collector into no pod and every Trial ends MetricsUnavailable",
            help="add a `Master` replica, or set `spec.trialTemplate.primaryPodLabels` to the pod that prints "
            "the metrics, e.g. `training.kubeflow.org/replica-type: worker`",
            path=target.path,
        )


def _has(labels: dict[str, str], key: str, value: str) -> bool:
    if key in _OPEN_KEYS or key.startswith(_OPEN_PREFIXES):
        return True
    return labels.get(key) == value

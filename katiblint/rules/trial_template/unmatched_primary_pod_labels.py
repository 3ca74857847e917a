"""KAT350 unmatched-primary-pod-labels."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping, Scalar
from katiblint.katib.experiment import Experiment, PodTemplate, as_str, mapping
from katiblint.registry import Rule, parent_key
from katiblint.rules._operators import OperatorKind, operator_kind, pod_label_keys
from katiblint.rules._runtime import collector_kind, effective_primary_pod_labels
from katiblint.suggest import closest

# Labels a pod carries: None is a value the controllers generate (trial name, uid, index), which
# any value in primaryPodLabels may match.
Labels = dict[str, str | None]

# Kinds whose controllers katiblint does not model label by label: keys they (or Katib) fill in
# from generated names are never reported.
_OPEN_KEYS = (
    "job-name", "controller-uid", "batch.kubernetes.io/job-name", "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-completion-index",
)
_OPEN_PREFIXES = (
    "training.kubeflow.org/", "katib.kubeflow.org/", "jobset.sigs.k8s.io/", "workflows.argoproj.io/", "tekton.dev/",
)


def _role(pod: PodTemplate) -> str | None:
    """`Worker` for a pod template at `tfReplicaSpecs.Worker`."""
    head, _, role = pod.label.partition(".")
    return role if head.endswith("ReplicaSpecs") and role else None


def _replicas(op: OperatorKind, role: str, pod: PodTemplate) -> int | None:
    """How many pods of a replica type the operator creates (None: a placeholder decides)."""
    replica = pod.node.parent
    node = replica.get("replicas") if isinstance(replica, Mapping) else None
    if node is None:
        return op.default_replicas.get(role, 1)
    if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    return None


def _template_labels(pod: PodTemplate) -> dict[str, str]:
    labels = mapping(pod.metadata.get("labels")) if pod.metadata else None
    return {k: as_str(v) or "" for k, _, v in labels.items()} if labels else {}


def _operator_pods(op: OperatorKind, pods: list[PodTemplate]) -> list[Labels]:
    """The label sets of the pods the training operator creates (pod.go createNewPod, newLauncher)."""
    keys = pod_label_keys()
    roles = [op.canonical_role(r) for r in (_role(p) for p in pods) if r]
    carried: list[Labels] = []
    for pod in pods:
        written = _role(pod)
        if written is None:
            continue
        role = op.canonical_role(written)
        replicas = _replicas(op, role, pod)
        if replicas is not None and replicas < 1:
            continue  # no pod of this type is created
        # pod 0, and (when there may be more) a representative of the others
        for index in (0,) if replicas == 1 else (0, 1):
            labels: Labels = dict(_template_labels(pod))
            labels.update({k: None for k in keys.open})
            labels[keys.replica_type] = role.lower()
            if role not in op.no_index_roles:
                labels[keys.replica_index] = str(index) if index == 0 else None
            if op.is_master(role, index, roles):
                labels[keys.job_role[0]] = keys.job_role[1]
            carried.append(labels)
    return carried


def _has(labels: Labels, key: str, value: str, modelled: bool) -> bool:
    if not modelled and (key in _OPEN_KEYS or key.startswith(_OPEN_PREFIXES)):
        return True
    if key not in labels:
        return False
    have = labels[key]
    return have is None or have == value


# trial_controller.go reconcileTrial: a succeeded job without any observation is requeued
# (errMetricsNotReported) until metrics arrive, unless the collector is Push
NO_METRICS = (
    "no metrics are ever reported, so each Trial stays Running after its job succeeds (the trial "
    "controller waits for metrics) and the Experiment never finishes"
)


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
        op = operator_kind(kind, exp.trial_api_version)
        # Katib's pod webhook (inject_webhook.go Mutate, isPrimaryPod) compares primaryPodLabels with
        # the labels of the pod as created: its template's and its controller's. The Experiment's
        # and the job's own metadata.labels never reach the pods.
        if op is not None:
            carried = _operator_pods(op, pods)
        else:
            carried = [dict(_template_labels(pod)) for pod in pods]
        modelled = op is not None
        # every primaryPodLabels entry must be on one pod
        if any(all(_has(labels, k, v, modelled) for k, v in wanted.items()) for labels in carried):
            return
        every = sorted({f"{k}: {'<generated>' if v is None else v}" for labels in carried for k, v in labels.items()})
        listing = ", ".join(f"`{x}`" for x in every[:6]) or "none"
        if explicit is not None:
            missing = [k for k, v in wanted.items() if not any(_has(l, k, v, modelled) for l in carried)]
            if not missing:
                # each label is on some pod, but no pod has them all
                together = " and ".join(f"`{k}: {v}`" for k, v in wanted.items())
                yield self.report(
                    parent_key(explicit),
                    f"no single trial pod carries all the primaryPodLabels ({together} are on different pods); "
                    "Katib injects the metrics collector only into a pod that carries every one, so into no pod; "
                    + NO_METRICS,
                    help="keep only the labels of the pod that prints the metrics",
                    path=explicit.path,
                )
                return
            key = missing[0]
            target = explicit.key_node(key) or explicit
            wrote = f"{key}: {wanted[key]}"
            # `job-role: master` is `training.kubeflow.org/job-role: master` since the v1 operators
            guess = next((x for x in every if x.endswith("/" + wrote)), None) or closest(wrote, every)
            yield self.report(
                target,
                f"no trial pod carries the primaryPodLabels `{key}: {wanted[key]}` (pods carry {listing}); "
                "Katib injects the metrics collector into no pod; " + NO_METRICS,
                help=(f"did you mean `{guess}`? " if guess else "")
                + "use labels the training pod template (or its controller) sets",
                path=f"{explicit.path}[{key}]",
            )
            return
        if op is None:
            return
        spec = mapping(exp.trial_spec.get("spec")) if exp.trial_spec else None
        replicas_key = spec.key_node(op.replica_specs) if spec is not None else None
        if replicas_key is None:
            return
        roles = [r for r in (_role(p) for p in pods) if r]
        required = (op.webhook or {}).get("required_types") or ()
        if any(r not in roles for r in required):
            return  # the operator's webhook rejects the job outright (KAT357): there are no pods
        key, value = pod_label_keys().job_role
        yield self.report(
            replicas_key,
            f"no `{kind}` replica here is a master ({', '.join(f'`{r}`' for r in roles) or 'none'}): the training "
            f"operator labels {op.master_text()} `{key}: {value}`, the defaulted primaryPodLabels; Katib injects "
            "the metrics collector into no pod; " + NO_METRICS,
            help=f"add a `{op.master_roles[0] if op.master_roles else op.replica_types[0]}` replica, or set "
            "`spec.trialTemplate.primaryPodLabels` to the pod that prints the metrics, e.g. "
            f"`{pod_label_keys().replica_type}: {(roles[0] if roles else 'worker').lower()}`",
            path=replicas_key.path,
        )

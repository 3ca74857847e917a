"""Shared facts for the runtime rules: what the controllers do after admission.

Everything here describes a stock Katib install (kubeflow/katib manifests, katib-config) and
the job controllers Katib drives (Kubernetes Job, Training Operator v1, Trainer v2, Argo,
Tekton, JobSet). Rules read these through functions so a cluster's own katib-config can
override them later.
"""

from __future__ import annotations

from katiblint.context import Context
from katiblint.yaml import Mapping, Node, Scalar
from katiblint.katib.experiment import Experiment, as_str, mapping
from katiblint.rules._operators import trainjob_primary_pod_labels
from katiblint.source import Span
from katiblint.katib.api import KUBEFLOW_JOB_KINDS, STOCK_TRIAL_RESOURCES

# constants.go DefaultKubeflowJobPrimaryPodLabels
MASTER_ROLE_LABEL = ("training.kubeflow.org/job-role", "master")

# Algorithms whose suggestion service ends the search by itself (grid exhausts its grid,
# hyperband its brackets); every other one keeps proposing trials.
EXHAUSTIVE_ALGORITHMS = ("grid", "hyperband")

# Condition `type`s each controller writes into `status.conditions` (by trial kind).
CONDITION_TYPES: dict[str, tuple[str, ...]] = {
    # k8s.io/api batch/v1 JobConditionType
    "Job": ("Complete", "Failed", "Suspended", "FailureTarget", "SuccessCriteriaMet"),
    # kubeflow/training-operator pkg/apis/kubeflow.org/v1 JobConditionType
    "TFJob": ("Created", "Running", "Restarting", "Succeeded", "Failed", "Suspended"),
    "PyTorchJob": ("Created", "Running", "Restarting", "Succeeded", "Failed", "Suspended"),
    "XGBoostJob": ("Created", "Running", "Restarting", "Succeeded", "Failed", "Suspended"),
    "MPIJob": ("Created", "Running", "Restarting", "Succeeded", "Failed", "Suspended"),
    "PaddleJob": ("Created", "Running", "Restarting", "Succeeded", "Failed", "Suspended"),
    "JAXJob": ("Created", "Running", "Restarting", "Succeeded", "Failed", "Suspended"),
    # kubeflow/trainer pkg/apis/trainer/v1alpha1 TrainJob conditions
    "TrainJob": ("Created", "Suspended", "Complete", "Failed"),
    # kubernetes-sigs/jobset JobSetConditionType
    "JobSet": ("Completed", "Failed", "Suspended", "StartupPolicyInProgress", "StartupPolicyCompleted"),
    # tektoncd/pipeline: knative `Succeeded` condition only
    "PipelineRun": ("Succeeded",),
    "TaskRun": ("Succeeded",),
    # argoproj/argo-workflows WorkflowConditionType
    "Workflow": ("PodRunning", "Completed", "SpecWarning", "SpecError", "MetricsError", "ArtifactGCError"),
}
CONDITION_STATUSES = ("True", "False", "Unknown")
# argoproj/argo-workflows WorkflowPhase
ARGO_PHASES = ("Pending", "Running", "Succeeded", "Failed", "Error")


def trial_resources(ctx: Context) -> tuple[str, ...]:
    """The `trialResources` the cluster's katib-controller watches.

    The list of the katib-config the run uses (`--katib-config`, or one found among the linted
    files or in the repository, parsed once and only if valid: a rejected one is KAT060's); else
    the stock list.
    """
    configured = ctx.cluster.trial_resources
    if isinstance(configured, (list, tuple)) and configured:
        return tuple(str(r) for r in configured)
    return STOCK_TRIAL_RESOURCES


def resource_name(kind: str, api_version: str) -> str:
    """`Kind.version.group` as katib-config spells it (`batch/v1` Job -> `Job.v1.batch`)."""
    group, _, version = api_version.rpartition("/")
    return f"{kind}.{version}.{group}" if group else f"{kind}.{version}"


def collector_kind(exp: Experiment) -> str:
    """The metrics collector kind after defaulting (M-MC: absent -> `StdOut`)."""
    return exp.memo("collector_kind", lambda: _collector_kind(exp))


def _collector_kind(exp: Experiment) -> str:
    spec = mapping(exp.spec_get("metricsCollectorSpec"))
    if spec is None or "collector" not in spec:
        return "StdOut"
    collector = mapping(spec.get("collector"))
    if collector is None:
        return "StdOut"
    return as_str(collector.get("kind")) or ""


def effective_primary_pod_labels(exp: Experiment) -> tuple[Mapping | None, dict[str, str]]:
    """(the explicit `primaryPodLabels` mapping or None, the labels the pod webhook will use)."""
    explicit = mapping(exp.template_get("primaryPodLabels"))
    if explicit is not None and explicit.pairs:
        labels = {k: as_str(v) or "" for k, _, v in explicit.items()}
        return explicit, labels
    kind = exp.trial_kind
    if exp.trial_spec is None or kind not in KUBEFLOW_JOB_KINDS:
        return None, {}
    if kind == "TrainJob":
        # DefaultTrainJobPrimaryPodLabels: the first pod of the runtime's `node` replicated job
        return None, trainjob_primary_pod_labels()
    return None, {MASTER_ROLE_LABEL[0]: MASTER_ROLE_LABEL[1]}


def value_span(node: Node, offset: int, length: int = 1) -> Span:
    """The span of characters `offset`.. of a scalar's value, when the text maps 1:1, else the node."""
    if not isinstance(node, Scalar) or "\n" in node.raw:
        return node.span
    if node.style is None:
        start = node.span.start
    elif node.style == "'" and "'" not in node.raw:
        start = node.span.start + 1
    elif node.style == '"' and "\\" not in node.raw and '"' not in node.raw:
        start = node.span.start + 1
    else:
        return node.span
    start += max(0, min(offset, len(node.raw)))
    return Span(start, min(start + length, node.span.end))


def condition_nodes(exp: Experiment) -> list[tuple[str, Scalar, str]]:
    """(`successCondition`|`failureCondition`, node, text) for conditions written as strings."""
    found = []
    for key in ("successCondition", "failureCondition"):
        node = exp.template_get(key)
        if isinstance(node, Scalar) and isinstance(node.value, str) and node.value:
            found.append((key, node, node.value))
    return found

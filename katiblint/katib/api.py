"""The Katib v1beta1 API's own vocabulary, declared once: what the webhook and controllers accept.

Sources (kubeflow/katib): `pkg/apis/controller/common/v1beta1/common_types.go` (objective types,
collector kinds), `pkg/apis/controller/experiments/v1beta1/experiment_types.go` (parameter types,
distributions, resume policies), `pkg/apis/controller/experiments/v1beta1/experiment_defaults.go`
and `constants.go` (defaults, Kubeflow job kinds), `manifests/v1beta1/installs/katib-standalone/
katib-config.yaml` (the stock katib-config) and `pkg/apis/config/v1beta1/defaults.go`.
"""

from __future__ import annotations

OBJECTIVE_TYPES = ("minimize", "maximize")
RESUME_POLICIES = ("Never", "LongRunning", "FromVolume")
# Parameter types a user writes; the webhook also accepts `unknown`.
PARAMETER_TYPES = ("int", "double", "categorical", "discrete")
ACCEPTED_PARAMETER_TYPES = PARAMETER_TYPES + ("unknown",)
NUMERIC_TYPES = ("int", "double")
LIST_TYPES = ("categorical", "discrete")
DISTRIBUTIONS = ("uniform", "logUniform", "normal", "logNormal")
ACCEPTED_DISTRIBUTIONS = DISTRIBUTIONS + ("unknown",)
COLLECTOR_KINDS = ("StdOut", "File", "TensorFlowEvent", "PrometheusMetric", "Custom", "Push")
DEFAULT_PARALLEL_TRIAL_COUNT = 3

# NAS services build the architecture themselves; they take nasConfig, never spec.parameters.
NAS_ALGORITHMS = ("enas", "darts")

# experiment_defaults.go setDefaultTrialTemplate: these kinds (any group) get the Training
# Operator defaults; constants.go DefaultKubeflowJobPrimaryPodLabels.
KUBEFLOW_JOB_KINDS = ("TFJob", "PyTorchJob", "XGBoostJob", "MPIJob", "TrainJob")

# The stock katib-config: runtime.metricsCollectors, and init.controller.trialResources as
# `<Kind>.<version>.<group>`.
STOCK_COLLECTORS = ("StdOut", "File", "TensorFlowEvent")
STOCK_TRIAL_RESOURCES: tuple[str, ...] = (
    "Job.v1.batch",
    "TFJob.v1.kubeflow.org",
    "PyTorchJob.v1.kubeflow.org",
    "MPIJob.v1.kubeflow.org",
    "XGBoostJob.v1.kubeflow.org",
    "TrainJob.v1alpha1.trainer.kubeflow.org",
)
# defaults.go: a katib-config whose trialResources list is empty watches Jobs only.
DEFAULT_TRIAL_RESOURCES = ("Job.v1.batch",)

"""Admission parity: the cluster's verdict on every case of Katib's `validator_test.go` and on the
admission behaviours a real install adds (defaulting, decoding, the stock katib-config).

Each case edits one valid Experiment (the test's `newFakeInstance`, made valid for a stock
install). A line marked `# <- rejected` must get an error from an admission rule; an admitted
case must get no error from them at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from katiblint.config import parse
from katiblint.diagnostics import Severity
from katiblint.engine import Linter

# Rules that stand for a check of the decoder, the defaulting webhook or the validating webhook.
ADMISSION = (
    "KAT005 KAT010 KAT101 KAT102 KAT103 KAT104 KAT201 KAT204 KAT301 KAT302 KAT303 KAT304 KAT306 "
    "KAT310 KAT311 KAT312 KAT340 KAT501 KAT502 KAT503 KAT504 KAT601 KAT630"
).split()
MARK = "# <- rejected"

BASE = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: fake
  namespace: kubeflow
spec:
  maxTrialCount: 6
  objective:
    type: maximize
    goal: 0.11
    objectiveMetricName: testme
  algorithm:
    algorithmName: random
    algorithmSettings:
      - name: random_state
        value: "10"
  earlyStopping:
    algorithmName: medianstop
  parameters:
    - name: lr
      parameterType: int
      feasibleSpace:
        max: "5"
        min: "1"
        distribution: uniform
    - name: momentum
      parameterType: categorical
      feasibleSpace:
        list: ["0.95", "0.85", "0.75"]
  metricsCollectorSpec:
    collector:
      kind: StdOut
  trialTemplate:
    primaryContainerName: training-container
    successCondition: status.conditions.#(type=="Complete")#|#(status=="True")#
    failureCondition: status.conditions.#(type=="Failed")#|#(status=="True")#
    trialParameters:
      - name: learningRate
        description: Learning rate
        reference: lr
      - name: momentum
        description: Momentum for the training model
        reference: momentum
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training-container
                image: ghcr.io/kubeflow/katib/pytorch-mnist-cpu
                command:
                  - python3
                  - /opt/pytorch-mnist/mnist.py
                  - --epochs=1
                  - --lr=${trialParameters.learningRate}
                  - --momentum=${trialParameters.momentum}
            restartPolicy: Never
"""

COLLECTOR = """\
  metricsCollectorSpec:
    collector:
      kind: StdOut
"""


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        text = BASE
        for old, new in self.edits:
            assert old in text, f"{self.name}: {old!r} is not in the base manifest"
            text = text.replace(old, new, 1)
        return text


def collector(body: str) -> tuple[str, str]:
    return (COLLECTOR, "  metricsCollectorSpec:\n" + body)


# validator_test.go TestValidateExperiment / TestValidateParameters / TestValidateTrialTemplate /
# TestValidateTrialJob / TestValidateMetricsCollector, then the admission-only behaviours (section 12
# of the research notes: defaults change some verdicts). UPDATE-only cases (resuming a finished
# Experiment, editing an immutable field) need the stored object and are not statically checkable.
CASES = [
    # --- TestValidateExperiment
    Case("Name is invalid (upper case)", (("  name: fake\n", f"  name: Fake  {MARK}\n"),)),
    Case("Name is invalid (digit first)", (("  name: fake\n", f"  name: 1234-test  {MARK}\n"),)),
    Case("Objective is nil", (("  objective:\n    type: maximize\n    goal: 0.11\n    objectiveMetricName: testme\n", ""),
                               ("spec:\n", f"spec:  {MARK}\n"))),
    Case("Objective type is unknown", (("    type: maximize\n", f"    type: unknown  {MARK}\n"),)),
    Case("Objective metric name is empty", (("    objectiveMetricName: testme\n", f'    objectiveMetricName: ""  {MARK}\n'),)),
    Case("additionalMetricNames should not contain objective metric name",
         (("    objectiveMetricName: testme\n", f"    objectiveMetricName: testme\n    additionalMetricNames:\n      - testme  {MARK}\n"),)),
    Case("Algorithm is nil", (("  algorithm:\n    algorithmName: random\n    algorithmSettings:\n      - name: random_state\n        value: \"10\"\n", ""),
                              ("spec:\n", f"spec:  {MARK}\n"))),
    Case("Algorithm name is empty", (("    algorithmName: random\n", f'    algorithmName: ""  {MARK}\n'),)),
    Case("EarlyStopping is nil", (("  earlyStopping:\n    algorithmName: medianstop\n", ""),)),
    Case("EarlyStopping AlgorithmName is empty", (("    algorithmName: medianstop\n", f'    algorithmName: ""  {MARK}\n'),)),
    Case("Run validator for correct experiment"),
    Case("Max failed trial count is negative", (("  maxTrialCount: 6\n", f"  maxTrialCount: 6\n  maxFailedTrialCount: -1  {MARK}\n"),)),
    Case("Max trial count is negative", (("  maxTrialCount: 6\n", f"  maxTrialCount: -1  {MARK}\n"),)),
    Case("Parallel trial count is negative", (("  maxTrialCount: 6\n", f"  maxTrialCount: 6\n  parallelTrialCount: -1  {MARK}\n"),)),
    Case("Invalid resume policy", (("  maxTrialCount: 6\n", f"  maxTrialCount: 6\n  resumePolicy: invalid-policy  {MARK}\n"),)),
    Case("Parameters and NAS config is nil",
         (("  parameters:\n", "  parameters: []  " + MARK + "\n  removed:\n"),)),
    Case("Parameters and NAS config is not nil",
         (("  maxTrialCount: 6\n", f"  maxTrialCount: 6\n  nasConfig:  {MARK}\n    graphConfig:\n      numLayers: 3\n"),)),
    Case("Trial template is nil", (("  trialTemplate:\n", "  trialTemplatex:\n"), ("spec:\n", f"spec:  {MARK}\n"))),
    Case("Invalid feasible space in parameters",
         (('        list: ["0.95", "0.85", "0.75"]\n', f'        list: ["0.95", "0.85", "0.75"]\n        max: "5"  {MARK}\n'),)),
    Case("maxFailedTrialCount greater than maxTrialCount",
         (("  maxTrialCount: 6\n", f"  maxTrialCount: 6\n  maxFailedTrialCount: 7  {MARK}\n"),)),
    Case("maxFailedTrialCount equal to maxTrialCount", (("  maxTrialCount: 6\n", "  maxTrialCount: 6\n  maxFailedTrialCount: 6\n"),)),
    Case("parallelTrialCount greater than maxTrialCount",
         (("  maxTrialCount: 6\n", f"  maxTrialCount: 6\n  parallelTrialCount: 7  {MARK}\n"),)),
    Case("parallelTrialCount equal to maxTrialCount", (("  maxTrialCount: 6\n", "  maxTrialCount: 6\n  parallelTrialCount: 6\n"),)),
    # --- TestValidateParameters
    Case("Invalid parameter type", (("      parameterType: int\n", f"      parameterType: invalid-type  {MARK}\n"),)),
    Case("Feasible space is nil (admission reports feasibleSpace.max)",
         (('      feasibleSpace:\n        max: "5"\n        min: "1"\n        distribution: uniform\n', ""),
          ("    - name: lr\n", f"    - name: lr  {MARK}\n"))),
    Case("Not empty list for int parameter type",
         (('        min: "1"\n', f'        min: "1"\n        list: ["1", "2"]  {MARK}\n'),)),
    Case("Empty max and min for int parameter type",
         (('      feasibleSpace:\n        max: "5"\n        min: "1"\n', f"      feasibleSpace:  {MARK}\n"),)),
    Case("Not empty max for categorical parameter type",
         (('        list: ["0.95", "0.85", "0.75"]\n', f'        list: ["0.95", "0.85", "0.75"]\n        max: "1"  {MARK}\n'),)),
    Case("Invalid distribution type", (("        distribution: uniform\n", f"        distribution: invalid  {MARK}\n"),)),
    Case("Valid parameters case"),
    # --- TestValidateTrialTemplate
    Case("Trial parameters is nil",
         (("    trialParameters:\n      - name: learningRate\n        description: Learning rate\n        reference: lr\n"
           "      - name: momentum\n        description: Momentum for the training model\n        reference: momentum\n", ""),
          ("  trialTemplate:\n", f"  trialTemplate:  {MARK}\n"))),
    Case("Trial spec nil",
         (("    trialSpec:\n      apiVersion: batch/v1\n", "    trialSpecs:\n      apiVersion: batch/v1\n"),
          ("  trialTemplate:\n", f"  trialTemplate:  {MARK}\n"))),
    Case("Trial spec and ConfigMap is not nil",
         (("    trialSpec:\n", f"    configMap:  {MARK}\n      configMapName: config-map-name\n"
           "      configMapNamespace: config-map-namespace\n      templatePath: config-map-template-path\n    trialSpec:\n"),)),
    Case("Missed template path in ConfigMap",
         (("    trialSpec:\n      apiVersion: batch/v1\n      kind: Job\n",
           f"    configMap:  {MARK}\n      configMapName: config-map-name\n      configMapNamespace: config-map-namespace\n"
           "    trialSpecRemoved:\n      apiVersion: batch/v1\n      kind: Job\n"),)),
    Case("Empty reference or name in Trial parameters",
         (("        reference: lr\n", f'        reference: ""  {MARK}\n'),)),
    Case("Wrong name in Trial parameters", (("      - name: learningRate\n", f'      - name: "{{learningRate}}"  {MARK}\n'),)),
    Case("Duplicate name in Trial parameters", (("      - name: momentum\n", f"      - name: learningRate  {MARK}\n"),)),
    Case("Duplicate reference in Trial parameters", (("        reference: momentum\n", f"        reference: lr  {MARK}\n"),)),
    Case("Trial template contains Trial parameters which weren't referenced from spec.parameters",
         (("        reference: momentum\n", f"        reference: invalid-reference  {MARK}\n"),)),
    Case("Trial template contains Trial metadata reference as parameter",
         (("        reference: momentum\n", "        reference: ${trialSpec.Name}\n"),)),
    Case("Trial template doesn't contain parameter from Trial parameters (undeclared placeholder)",
         (("                  - --lr=${trialParameters.learningRate}\n",
           f"                  - --lr=${{trialParameters.learningRate}}\n                  - --x=${{trialParameters.invalidParameter}}  {MARK}\n"),)),
    Case("Trial template is unable to convert (unused trial parameter)",
         (("                  - --momentum=${trialParameters.momentum}\n", ""),
          ("      - name: momentum\n", f"      - name: momentum  {MARK}\n"))),
    Case("Trial template contains metadata.name or metadata.namespace",
         (("      kind: Job\n", f"      kind: Job\n      metadata:\n        name: trial-name  {MARK}\n        namespace: trial-namespace  {MARK}\n"),)),
    Case("Trial template doesn't contain APIVersion or Kind",
         (("      apiVersion: batch/v1\n      kind: Job\n", "      kind: Job  \n"), ("    trialSpec:\n", f"    trialSpec:  {MARK}\n"))),
    Case("Trial template has custom Kind (conditions given)",
         (("      kind: Job\n", "      kind: CustomKind\n"),)),
    Case("Trial template doesn't have PrimaryContainerName",
         (("    primaryContainerName: training-container\n", ""), ("  trialTemplate:\n", f"  trialTemplate:  {MARK}\n"))),
    Case("Trial template doesn't have SuccessCondition: a Job is defaulted at admission",
         (("    successCondition: status.conditions.#(type==\"Complete\")#|#(status==\"True\")#\n", ""),)),
    # --- TestValidateTrialJob
    Case("Trial template has invalid Batch Job parameter (containers is a map)",
         (("            containers:\n              - name: training-container\n",
           f"            containers:  {MARK}\n                name: training-container\n"),)),
    Case("Trial template has invalid Batch Job structure (unknown field)",
         (("          spec:\n            containers:\n", f"          invalidSpec: not-job-format  {MARK}\n          spec:\n            containers:\n"),)),
    Case("Valid case with nvidia.com/gpu resource in Trial template",
         (("                image: ghcr.io/kubeflow/katib/pytorch-mnist-cpu\n",
           "                image: ghcr.io/kubeflow/katib/pytorch-mnist-cpu\n                resources:\n"
           "                  limits:\n                    nvidia.com/gpu: 1\n                  requests:\n                    nvidia.com/gpu: 1\n"),)),
    # --- TestValidateMetricsCollector
    Case("Invalid metrics collector Kind", (("      kind: StdOut\n", f"      kind: invalid-kind  {MARK}\n"),)),
    Case("Invalid path for File metrics collector",
         (collector(f"    source:\n      fileSystemPath:\n        path: not/absolute/path  {MARK}\n        format: TEXT\n    collector:\n      kind: File\n"),)),
    Case("Invalid path for TF event metrics collector",
         (collector(f"    source:\n      fileSystemPath:\n        path: not/absolute/path  {MARK}\n    collector:\n      kind: TensorFlowEvent\n"),)),
    Case("Invalid file format for TF event metrics collector",
         (collector(f"    source:\n      fileSystemPath:\n        path: /absolute/path\n        format: JSON  {MARK}\n        kind: Directory\n"
                    "    collector:\n      kind: TensorFlowEvent\n"),)),
    Case("Invalid port and path for Prometheus metrics collector (plus missing katib-config entry)",
         (collector(f"    source:\n      httpGet:\n        port: Port  {MARK}\n    collector:\n      kind: PrometheusMetric  {MARK}\n"),)),
    Case("Invalid path for Prometheus metrics collector",
         (collector(f"    source:\n      httpGet:\n        port: 8888\n        path: not/valid/path  {MARK}\n    collector:\n      kind: PrometheusMetric  {MARK}\n"),)),
    Case("Empty container for Custom metrics collector", (collector(f"    collector:  {MARK}\n      kind: Custom\n"),)),
    Case("Invalid path for Custom metrics collector",
         (collector(f"    source:\n      fileSystemPath:\n        path: not/absolute/path  {MARK}\n"
                    "    collector:\n      kind: Custom\n      customCollector:\n        name: my-collector\n"),)),
    Case("Invalid metrics format regex for File metrics collector",
         (collector("    source:\n      filter:\n        metricsFormat:\n          - \"[\"  " + MARK + "\n"
                    "      fileSystemPath:\n        path: /absolute/path\n        kind: File\n        format: TEXT\n    collector:\n      kind: File\n"),)),
    Case("One subexpression in metrics format",
         (collector("    source:\n      filter:\n        metricsFormat:\n          - \"{metricName: ([\\\\w|-]+)}\"  " + MARK + "\n"
                    "      fileSystemPath:\n        path: /absolute/path\n        kind: File\n        format: TEXT\n    collector:\n      kind: File\n"),)),
    Case("Invalid file format for File metrics collector",
         (collector(f"    source:\n      fileSystemPath:\n        path: /absolute/path\n        kind: File\n        format: invalid  {MARK}\n"
                    "    collector:\n      kind: File\n"),)),
    Case("Invalid metrics filter for File metrics collector when file format is JSON",
         (collector(f"    source:\n      filter: {{}}  {MARK}\n      fileSystemPath:\n        path: /absolute/path\n        kind: File\n"
                    "        format: JSON\n    collector:\n      kind: File\n"),)),
    Case("Run validator for correct File metrics collector",
         (collector("    source:\n      fileSystemPath:\n        path: /absolute/path\n        kind: File\n        format: JSON\n"
                    "    collector:\n      kind: File\n"),)),
    # --- admission-only behaviours: decoding and defaulting
    Case("maxTrialCount 2 with the default parallelTrialCount 3", (("  maxTrialCount: 6\n", f"  maxTrialCount: 2  {MARK}\n"),)),
    Case("maxTrialCount 3 with the default parallelTrialCount 3", (("  maxTrialCount: 6\n", "  maxTrialCount: 3\n"),)),
    Case("a count written as a string does not decode", (("  maxTrialCount: 6\n", f'  maxTrialCount: "6"  {MARK}\n'),)),
    Case("goal written as a string does not decode", (("    goal: 0.11\n", f'    goal: "0.11"  {MARK}\n'),)),
    Case("retain written as a string does not decode",
         (("    primaryContainerName: training-container\n", f'    primaryContainerName: training-container\n    retain: "true"  {MARK}\n'),)),
    Case("an unquoted number in a string field does not decode", (('        max: "5"\n', f"        max: 5  {MARK}\n"),)),
    Case("trialSpec without kind does not decode",
         (("      apiVersion: batch/v1\n      kind: Job\n", "      apiVersion: batch/v1\n"), ("    trialSpec:\n", f"    trialSpec:  {MARK}\n"))),
    Case("an empty trialParameters list is removed, then missing",
         (("    trialParameters:\n      - name: learningRate\n        description: Learning rate\n        reference: lr\n"
           "      - name: momentum\n        description: Momentum for the training model\n        reference: momentum\n",
           f"    trialParameters: []  {MARK}\n"),)),
    Case("an unknown field is dropped, the Experiment is admitted", (("  maxTrialCount: 6\n", "  maxTrialCount: 6\n  parallelTrialCounts: 2\n"),)),
    Case("collector {} is not defaulted", (("    collector:\n      kind: StdOut\n", f"    collector: {{}}  {MARK}\n"),)),
    Case("File collector without source is defaulted", (("      kind: StdOut\n", "      kind: File\n"),)),
    Case("a Workflow trial needs explicit conditions",
         (("    successCondition: status.conditions.#(type==\"Complete\")#|#(status==\"True\")#\n", ""),
          ("      kind: Job\n", "      kind: Workflow\n"), ("      apiVersion: batch/v1\n", "      apiVersion: argoproj.io/v1alpha1\n"),
          ("  trialTemplate:\n", f"  trialTemplate:  {MARK}\n"))),
    Case("a stock algorithm name the webhook cannot find", (("    algorithmName: random\n", f"    algorithmName: bayesian  {MARK}\n"),)),
    Case("a name with upper case is rejected by the API server", (("  name: fake\n", f"  name: fakeExperiment  {MARK}\n"),)),
]


def _errors(text: str) -> list[tuple[int, str, str]]:
    linter = Linter(parse({"select": ADMISSION}, "admission test"))
    result = linter.lint_text(text, "experiment.yaml")
    return [(d.start[0] + 1, d.code, d.message) for d in result.diagnostics if d.severity == Severity.ERROR]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cluster_verdict(case: Case) -> None:
    text = case.text()
    marked = [number for number, line in enumerate(text.splitlines(), start=1) if MARK in line]
    errors = _errors(text)
    if not marked:
        assert errors == [], f"{case.name}: admitted by the cluster, but katiblint reports {errors}"
        return
    lines = {line for line, _, _ in errors}
    missing = [n for n in marked if n not in lines]
    assert not missing, f"{case.name}: rejected at line(s) {missing}, katiblint reports {errors}"


def test_base_manifest_is_admitted() -> None:
    assert _errors(BASE) == []

"""A document with placeholders a script fills in (`${NAME}`, `{{ IMAGE }}`, `EXPERIMENT_NAME`) gets
KAT040's single info; no other rule reports the placeholders, and no fix edits them."""

from __future__ import annotations

from katiblint.config import parse
from katiblint.engine import Linter

TEMPLATE = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${NAME}
  namespace: ${NAMESPACE}
spec:
  objective:
    type: maximize
    objectiveMetricName: accuracy
  algorithm:
    algorithmName: random
  maxTrialCount: 4
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.01", max: "0.05"}
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: learningRate
        reference: lr
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          metadata:
            labels:
              sidecar.istio.io/inject: "false"
          spec:
            containers:
              - name: training-container
                image: {{TRIAL_IMAGE}}
                command: [python3, /opt/train.py, "--lr=${trialParameters.learningRate}"]
            restartPolicy: Never
"""


def lint(text: str) -> list[tuple[int, str, str]]:
    result = Linter(parse({"select": ["ALL"]}, "test")).lint_text(text, "exp.yaml")
    return [(d.start[0] + 1, d.code, d.severity.value) for d in result.diagnostics]


def test_placeholders_are_one_info_and_nothing_else() -> None:
    assert lint(TEMPLATE) == [(4, "KAT040", "info")]


def test_the_same_mistakes_rendered_are_reported() -> None:
    rendered = TEMPLATE.replace("${NAME}", "My_Experiment").replace("${NAMESPACE}", "kubeflow")
    rendered = rendered.replace("{{TRIAL_IMAGE}}", "{image: x}")
    found = {(line, code) for line, code, _ in lint(rendered)}
    assert (4, "KAT101") in found and any(code == "KAT340" for _, code in found)

"""The Experiment JSON Schema (`katiblint schema`): valid, accepts Katib's examples, rejects typed mistakes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from katiblint.cli import main
from katiblint.yaml import load
from katiblint.schema import load_schema
from katiblint.source import SourceFile

BASE = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: random
  namespace: kubeflow
spec:
  objective:
    type: maximize
    goal: 0.99
    objectiveMetricName: accuracy
    additionalMetricNames: [loss]
  algorithm:
    algorithmName: random
    algorithmSettings:
      - name: random_state
        value: "10"
  parallelTrialCount: 3
  maxTrialCount: 12
  maxFailedTrialCount: 3
  metricsCollectorSpec:
    collector:
      kind: File
    source:
      fileSystemPath:
        path: /var/log/katib/metrics.log
        kind: File
        format: TEXT
      filter:
        metricsFormat: ["([\\\\w-]+)=([+-]?\\\\d*(\\\\.\\\\d+)?)"]
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace:
        min: "0.01"
        max: "0.05"
    - name: optimizer
      parameterType: categorical
      feasibleSpace:
        list: [sgd, adam]
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: learningRate
        reference: lr
      - name: optimizer
        reference: optimizer
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training-container
                image: docker.io/kubeflowkatib/mxnet-mnist:latest
                command: [python3, /opt/mnist.py, "--lr=${trialParameters.learningRate}"]
            restartPolicy: Never
"""


def yaml_data(text: str) -> list[Any]:
    """Documents as kubectl sends them (YAML 1.1 scalars), through katiblint's own loader."""
    result = load(SourceFile("<test>", text))
    return [doc.root.to_python() for doc in result.documents if doc.root is not None]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def base() -> dict[str, Any]:
    return copy.deepcopy(yaml_data(BASE)[0])


def test_schema_is_valid_for_its_draft() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert "33c8ff4e5d1814b59abd308e6819e839e9906bc2" in schema["$comment"]


def test_every_field_has_a_description() -> None:
    missing: list[str] = []

    def visit(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        for key, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                missing.append(f"{path}.{key}")
            visit(sub, f"{path}.{key}")
        visit(node.get("items"), f"{path}[]")

    visit(load_schema(), "")
    assert not missing


def test_base_experiment_is_valid(validator: Draft202012Validator) -> None:
    assert not list(validator.iter_errors(base()))


def test_null_optional_fields_are_accepted(validator: Draft202012Validator) -> None:
    # Go's JSON decoding leaves a field at its zero value for `null`: Katib accepts it.
    data = base()
    data["metadata"]["namespace"] = None
    data["spec"]["objective"]["additionalMetricNames"] = None
    data["spec"]["parameters"][0]["feasibleSpace"]["distribution"] = None
    assert not list(validator.iter_errors(data))


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value


_DELETE = object()

MISTAKES = {
    "number for feasibleSpace.min": ("spec.parameters.0.feasibleSpace.min", 0.01),
    "number in feasibleSpace.list": ("spec.parameters.1.feasibleSpace.list", ["sgd", 1]),
    "string for maxTrialCount": ("spec.maxTrialCount", "12"),
    "float for parallelTrialCount": ("spec.parallelTrialCount", 2.5),
    "int32 overflow": ("spec.maxFailedTrialCount", 2**31),
    "zero maxTrialCount": ("spec.maxTrialCount", 0),
    "string goal": ("spec.objective.goal", "0.99"),
    "parameterType float": ("spec.parameters.0.parameterType", "float"),
    "objective type Maximize": ("spec.objective.type", "Maximize"),
    "distribution loguniform": ("spec.parameters.0.feasibleSpace.distribution", "loguniform"),
    "resumePolicy never": ("spec.resumePolicy", "never"),
    "collector kind Stdout": ("spec.metricsCollectorSpec.collector.kind", "Stdout"),
    "fileSystemPath kind file": ("spec.metricsCollectorSpec.source.fileSystemPath.kind", "file"),
    "fileSystemPath format YAML": ("spec.metricsCollectorSpec.source.fileSystemPath.format", "YAML"),
    "unknown key parallelTrialCounts": ("spec.parallelTrialCounts", 2),
    "wrong case MaxTrialCount": ("spec.MaxTrialCount", 2),
    "number for a setting value": ("spec.algorithm.algorithmSettings.0.value", 10),
    "boolean retain as string": ("spec.trialTemplate.retain", "true"),
    "trialParameters as a map": ("spec.trialTemplate.trialParameters", {"learningRate": "lr"}),
    "trial parameter name with braces": ("spec.trialTemplate.trialParameters.0.name", "{lr}"),
    "missing objective": ("spec.objective", _DELETE),
    "missing objectiveMetricName": ("spec.objective.objectiveMetricName", _DELETE),
    "missing algorithm name": ("spec.algorithm.algorithmName", _DELETE),
    "missing primaryContainerName": ("spec.trialTemplate.primaryContainerName", _DELETE),
    "missing trialSpec and configMap": ("spec.trialTemplate.trialSpec", _DELETE),
    "missing parameters and nasConfig": ("spec.parameters", _DELETE),
    "both parameters and nasConfig": ("spec.nasConfig", {"graphConfig": {"numLayers": 8}}),
    "int parameter without max": ("spec.parameters.0.feasibleSpace.max", _DELETE),
    "categorical with min": ("spec.parameters.1.feasibleSpace.min", "1"),
    "name with upper case": ("metadata.name", "MyExperiment"),
    "name longer than 40": ("metadata.name", "a" * 41),
    "trialSpec without kind": ("spec.trialTemplate.trialSpec.kind", _DELETE),
    "primaryPodLabels number value": ("spec.trialTemplate.primaryPodLabels", {"replica-index": 0}),
    "metricStrategies value avg": ("spec.objective.metricStrategies", [{"name": "accuracy", "value": "avg"}]),
    "unknown key under source": ("spec.metricsCollectorSpec.source.filters", {}),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_typed_mistakes_are_rejected(validator: Draft202012Validator, mistake: str) -> None:
    path, value = MISTAKES[mistake]
    data = base()
    _set(data, path, value)
    assert list(validator.iter_errors(data)), f"{mistake}: accepted"


def test_trial_spec_and_custom_collector_are_open(validator: Draft202012Validator) -> None:
    data = base()
    data["spec"]["trialTemplate"]["trialSpec"]["spec"]["anything"] = {"goes": [1, True]}
    data["spec"]["metricsCollectorSpec"]["collector"] = {
        "kind": "Custom",
        "customCollector": {"name": "c", "image": "i", "whatever": 1},
    }
    assert not list(validator.iter_errors(data))


def test_katib_v1beta1_examples_validate(shared_dir: Path, validator: Draft202012Validator) -> None:
    checked = 0
    failures: list[str] = []
    for path in sorted((shared_dir / "corpus" / "katib-examples").glob("*.yaml")):
        for doc in yaml_data(path.read_text(encoding="utf-8")):
            if not isinstance(doc, dict) or doc.get("kind") != "Experiment":
                continue
            if doc.get("apiVersion") != "kubeflow.org/v1beta1":
                continue
            checked += 1
            for error in validator.iter_errors(doc):
                failures.append(f"{path.name}: {'.'.join(map(str, error.path))}: {error.message}")
    assert checked >= 20
    assert not failures


def test_schema_command_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == load_schema()
    target = tmp_path / "experiment.schema.json"
    assert main(["schema", "-o", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == load_schema()
    capsys.readouterr()
    nested = tmp_path / "new" / "folder" / "x.json"
    assert main(["schema", "-o", str(nested)]) == 0  # the folders are created
    assert json.loads(nested.read_text(encoding="utf-8")) == load_schema()
    assert capsys.readouterr().err == f"wrote {nested}\n"
    (tmp_path / "file").write_text("")
    assert main(["schema", "-o", str(tmp_path / "file" / "x.json")]) == 2  # a file is in the way
    assert capsys.readouterr().err.startswith(f"katiblint: error: {tmp_path / 'file' / 'x.json'}: cannot write the schema: ")

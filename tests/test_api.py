"""The Python API as a notebook user calls it: text, dicts and the Katib SDK's own model classes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kubeflow.katib import (
    V1beta1AlgorithmSpec,
    V1beta1Experiment,
    V1beta1ExperimentSpec,
    V1beta1FeasibleSpace,
    V1beta1ObjectiveSpec,
    V1beta1ParameterSpec,
    V1beta1TrialParameterSpec,
    V1beta1TrialTemplate,
)
from kubernetes.client import V1ObjectMeta

import katiblint
from clirun import BAD, ROOT
from katiblint import Finding, KatibLintError, Severity

KATIB_CONFIG = """\
apiVersion: config.kubeflow.org/v1beta1
kind: KatibConfig
runtime:
  suggestions:
    - algorithmName: random
      image: ghcr.io/kubeflow/katib/suggestion-hyperopt:latest
    - algorithmName: house-bayes
      image: registry.example.com/katib/suggestion-skopt:v0.17.0
"""

MISSING_PRIMARY = Finding(
    code="KAT301",
    name="missing-primary-container",
    severity=Severity.ERROR,
    message="primaryContainerName `trainer` matches no container of the trial pods (containers: `training`); "
    "Katib's pod webhook denies every trial pod and the Trial stays Running",
    help="name the container that runs training and prints the metrics",
    field_path="spec.trialTemplate.primaryContainerName",
    fix_title="rename to `training`",
    fix_applicability="unsafe",
    line=None,
    column=None,
    end_line=None,
    end_column=None,
    document=0,
    object_name="tune-lr",
)


def sdk_experiment(container: str = "training", algorithm: str = "random", metric: str = "accuracy") -> V1beta1Experiment:
    """An Experiment as a notebook builds it before `KatibClient.create_experiment`."""
    return V1beta1Experiment(
        api_version="kubeflow.org/v1beta1",
        kind="Experiment",
        metadata=V1ObjectMeta(name="tune-lr", namespace="kubeflow"),
        spec=V1beta1ExperimentSpec(
            max_trial_count=6,
            parallel_trial_count=2,
            objective=V1beta1ObjectiveSpec(type="maximize", goal=0.9, objective_metric_name=metric),
            algorithm=V1beta1AlgorithmSpec(algorithm_name=algorithm),
            parameters=[
                V1beta1ParameterSpec(name="lr", parameter_type="double", feasible_space=V1beta1FeasibleSpace(min="0.01", max="0.1"))
            ],
            trial_template=V1beta1TrialTemplate(
                primary_container_name=container,
                trial_parameters=[V1beta1TrialParameterSpec(name="learningRate", reference="lr")],
                trial_spec={
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "spec": {
                        "template": {
                            "metadata": {"annotations": {"sidecar.istio.io/inject": "false"}},
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [
                                    {
                                        "name": "training",
                                        "image": "docker.io/example/train:1.0",
                                        "command": ["python", "train.py", "--lr=${trialParameters.learningRate}"],
                                    }
                                ],
                            },
                        }
                    },
                },
            ),
        ),
    )


def test_a_correct_sdk_experiment_has_no_findings() -> None:
    assert katiblint.lint(sdk_experiment()) == []


def test_an_sdk_experiment_gets_field_paths_and_no_positions() -> None:
    findings = katiblint.lint(sdk_experiment(container="trainer"))
    assert findings == [MISSING_PRIMARY]
    assert findings[0].fixable
    assert str(findings[0]) == (
        "KAT301 [error] spec.trialTemplate.primaryContainerName: primaryContainerName `trainer` matches no container "
        "of the trial pods (containers: `training`); Katib's pod webhook denies every trial pod and the Trial stays Running"
    )


def test_a_dict_is_linted_like_the_sdk_object_it_serialises_to() -> None:
    from kubeflow.katib import ApiClient

    as_dict = ApiClient().sanitize_for_serialization(sdk_experiment(container="trainer"))
    assert katiblint.lint(as_dict) == [MISSING_PRIMARY]


def test_yaml_text_gets_one_based_positions() -> None:
    (finding,) = katiblint.lint(BAD)
    assert (finding.code, finding.severity, finding.field_path) == (
        "KAT302", Severity.ERROR, "spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command[3]"
    )
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (41, 27, 41, 55)
    assert BAD.splitlines()[40][26:54] == "${trialParameters.batchSize}"  # the span, 1-based, end exclusive
    assert finding.help is not None and not finding.fixable


def test_json_text_gets_positions_in_that_text() -> None:
    from kubeflow.katib import ApiClient

    text = json.dumps(ApiClient().sanitize_for_serialization(sdk_experiment(container="trainer")), indent=2)
    (finding,) = katiblint.lint(text)
    assert finding.code == "KAT301"
    assert text.splitlines()[finding.line - 1].strip() == '"primaryContainerName": "trainer",'


def test_options_are_the_command_lines() -> None:
    assert katiblint.lint(sdk_experiment(container="trainer"), ignore="KAT301") == []
    assert katiblint.lint(sdk_experiment(container="trainer"), select=["missing-primary-container"]) == [MISSING_PRIMARY]
    with pytest.raises(KatibLintError, match=r"--select: `KAT9x` is not a rule code, prefix or name"):
        katiblint.lint(sdk_experiment(), select="KAT9x")
    with pytest.raises(KatibLintError, match=r"--katib-version: `0.3` is not a Katib release katiblint knows"):
        katiblint.lint(sdk_experiment(), katib_version="0.3")


def test_the_clusters_katib_config_makes_custom_algorithms_known(tmp_path: Path) -> None:
    (tmp_path / "katib-config.yaml").write_text(KATIB_CONFIG)
    unknown = katiblint.lint(sdk_experiment(algorithm="house-bayes"), select="KAT201")
    assert [(f.code, f.field_path) for f in unknown] == [("KAT201", "spec.algorithm.algorithmName")]
    checker = katiblint.Checker(select="KAT201", katib_config=str(tmp_path / "katib-config.yaml"))
    assert checker.lint(sdk_experiment(algorithm="house-bayes")) == []


def test_a_configuration_file_sets_severities(tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('[severity]\nKAT301 = "warning"\n')
    (finding,) = katiblint.lint(sdk_experiment(container="trainer"), config=str(tmp_path / ".katiblint.toml"))
    assert finding.severity == Severity.WARNING == "warning"
    with pytest.raises(KatibLintError, match="nowhere.toml: configuration file not found"):
        katiblint.lint(sdk_experiment(), config=str(tmp_path / "nowhere.toml"))


def test_old_reports_the_edits_katib_refuses() -> None:
    old = sdk_experiment()
    new = sdk_experiment(metric="loss")
    new.spec.max_trial_count = 10  # editable
    findings = katiblint.lint(new, old=old)
    assert [(f.code, f.severity, f.field_path) for f in findings] == [("KAT062", Severity.ERROR, "spec.objective.objectiveMetricName")]
    assert findings[0].message.startswith("`spec.objective.objectiveMetricName` is changed on the applied Experiment `tune-lr`")
    assert katiblint.lint(sdk_experiment(), old=old) == []


def test_what_cannot_be_a_manifest_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="cannot lint a int: expected YAML/JSON text, a dict or a V1beta1Experiment"):
        katiblint.lint(3)
    with pytest.raises(TypeError, match="cannot serialise a object in a manifest"):
        katiblint.lint({"spec": object()})
    deep: dict = {}
    node = deep
    for _ in range(200):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(ValueError, match="nested deeper than 100 levels"):
        katiblint.lint(deep)


def test_the_package_is_typed_and_import_stays_cheap() -> None:
    assert (Path(katiblint.__file__).parent / "py.typed").is_file()
    code = "import sys, katiblint; print(sorted(m for m in sys.modules if m.startswith('katiblint')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "['katiblint', 'katiblint.version']"


def test_the_readme_example_runs_and_prints_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    with pytest.raises(SystemExit, match="fix the Experiment first"):
        exec(compile(code, "README.md", "exec"), {})
    shown = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(shown) == 3
    for want, got in zip(shown, printed):
        assert got.startswith(want.removesuffix("..."))


def test_a_wide_mapping_is_checked_in_linear_time() -> None:
    # Every node used to be looked up among its mapping's keys one by one: 20,000 annotations took a minute.
    import time

    exp = yaml_free_copy(sdk_experiment())
    exp["metadata"]["annotations"] = {f"note-{i}": "${NOTE}" if i == 7 else "x" * 20 for i in range(20000)}
    started = time.perf_counter()
    findings = katiblint.lint(exp)
    assert time.perf_counter() - started < 15
    assert [(f.code, f.field_path) for f in findings] == [("KAT040", "metadata.annotations.note-7")]


def yaml_free_copy(experiment: V1beta1Experiment) -> dict:
    from kubeflow.katib import ApiClient

    return ApiClient().sanitize_for_serialization(experiment)

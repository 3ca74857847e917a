"""GitOps and CI integration on realistic repository layouts: katib-config, ConfigMap templates,
kustomize streams on standard input, baselines and the GitLab report."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import katiblint

EXPERIMENT = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: {name}
  namespace: kubeflow
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
  algorithm:
    algorithmName: {algorithm}
  parallelTrialCount: 2
  maxTrialCount: 6
  maxFailedTrialCount: 2
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace:
        min: "0.01"
        max: "0.1"
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
            annotations:
              sidecar.istio.io/inject: "false"
          spec:
            containers:
              - name: training-container
                image: docker.io/kubeflowkatib/pytorch-mnist-cpu:latest
                command: ["python3", "/opt/mnist.py", "--lr=${{trialParameters.learningRate}}"]
            restartPolicy: Never
"""

KATIB_CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: katib-config
  namespace: kubeflow
data:
  katib-config.yaml: |
    ---
    apiVersion: config.kubeflow.org/v1beta1
    kind: KatibConfig
    init:
      controller:
        trialResources:
          - Job.v1.batch
    runtime:
      metricsCollectors:
        - kind: StdOut
          image: ghcr.io/kubeflow/katib/file-metrics-collector:latest
        - kind: PrometheusMetric
          image: ghcr.io/kubeflow/katib/file-metrics-collector:latest
      suggestions:
        - algorithmName: random
          image: ghcr.io/kubeflow/katib/suggestion-hyperopt:latest
        - algorithmName: house-bayes
          image: registry.example.com/katib/suggestion-skopt:v0.17.0
"""

LEGACY_CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: katib-config
  namespace: kubeflow
data:
  suggestion: |-
    {
      "random": {"image": "docker.io/kubeflowkatib/suggestion-hyperopt:v0.15.0"},
      "house-bayes": {"image": "docker.io/kubeflowkatib/suggestion-skopt:v0.15.0"}
    }
  early-stopping: |-
    {"medianstop": {"image": "docker.io/kubeflowkatib/earlystopping-medianstop:v0.15.0"}}
"""

TEMPLATE_CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: trial-templates
  namespace: kubeflow
  labels:
    katib.kubeflow.org/component: trial-templates
data:
  job.yaml: |
    apiVersion: batch/v1
    kind: Job
    spec:
      template:
        metadata:
          annotations:
            sidecar.istio.io/inject: "false"
        spec:
          containers:
            - name: training-container
              image: docker.io/kubeflowkatib/pytorch-mnist-cpu:latest
              command:
                - "python3"
                - "--lr=${trialParameters.learningRat}"
          restartPolicy: Never
"""


def experiment(name: str = "tune", algorithm: str = "random") -> str:
    return EXPERIMENT.format(name=name, algorithm=algorithm)


def concise(*args: object, cwd: Path, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return katiblint(*args, "--format", "concise", "--color", "never", cwd=cwd, stdin=stdin)


def codes_at(out: str, code: str) -> list[str]:
    """`path:line` of every finding of `code` in concise output."""
    return [":".join(line.split(":")[:2]) for line in out.splitlines() if f" {code} " in line]


def with_config_in_tree(tmp_path: Path, config: str) -> Path:
    (tmp_path / "cluster").mkdir()
    (tmp_path / "cluster" / "katib-config.yaml").write_text(config)
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "custom.yaml").write_text(experiment("custom", "house-bayes"))
    (tmp_path / "experiments" / "typo.yaml").write_text(experiment("typo", "randon"))
    return tmp_path


def test_custom_algorithm_from_katib_config_map_in_tree(tmp_path: Path) -> None:
    root = with_config_in_tree(tmp_path, KATIB_CONFIG_MAP)
    run = concise(".", "--select", "KAT201", cwd=root)
    assert codes_at(run.out, "KAT201") == ["experiments/typo.yaml:11"], run.both
    assert "`randon`" in run.out
    # without the cluster's config the custom name is unknown
    alone = concise("experiments", "--select", "KAT201", cwd=root)
    assert codes_at(alone.out, "KAT201") == ["experiments/custom.yaml:11", "experiments/typo.yaml:11"], alone.both


def test_katib_config_option_with_kustomize_kind_katib_config(tmp_path: Path) -> None:
    # kustomize's configMapGenerator input: a bare KatibConfig document
    body = KATIB_CONFIG_MAP.split("katib-config.yaml: |\n", 1)[1]
    config = "".join(line[4:] + "\n" for line in body.splitlines())
    (tmp_path / "katib-config.yaml").write_text(config)
    (tmp_path / "exp.yaml").write_text(experiment("custom", "house-bayes"))
    run = concise("exp.yaml", "--katib-config", "katib-config.yaml", "--select", "KAT201", cwd=tmp_path)
    assert run.code == 0, run.both


def test_legacy_per_key_config_map(tmp_path: Path) -> None:
    root = with_config_in_tree(tmp_path, LEGACY_CONFIG_MAP)
    run = concise(".", "--select", "KAT201", cwd=root)
    assert codes_at(run.out, "KAT201") == ["experiments/typo.yaml:11"], run.both


def test_custom_name_on_stock_image_gets_that_services_setting_checks(tmp_path: Path) -> None:
    root = with_config_in_tree(tmp_path, KATIB_CONFIG_MAP)
    text = experiment("custom", "house-bayes").replace(
        "    algorithmName: house-bayes\n",
        "    algorithmName: house-bayes\n    algorithmSettings:\n      - name: base_estimatr\n        value: GP\n",
    )
    (root / "experiments" / "custom.yaml").write_text(text)
    run = concise(".", "--select", "KAT202", cwd=root)
    assert codes_at(run.out, "KAT202") == ["experiments/custom.yaml:13"], run.both
    assert "did you mean `base_estimator`" in run.out


def test_prometheus_collector_valid_only_when_configured(tmp_path: Path) -> None:
    text = experiment().replace(
        "  parallelTrialCount: 2\n",
        "  metricsCollectorSpec:\n    collector:\n      kind: PrometheusMetric\n  parallelTrialCount: 2\n",
    )
    (tmp_path / "exp.yaml").write_text(text)
    stock = concise("exp.yaml", "--select", "KAT", cwd=tmp_path)
    assert "no entry in the stock katib-config" in stock.out, stock.both
    (tmp_path / "katib-config.yaml").write_text(KATIB_CONFIG_MAP)
    configured = concise(".", cwd=tmp_path)
    assert "PrometheusMetric" not in configured.out, configured.both


def test_malformed_katib_config_option_is_exit_2_with_file_and_line(tmp_path: Path) -> None:
    bad = KATIB_CONFIG_MAP.replace("        - algorithmName: random\n", "        - algorithmNam: random\n")
    (tmp_path / "katib-config.yaml").write_text(bad)
    (tmp_path / "exp.yaml").write_text(experiment())
    run = concise("exp.yaml", "--katib-config", "katib-config.yaml", cwd=tmp_path)
    assert run.code == 2, run.both
    assert "katib-config.yaml:22:" in run.err and "no `algorithmName`" in run.err


def test_malformed_katib_config_in_tree_is_a_finding(tmp_path: Path) -> None:
    bad = KATIB_CONFIG_MAP.replace("          - Job.v1.batch\n", "          - Job\n")
    root = with_config_in_tree(tmp_path, bad)
    run = concise(".", cwd=root)
    assert codes_at(run.out, "KAT060") == ["cluster/katib-config.yaml:14"], run.both
    # the broken config is not used: the stock names apply
    assert "experiments/custom.yaml:11" in codes_at(run.out, "KAT201")


def test_trial_template_config_map_typo_reported_in_the_config_map_file(tmp_path: Path) -> None:
    exp = experiment().split("    trialSpec:\n")[0] + (
        "    configMap:\n"
        "      configMapName: trial-templates\n"
        "      configMapNamespace: kubeflow\n"
        "      templatePath: job.yaml\n"
        "    successCondition: status.conditions.#(type==\"Complete\")#|#(status==\"True\")#\n"
        "    failureCondition: status.conditions.#(type==\"Failed\")#|#(status==\"True\")#\n"
    )
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "exp.yaml").write_text(exp)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "trial-templates.yaml").write_text(TEMPLATE_CONFIG_MAP)
    run = concise(".", "--select", "KAT302,KAT303,KAT061", cwd=tmp_path)
    lines = run.out.splitlines()
    typo = [line for line in lines if " KAT302 " in line]
    assert len(typo) == 1 and typo[0].startswith("templates/trial-templates.yaml:23:25:"), run.both
    assert "learningRat" in typo[0]
    assert "naming the entry it was meant for (`learningRate`" in typo[0]
    # one mistake, one finding: the typo's entry is not also reported as unused (KAT303)
    assert codes_at(run.out, "KAT303") == [], run.both
    assert "KAT061" not in run.out
    # the Experiment alone: the template cannot be checked, and katiblint says so
    alone = concise("experiments", "--select", "KAT302,KAT061", cwd=tmp_path)
    assert codes_at(alone.out, "KAT061") == ["experiments/exp.yaml:27"], alone.both
    assert "KAT302" not in alone.out


def test_kustomize_overlay_stream_on_stdin(tmp_path: Path) -> None:
    # what `kustomize build overlays/prod` prints: the ConfigMaps and the patched Experiment, one stream
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "experiment.yaml").write_text(experiment())
    (tmp_path / "overlays" / "prod").mkdir(parents=True)
    exp = experiment(algorithm="house-bayes").split("    trialSpec:\n")[0] + (
        "    configMap:\n"
        "      configMapName: trial-templates\n"
        "      configMapNamespace: kubeflow\n"
        "      templatePath: job.yaml\n"
        "    successCondition: status.conditions.#(type==\"Complete\")#|#(status==\"True\")#\n"
        "    failureCondition: status.conditions.#(type==\"Failed\")#|#(status==\"True\")#\n"
    )
    stream = KATIB_CONFIG_MAP + "---\n" + TEMPLATE_CONFIG_MAP + "---\n" + exp
    run = concise("-", "--stdin-filename", "overlays/prod", "--select", "KAT201,KAT302,KAT061", cwd=tmp_path, stdin=stream)
    offset = KATIB_CONFIG_MAP.count("\n") + 1  # the template ConfigMap starts after the config and `---`
    assert codes_at(run.out, "KAT302") == [f"overlays/prod:{offset + 23}"], run.both
    assert "KAT201" not in run.out and "KAT061" not in run.out


def test_baseline_round_trip(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(experiment("old", "randon"))
    write = concise("exp.yaml", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert write.code == 0 and (tmp_path / "baseline.json").is_file(), write.both
    hidden = concise("exp.yaml", "--baseline", "baseline.json", cwd=tmp_path)
    assert hidden.code == 0 and "KAT201" not in hidden.out, hidden.both
    # a line shift keeps known findings hidden
    (tmp_path / "exp.yaml").write_text("# moved down\n\n" + experiment("old", "randon"))
    shifted = concise("exp.yaml", "--baseline", "baseline.json", cwd=tmp_path)
    assert shifted.code == 0 and "KAT201" not in shifted.out, shifted.both
    # a new finding is reported
    (tmp_path / "exp.yaml").write_text(experiment("old", "randon").replace("type: minimize", "type: minimise"))
    new = concise("exp.yaml", "--baseline", "baseline.json", cwd=tmp_path)
    assert new.code == 1 and "minimise" in new.out and "KAT201" not in new.out, new.both


def test_gitlab_report_is_valid_code_quality(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(experiment("a", "randon") + "---\n" + experiment("b", "randon"))
    (tmp_path / "b.yaml").write_text(experiment("c", "tpee"))
    run = katiblint(".", "--format", "gitlab", cwd=tmp_path)
    assert run.code == 1, run.both
    report = json.loads(run.out)
    assert isinstance(report, list) and len(report) >= 3
    for item in report:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(item)
        assert item["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert item["location"]["path"] in ("a.yaml", "b.yaml")
        assert isinstance(item["location"]["lines"]["begin"], int)
    fingerprints = [item["fingerprint"] for item in report]
    assert len(fingerprints) == len(set(fingerprints))


TFJOB_CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: tfjob-templates
  namespace: kubeflow
data:
  unquoted.yaml: |
    apiVersion: kubeflow.org/v1
    kind: TFJob
    spec:
      tfReplicaSpecs:
        Worker:
          replicas: ${trialParameters.learningRate}
          template:
            spec:
              containers:
                - name: training-container
                  image: docker.io/kubeflowkatib/tf-mnist-with-summaries:latest
  quoted.yaml: |
    apiVersion: kubeflow.org/v1
    kind: TFJob
    spec:
      tfReplicaSpecs:
        Worker:
          replicas: "${trialParameters.learningRate}"
          template:
            spec:
              containers:
                - name: training-container
                  image: docker.io/kubeflowkatib/tf-mnist-with-summaries:latest
"""


def test_placeholder_in_a_typed_field_of_a_config_map_template_is_typed_by_its_value(tmp_path: Path) -> None:
    """ConfigMap templates are substituted as YAML text: only a quoted placeholder stays a string."""
    (tmp_path / "experiments").mkdir()
    for key in ("unquoted", "quoted"):
        exp = experiment(key).split("    trialSpec:\n")[0] + (
            "    configMap:\n"
            "      configMapName: tfjob-templates\n"
            "      configMapNamespace: kubeflow\n"
            f"      templatePath: {key}.yaml\n"
        )
        (tmp_path / "experiments" / f"{key}.yaml").write_text(exp)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tfjob.yaml").write_text(TFJOB_CONFIG_MAP)
    run = concise(".", "--select", "KAT341", cwd=tmp_path)
    found = [line for line in run.out.splitlines() if " KAT341 " in line]
    assert len(found) == 1 and found[0].startswith("templates/tfjob.yaml:25:21: KAT341 "), run.both
    assert "`replicas` must be an integer, but Katib substitutes `${trialParameters.learningRate}` as text" in found[0]


def stock_experiment(parameters: str, key: str = "defaultTrialTemplate.yaml") -> str:
    return experiment().split("    trialParameters:\n")[0] + (
        "    trialParameters:\n" + parameters +
        "    configMap:\n"
        "      configMapName: trial-templates\n"
        "      configMapNamespace: kubeflow\n"
        f"      templatePath: {key}\n"
        "    successCondition: status.conditions.#(type==\"Complete\")#|#(status==\"True\")#\n"
        "    failureCondition: status.conditions.#(type==\"Failed\")#|#(status==\"True\")#\n"
    )


def test_stock_trial_template_is_assumed_when_its_config_map_is_not_linted(tmp_path: Path) -> None:
    """Katib's stock `trial-templates` ConfigMap: its content is checked, as warnings naming the template line."""
    (tmp_path / "exp.yaml").write_text(stock_experiment("      - name: learningRate\n        reference: lr\n"))
    run = concise(".", "--select", "KAT302,KAT061", cwd=tmp_path)
    assert run.code == 0, run.both  # a warning: the cluster's copy may differ
    assert run.out.splitlines()[0] == (
        "exp.yaml:29:21: KAT302 [warning] `${trialParameters.momentum}` is not declared in "
        "spec.trialTemplate.trialParameters; the webhook rejects the Experiment (checked against Katib's stock "
        "`kubeflow/trial-templates` ConfigMap, key `defaultTrialTemplate.yaml`, line 15 of the template, since it "
        "is not among the linted files; a cluster may have changed it) [undefined-trial-parameter]"
    ), run.both
    assert "KAT061" not in run.out
    # both parameters declared: nothing to say about the stock template
    (tmp_path / "exp.yaml").write_text(stock_experiment(
        "      - name: learningRate\n        reference: lr\n      - name: momentum\n        reference: lr\n"
    ))
    assert concise(".", "--select", "KAT302,KAT061", cwd=tmp_path).out.startswith("All checks passed"), run.both


def test_stock_trial_template_is_not_assumed_for_other_keys_or_a_linted_config_map(tmp_path: Path) -> None:
    declared = "      - name: learningRate\n        reference: lr\n"
    (tmp_path / "exp.yaml").write_text(stock_experiment(declared, "mine.yaml"))
    alone = concise(".", "--select", "KAT302,KAT061", cwd=tmp_path)
    assert codes_at(alone.out, "KAT061") == ["exp.yaml:27"] and "KAT302" not in alone.out, alone.both
    # the project's own `trial-templates` wins over the stock content
    (tmp_path / "exp.yaml").write_text(stock_experiment("      - name: learningRate\n        reference: lr\n"))
    (tmp_path / "templates.yaml").write_text(
        TEMPLATE_CONFIG_MAP.replace("job.yaml", "defaultTrialTemplate.yaml").replace("learningRat}", "learningRate}")
    )
    run = concise(".", "--select", "KAT302,KAT061", cwd=tmp_path)
    assert run.out.startswith("All checks passed"), run.both


TRAINJOB_EXPERIMENT = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: tj
  namespace: kubeflow
spec:
  trialTemplate:
    primaryContainerName: trainer
    trialSpec:
      apiVersion: trainer.kubeflow.org/v1alpha1
      kind: TrainJob
      spec:
        runtimeRef:
          name: torch-distributed
"""


def test_stock_training_runtime_is_assumed_unless_the_project_defines_it(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(TRAINJOB_EXPERIMENT)
    run = concise(".", "--select", "KAT301", cwd=tmp_path)
    assert codes_at(run.out, "KAT301") == ["exp.yaml:8"] and "KAT301 [warning]" in run.out, run.both
    assert "Trainer v2.3.0's stock runtime assumed, since no linted file defines it" in run.out
    (tmp_path / "runtime.yaml").write_text(
        "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: ClusterTrainingRuntime\nmetadata:\n"
        "  name: torch-distributed\nspec: {}\n"
    )
    assert concise(".", "--select", "KAT301", cwd=tmp_path).out.startswith("All checks passed")


def test_a_template_from_another_file_costs_no_line_index_of_the_experiment_file() -> None:
    """Template offsets are shifted past the Experiment file's; the padding is one line, so a stream of
    thousands of Experiments does not build a line index of the whole stream per template."""
    from katiblint.katib.cluster import embed
    from katiblint.source import SourceFile
    from katiblint.yaml import Mapping, Scalar, load

    source = SourceFile("templates.yaml", TEMPLATE_CONFIG_MAP)
    root = load(source).documents[0].root
    assert isinstance(root, Mapping)
    data = root.get("data")
    assert isinstance(data, Mapping)
    value = data.get("job.yaml")
    assert isinstance(value, Scalar)
    embedded = embed(source, value, 5_000_000)
    assert len(embedded.source.line_starts) <= TEMPLATE_CONFIG_MAP.count("\n") + 2
    assert embedded.source.text.index("apiVersion: batch/v1") == 5_000_000 + TEMPLATE_CONFIG_MAP.index("apiVersion: batch/v1")

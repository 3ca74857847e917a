"""What each rule says the cluster does, pinned: one minimal manifest per rule.

Every message states a consequence ("the webhook rejects the Experiment", "the Trial stays
Running", ...) read from the source of the component that acts. These cases pin that part of
the message, so an edit cannot silently overstate or change it. A rule without a case must be
listed in `NO_CLUSTER_CONSEQUENCE` with the reason.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from katiblint.config import parse
from katiblint.engine import Linter
from katiblint.registry import discover


def exp(spec: str, name: str = "demo") -> str:
    """An Experiment with this (indented) spec."""
    return (
        "apiVersion: kubeflow.org/v1beta1\nkind: Experiment\n"
        f"metadata: {{name: {name}, namespace: kubeflow}}\nspec:\n" + textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ") + "\n"
    )


def job(container: str = "{name: training, image: 'docker.io/example/train:1.0', command: [python3, train.py]}",
        pod: str = "", extra: str = "") -> str:
    """A trialTemplate with a batch Job whose pod has `container` (flow YAML) and `pod` fields."""
    return textwrap.dedent(f"""\
        trialTemplate:
          primaryContainerName: training
        {textwrap.indent(textwrap.dedent(extra).strip(), '  ') if extra else ''}
          trialSpec:
            apiVersion: batch/v1
            kind: Job
            spec:
              template:
                metadata: {{labels: {{sidecar.istio.io/inject: "false"}}}}
                spec:
                  containers:
                    - {container}
                  restartPolicy: Never
        {textwrap.indent(textwrap.dedent(pod).strip(), '          ') if pod else ''}
        """)


RANDOM = "algorithm: {algorithmName: random}\n"
LR = 'parameters:\n  - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.05"}}\n'
OBJECTIVE = "objective: {type: maximize, objectiveMetricName: accuracy}\n"

# code -> (manifest, the consequence the message must state)
CASES: dict[str, tuple[str, str]] = {
    "KAT002": (exp("maxTrialCount: 3\nmaxTrialCount: 4"), "Kubernetes rejects the manifest or keeps only one of the values"),
    "KAT004": (exp("maxTrialCount: 3").replace("v1beta1", "v1alpha3", 1), "so the cluster rejects this Experiment"),
    "KAT005": (exp('algorithm: {algorithmName: random, algorithmSettings: [{name: random_state, value: 10}]}'),
               "the cluster rejects the manifest (`json: cannot unmarshal number into Go value of type string`)"),
    "KAT007": (exp("maxTrialCount: !Ref count"), "its value is read as plain data"),
    "KAT009": ("apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata: {name: deep}\nspec: "
               + "[" * 310 + "]" * 310 + "\n", "katiblint does not lint it"),
    "KAT010": (exp('maxTrialCount: "12"'), "the defaulting webhook rejects the Experiment"),
    "KAT011": (exp("MaxTrialCount: 12"), "Katib's defaulting webhook drops it silently"),
    "KAT012": ("apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata: {name: x}\n",
               "Katib's webhook rejects the Experiment (`spec.objective: Required value: must be specified`"),
    "KAT040": (exp("maxTrialCount: 3", name='"{{ .Values.name }}"'),
               "applied as is the API server receives the literal text instead of the value"),
    "KAT060": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: katib-config}\ndata: {other: value}\n",
               "Katib fails to start"),
    "KAT061": (exp("trialTemplate:\n  configMap: {configMapName: t, configMapNamespace: kubeflow, templatePath: job.yaml}"),
               "Katib's webhook reads it from the cluster when the Experiment is applied and rejects the Experiment "
               "if the ConfigMap or the key is missing"),
    "KAT101": (exp("maxTrialCount: 3", name="mnist.v2"),
               "the suggestion Service `<name>-<algorithm>` cannot be created, so the Experiment stays `Created` forever"),
    "KAT102": (exp("maxTrialCount: -1"), "the webhook rejects the Experiment"),
    "KAT103": (exp("objective: {type: Maximize, objectiveMetricName: accuracy}"), "the webhook rejects the Experiment"),
    "KAT104": (exp("resumePolicy: Always"), "the webhook rejects the Experiment"),
    "KAT140": (exp("algorithm: {algorithmName: my-custom-bayesian-search-service}", name="a-forty-character-experiment-name-abcde"),
               "so the Suggestion never becomes ready and the Experiment stays Created"),
    "KAT201": (exp("algorithm: {algorithmName: Random}"), "the webhook rejects the Experiment"),
    "KAT202": (exp("algorithm: {algorithmName: bayesianoptimization, algorithmSettings: [{name: n_random_starts, value: '2'}]}"),
               "the suggestion service rejects it and the Experiment fails"),
    "KAT203": (exp("algorithm: {algorithmName: tpe, algorithmSettings: [{name: gamma, value: '1.5'}]}"),
               "the Experiment fails (`gamma should be in the range of (0, 1)`)"),
    "KAT204": (exp("maxTrialCount: 3"), "the webhook rejects the Experiment (`spec.algorithm: Required value"),
    "KAT210": (exp("algorithm: {algorithmName: hyperband}"), "its service fails validation and the Experiment fails"),
    "KAT211": (exp("maxTrialCount: 4\nalgorithm: {algorithmName: grid}\nparameters:\n"
                   "  - {name: n, parameterType: int, feasibleSpace: {min: '1', max: '3'}}"),
               "validation fails and the Experiment fails"),
    "KAT212": (exp("algorithm: {algorithmName: grid}\nparameters:\n"
                   "  - {name: lr, parameterType: double, feasibleSpace: {min: '0.1', max: '0.5', step: '0.1', distribution: logNormal}}"),
               "from the first GetSuggestions on; no Trial is ever created and the Experiment stays Created"),
    "KAT213": (exp("algorithm: {algorithmName: tpe}\nparameters:\n"
                   "  - {name: lr, parameterType: double, feasibleSpace: {min: '0.6', max: '0.2'}}"),
               "GetSuggestions fails from its first call, so no Trial is ever created and the Experiment stays Created"),
    "KAT214": (exp("algorithm: {algorithmName: random}\nparameters:\n"
                   "  - {name: lr, parameterType: double, feasibleSpace: {min: '0.001', max: '0.1', step: '0.05'}}"),
               "so trials can get `0` below min `0.001`"),
    "KAT215": (exp("algorithm: {algorithmName: random, algorithmSettings: [{name: random_state, value: '1'}, "
                   "{name: random_state, value: '2'}]}"), "the service validates both and uses only this last value"),
    "KAT220": (exp("algorithm: {algorithmName: bayesianoptimization, algorithmSettings: [{name: base_estimator, value: GBRT}, "
                   "{name: acq_optimizer, value: lbfgs}]}\n" + LR),
               "so no Trial is ever created and the Experiment stays Created"),
    "KAT230": (exp("algorithm: {algorithmName: hyperband, algorithmSettings: [{name: resource_name, value: epoch}, "
                   "{name: r_l, value: '9'}, {name: eta, value: '3'}]}\nparallelTrialCount: 9\nmaxTrialCount: 20\n"
                   "parameters:\n  - {name: epochs, parameterType: int, feasibleSpace: {min: '1', max: '9'}}"),
               "validation fails and the Experiment fails (`value of resource_name setting must be in parameters.`)"),
    "KAT240": (exp("algorithm: {algorithmName: cmaes}\n" + LR), "validation fails and the Experiment fails"),
    "KAT250": (exp("algorithm: {algorithmName: pbt, algorithmSettings: [{name: suggestion_trial_dir, value: /ckpt}, "
                   "{name: n_population, value: '40'}, {name: truncation_threshold, value: '0.2'}]}\nmaxTrialCount: 500\n"
                   "parameters:\n  - {name: lr, parameterType: double, feasibleSpace: {min: '0.01', max: '0.05', step: '0.01'}}"),
               "trial pods mount the suggestion's checkpoint volume, which Katib only creates for FromVolume, so they stay Pending"),
    "KAT260": (exp("algorithm: {algorithmName: enas}\nnasConfig:\n  graphConfig: {numLayers: 8, outputSizes: [10]}\n"
                   "  operations:\n    - operationType: convolution\n      parameters:\n"
                   "        - {name: filter_size, parameterType: categorical, feasibleSpace: {list: ['3']}}"),
               "validation fails and the Experiment fails"),
    "KAT261": (exp("algorithm: {algorithmName: darts}\nnasConfig:\n  graphConfig: {numLayers: 3}\n  operations:\n"
                   "    - operationType: separable_convolution\n      parameters:\n"
                   "        - {name: filter_size, parameterType: categorical, feasibleSpace: {list: ['3']}}\n"
                   + job(extra="trialParameters: [{name: lr, reference: lr}]")),
               "and the Experiment stays Created"),
    "KAT270": (exp("earlyStopping: {algorithmName: medianstop}\nmetricsCollectorSpec: {collector: {kind: Push}}"),
               "so nothing applies the stop rules; early stopping is silently ignored and every Trial runs to its end"),
    "KAT301": (exp(job(extra="").replace("primaryContainerName: training", "primaryContainerName: trainer")),
               "Katib's pod webhook denies every trial pod and the Trial stays Running"),
    "KAT302": (exp(job(container="{name: training, image: x, command: [python3, train.py, '--lr=${trialParameters.lr}']}")),
               "the webhook rejects the Experiment"),
    "KAT303": (exp(job(extra="trialParameters: [{name: lr, reference: lr}]")),
               "the webhook rejects the Experiment (`not found in spec.trialTemplate`)"),
    "KAT304": (exp(LR + job(container="{name: training, image: x, command: [python3, '--lr=${trialParameters.lr}']}",
                            extra="trialParameters: [{name: lr, reference: learning_rate}]")),
               "the webhook rejects the Experiment"),
    "KAT305": (exp(LR + "  - {name: wd, parameterType: double, feasibleSpace: {min: '0.01', max: '0.05'}}\n"
                   + job(container="{name: training, image: x, command: [python3, '--lr=${trialParameters.lr}']}",
                         extra="trialParameters: [{name: lr, reference: lr}]")),
               "Katib cannot place the suggested value, so no Trial is ever created and the Experiment stays Created"),
    "KAT306": (exp(job(extra="trialParameters: [{name: a, reference: lr}, {name: a, reference: wd}]")),
               "the webhook rejects duplicate names"),
    "KAT307": (exp(job(container="{name: training, image: x, command: [python3, '--lr={trialParameters.lr}']}")),
               "the webhook lets it through and the trial receives this text literally"),
    "KAT310": (exp("maxTrialCount: 3"), "the webhook rejects the Experiment (`spec.trialTemplate: Required value"),
    "KAT311": (exp("trialTemplate:\n  primaryContainerName: main\n  successCondition: status.phase\n"
                   "  trialSpec: {apiVersion: argoproj.io/v1alpha1, kind: Workflow, spec: {}}"),
               "the webhook rejects the Experiment (`spec.trialTemplate: Required value: successCondition and "
               "failureCondition must be specified`)"),
    "KAT312": (exp(job()), "the webhook rejects the Experiment (`spec.trialTemplate.trialParameters: Required value"),
    "KAT340": (exp(job(container="{name: training, image: x, comand: [python3]}")),
               "Katib's webhook cannot convert the template to a `batch/v1` Job and rejects the Experiment"),
    "KAT350": (exp(job(extra="primaryPodLabels: {role: trainer}")),
               "no metrics are ever reported, so each Trial stays Running after its job succeeds (the trial "
               "controller waits for metrics) and the Experiment never finishes"),
    "KAT351": (exp(job().replace("restartPolicy: Never", "restartPolicy: Always")),
               "Kubernetes rejects every Trial's Job and the Trial stays Created"),
    "KAT352": (exp(job().replace("apiVersion: batch/v1\n    kind: Job", "apiVersion: kubeflow.org/v2beta1\n    kind: TFJob")),
               "so Trials stay Created or Running forever"),
    "KAT353": (exp(job(extra='successCondition: status.conditions.#(type=="Complete"')),
               "GJSON matches nothing, so the Trial never reaches Succeeded and stays Running"),
    "KAT354": (exp(job(extra="failureCondition: status.conditions")),
               "a Job gets its first condition only when it ends (or is suspended), and Katib then marks the Trial "
               "Failed whatever the outcome"),
    "KAT355": (exp(job(extra='successCondition: status.conditions.#(type=="Completed")#|#(status=="True")#')),
               "the condition never holds, so the Trial stays Running"),
    "KAT356": (exp(job(extra="trialParameters: [{name: team, reference: '${trialSpec.Labels[team]}'}]",
                       container="{name: training, image: x, command: [python3, '--team=${trialParameters.team}']}")),
               "Katib cannot render any Trial and the Experiment stays Created without Trials"),
    "KAT357": (exp("trialTemplate:\n  primaryContainerName: pytorch\n  trialSpec:\n    apiVersion: kubeflow.org/v1\n"
                   "    kind: PyTorchJob\n    spec:\n      pytorchReplicaSpecs:\n        Master:\n          replicas: 1\n"
                   "          template: {spec: {containers: [{name: trainer, image: x}]}}"),
               "the training operator's webhook rejects every Trial's job, so no job is created: Trials stay Created "
               "and the Experiment never finishes"),
    "KAT401": (exp("trialTemplate:\n  trialSpec:\n    apiVersion: batch/v1\n    kind: Job\n    spec:\n      template:\n"
                   "        spec: {containers: [{name: t, image: x}], restartPolicy: Never}"),
               "the sidecar keeps running after training ends, so the trial pod never completes and the Trial stays Running"),
    "KAT410": (exp("objective: {type: maximize, objectiveMetricName: val/accuracy}"), "every Trial ends MetricsUnavailable"),
    "KAT411": (exp('metricsCollectorSpec:\n  source:\n    filter:\n      metricsFormat: ["(\\\\w+)=([\\\\d;]+)"]'),
               "the collector panics on the first output line that names a metric, no metrics are reported and the "
               "trial pod fails"),
    "KAT413": (exp("metricsCollectorSpec:\n  collector: {kind: File}\n  source:\n"
                   "    fileSystemPath: {path: /output/metrics.log, kind: File, format: TEXT}\n"
                   + job(pod="volumes: [{name: results, emptyDir: {}}]",
                         container="{name: training, image: x, command: [python3], volumeMounts: [{name: results, mountPath: /output}]}")),
               "Kubernetes rejects a pod with two volumes at one path, so no trial pod is ever created"),
    "KAT414": (exp(job(container="{name: training, image: x, command: [sh, -c, 'python3 train.py  # main run']}")),
               "the metrics collector exits with an error without reporting any metrics (it finds no completion marker "
               "when the container ends), so the trial pod fails"),
    "KAT415": (exp("metricsCollectorSpec:\n  collector: {kind: Custom, customCollector: {name: mc}}"),
               "Katib injects it as it is, Kubernetes rejects every trial pod, and the Trial stays Running"),
    "KAT416": (exp("objective:\n  type: maximize\n  objectiveMetricName: accuracy\n"
                   "  metricStrategies: [{name: accuracy, value: maximum}]"),
               "finds no objective value in any Trial, so there is no best Trial and the goal is never reached"),
    "KAT341": (exp("parameters:\n  - {name: workers, parameterType: int, feasibleSpace: {min: \"1\", max: \"4\"}}\n"
                   "trialTemplate:\n  primaryContainerName: tensorflow\n"
                   "  trialParameters: [{name: workers, reference: workers}]\n"
                   "  trialSpec:\n    apiVersion: kubeflow.org/v1\n    kind: TFJob\n    spec:\n      tfReplicaSpecs:\n"
                   "        Worker:\n          replicas: ${trialParameters.workers}\n          template:\n"
                   "            spec:\n              containers: [{name: tensorflow, image: 'docker.io/example/tf:1'}]\n"),
               "the API server rejects the Trial's TFJob (`must be of type integer`), so the Trial never starts"),
    "KAT417": (exp(job(pod="initContainers: [{name: proxy, image: x, restartPolicy: Always}]")),
               "so the collector never reports metrics, the pod never completes and the Trial stays Running"),
    "KAT418": (exp(job(pod="volumes: [{name: metrics-volume, emptyDir: {}}]")),
               "two volumes with one name make the pod invalid: Kubernetes rejects every trial pod, so none is ever "
               "created and the Trial stays Running"),
    "KAT501": (exp(OBJECTIVE + RANDOM), "the webhook rejects it (`spec: Required value"),
    "KAT502": (exp("parameters: [{name: lr, parameterType: float, feasibleSpace: {min: '0.1', max: '0.2'}}]"),
               "the webhook rejects the Experiment"),
    "KAT503": (exp("parameters: [{name: lr, parameterType: double, feasibleSpace: {min: '0.1', max: '0.2', "
                   "distribution: gaussian}}]"), "the webhook rejects the Experiment"),
    "KAT504": (exp("parameters: [{name: lr, parameterType: double, feasibleSpace: {min: '0.1'}}]"),
               "the webhook rejects the Experiment"),
    "KAT572": (exp("algorithm: {algorithmName: grid}\n"
                   "parameters: [{name: lr, parameterType: double, feasibleSpace: {min: '0.01', max: '0.05', step: '0.5'}}]"),
               "every Trial gets `0.01`, so the parameter is silently not tuned"),
    "KAT574": (exp("parameters: [{name: opt, parameterType: categorical, feasibleSpace: {list: []}}]"),
               "the suggestion service gets an empty choice and fails, so no Trial is created"),
    "KAT575": (exp("parameters: [{name: opt, parameterType: categorical, feasibleSpace: {list: [sgd, adam, sgd]}}]"),
               "random and TPE searches try it twice as often and grid repeats its Trials"),
    "KAT576": (exp(LR + "  - {name: lr, parameterType: double, feasibleSpace: {min: '0.01', max: '0.05'}}"),
               "the webhook accepts it, then the suggestion service fails (goptuna, hyperband) or silently keeps only one of them"),
    "KAT577": (exp("parameters: [{name: lr, parameterType: unknown, feasibleSpace: {min: '0.1', max: '0.2'}}]"),
               "GetSuggestions fails and no Trial is created"),
    "KAT578": (exp("algorithm: {algorithmName: enas}\n" + LR), "its suggestion service fails and the Experiment fails"),
    "KAT601": (exp("metricsCollectorSpec: {collector: {kind: stdout}}"),
               "the webhook rejects the Experiment (`invalid metrics collector kind: stdout`)"),
    "KAT630": (exp('metricsCollectorSpec:\n  source:\n    filter:\n      metricsFormat: ["loss: (\\\\d+)"]'),
               "the metrics collector never reads a value with it, so every Trial ends MetricsUnavailable"),
    "KAT640": (exp(OBJECTIVE + RANDOM), "the Experiment keeps creating Trials and never finishes"),
}

# Rules whose findings are about the file or about katiblint itself, not about what a cluster does.
NO_CLUSTER_CONSEQUENCE = {
    "KAT001": "the message is the YAML parser's; the file cannot be applied at all",
    "KAT003": "about a katiblint suppression comment",
    "KAT006": "a katiblint bug",
    "KAT008": "the file cannot be read",
}

# Rules that compare a manifest with its applied revision (`--diff-base`): covered below.
DIFF_BASE = {
    "KAT062": "so the cluster rejects this edit",
    "KAT063": "if that many trials have already run, Katib rejects the edit (`must be greater than status.trials count`)",
}


def test_every_rule_has_a_consequence_case() -> None:
    codes = {rule.code for rule in discover().values()}
    covered = set(CASES) | set(NO_CLUSTER_CONSEQUENCE) | set(DIFF_BASE)
    assert codes - covered == set(), "rules without a consequence case"
    assert covered - codes == set(), "cases for rules that do not exist"


@pytest.mark.parametrize("code", sorted(CASES))
def test_message_states_the_consequence(code: str) -> None:
    manifest, consequence = CASES[code]
    linter = Linter(parse({"select": [code]}, f"consequence of {code}"))
    result = linter.lint_text(manifest, f"{code}.yaml")
    messages = [d.message for d in result.diagnostics if d.code == code]
    assert messages, f"{code} reports nothing on its case:\n{manifest}"
    assert any(consequence in m for m in messages), f"{code}: no message states {consequence!r}:\n" + "\n".join(messages)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_diff_base_messages_state_the_consequence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from katiblint.cli import main

    applied = exp(OBJECTIVE + RANDOM + "maxTrialCount: 12\nparallelTrialCount: 2\n" + LR, name="mnist")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "ci@example.com")
    _git(tmp_path, "config", "user.name", "ci")
    (tmp_path / "mnist.yaml").write_text(applied)
    _git(tmp_path, "add", "mnist.yaml")
    _git(tmp_path, "commit", "-q", "-m", "applied")
    edited = applied.replace("algorithmName: random", "algorithmName: tpe").replace("maxTrialCount: 12", "maxTrialCount: 6")
    (tmp_path / "mnist.yaml").write_text(edited)
    monkeypatch.chdir(tmp_path)
    main(["--select", "KAT062,KAT063", "--format", "concise", "--diff-base", "HEAD", "mnist.yaml"])
    out = " ".join(capsys.readouterr().out.split())
    for code, consequence in DIFF_BASE.items():
        assert code in out and consequence in out, (code, out)

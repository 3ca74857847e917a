"""v1alpha3 Experiments: KAT004, the rules that still run on them, and the migration to v1beta1."""

from __future__ import annotations

from pathlib import Path

from clirun import katiblint
from katiblint.config import Settings, parse
from katiblint.docs import all_docs
from katiblint.engine import Linter
from katiblint.fix.apply import fix_text
from katiblint.katib.experiment import LEGACY_VERSION, SERVED_VERSION
from katiblint.registry import discover
from katiblint.rules._v1alpha3 import trial_parameter_name

V1ALPHA3 = """\
apiVersion: kubeflow.org/v1alpha3
kind: Experiment
metadata:
  name: random-example
  namespace: kubeflow
spec:
  objective:
    type: maximise
    objectiveMetricName: accuracy
  algorithm:
    algorithmName: random
  maxTrialCount: 3
  maxFailedTrialCount: 5
  parameters:
    - name: --lr
      parameterType: double
      feasibleSpace:
        min: "0.01"
        max: "0.03"
  trialTemplate:
    goTemplate:
      rawTemplate: |-
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{.Trial}}
          namespace: {{.NameSpace}}
        spec:
          template:
            metadata:
              annotations:
                sidecar.istio.io/inject: "false"
            spec:
              containers:
              - name: {{.Trial}}
                image: docker.io/kubeflowkatib/mxnet-mnist
                command:
                - "python3"
                - "/opt/mxnet-mnist/mnist.py"
                {{- with .HyperParameters}}
                {{- range .}}
                - "{{.Name}}={{.Value}}"
                {{- end}}
                {{- end}}
              restartPolicy: Never
"""

KAT004_V1ALPHA3 = (
    "apiVersion `kubeflow.org/v1alpha3` is not served by Katib; only `kubeflow.org/v1beta1` is, so the cluster "
    "rejects this Experiment (only the fields v1alpha3 shares with v1beta1 were checked)"
)


def _only(code: str) -> Linter:
    return Linter(parse({"select": [code]}, "test"))


def _seen(text: str) -> list[tuple[str, str, tuple[int, int], str]]:
    result = Linter(Settings()).lint_text(text, "exp.yaml")
    return [(d.code, d.severity.value, (d.start[0] + 1, d.start[1] + 1), d.message) for d in result.diagnostics]


def test_the_fields_v1alpha3_shares_with_v1beta1_are_checked_the_trial_template_is_not() -> None:
    assert _seen(V1ALPHA3) == [
        ("KAT004", "error", (1, 13), KAT004_V1ALPHA3),
        (
            "KAT103",
            "error",
            (8, 5),
            "objective `type: maximise` is not `minimize` or `maximize` (case-sensitive); the webhook rejects the "
            "Experiment (`spec.objective.type: must be minimize or maximize`)",
        ),
        (
            "KAT102",
            "error",
            (13, 24),
            "`maxFailedTrialCount: 5` exceeds `maxTrialCount: 3`; the webhook rejects the Experiment "
            "(`spec.maxFailedTrialCount: should be less than or equal to spec.maxTrialCount`)",
        ),
    ]


def test_other_unserved_versions_still_stop_every_other_rule() -> None:
    text = V1ALPHA3.replace("v1alpha3", "v1alpha2", 1)
    assert [code for code, *_ in _seen(text)] == ["KAT004"]


def test_rules_declare_the_versions_they_understand() -> None:
    rules = discover()
    legacy = {code for code, rule in rules.items() if LEGACY_VERSION in rule.api_versions}
    assert all(SERVED_VERSION in rule.api_versions for rule in rules.values())
    # The trial template changed shape between the versions: none of its rules runs on v1alpha3.
    for code in ("KAT040", "KAT301", "KAT302", "KAT303", "KAT305", "KAT310", "KAT312", "KAT401"):
        assert code not in legacy
    for code in ("KAT011", "KAT101", "KAT102", "KAT103", "KAT201", "KAT202", "KAT504", "KAT601"):
        assert code in legacy


def test_rules_json_lists_the_versions_each_rule_checks() -> None:
    import json

    data = {r["code"]: r["api_versions"] for r in json.loads(katiblint("rules", "--format", "json").out)}
    assert data["KAT103"] == [SERVED_VERSION, LEGACY_VERSION]
    assert data["KAT301"] == [SERVED_VERSION]


def test_the_migration_is_an_unsafe_fix_with_help() -> None:
    result = Linter(Settings()).lint_text(V1ALPHA3, "exp.yaml")
    (kat004,) = [d for d in result.diagnostics if d.code == "KAT004"]
    assert kat004.fix is not None and kat004.fix.applicability.value == "unsafe"
    assert kat004.help == (
        "`--fix --unsafe-fixes` will migrate the Experiment to `kubeflow.org/v1beta1`: `goTemplate.rawTemplate` "
        "becomes `trialSpec` with `trialParameters`, and `primaryContainerName` is set; review the result"
    )
    assert fix_text(_only("KAT004"), V1ALPHA3).text == V1ALPHA3  # not without --unsafe-fixes


def test_the_migrated_experiment_relints_with_only_its_real_problems() -> None:
    outcome = fix_text(Linter(Settings()), V1ALPHA3, "exp.yaml", unsafe=True)
    assert "\n".join(outcome.text.split("\n")[19:42]) == """\
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: lr
        reference: --lr
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
              image: docker.io/kubeflowkatib/mxnet-mnist
              command:
              - "python3"
              - "/opt/mxnet-mnist/mnist.py"
              - "--lr=${trialParameters.lr}"
            restartPolicy: Never
"""
    assert outcome.text.startswith("apiVersion: kubeflow.org/v1beta1\n")
    # The objective's typo had a safe fix; the counts were reported before the migration already,
    # and nothing else is left.
    assert "    type: maximize\n" in outcome.text
    assert [d.code for d in outcome.result.diagnostics] == ["KAT102"]


def _help(text: str) -> str | None:
    (kat004,) = [d for d in Linter(Settings()).lint_text(text, "exp.yaml").diagnostics if d.code == "KAT004"]
    assert kat004.fix is None
    return kat004.help


def test_no_fix_where_the_template_is_not_the_common_loop_and_the_help_says_why() -> None:
    condition = '{{- if eq .Name "--lr"}}\n                - "{{.Value}}"\n                {{- end}}'
    logic = V1ALPHA3.replace('- "{{.Name}}={{.Value}}"', condition)
    assert _help(logic) == (
        "migrate it to `kubeflow.org/v1beta1` by hand (no automatic migration: its template uses `.HyperParameters` "
        "in a form other than the `with`/`range` loop over `{{.Name}}` and `{{.Value}}`): move the job into "
        "`trialTemplate.trialSpec`, declare `trialParameters` and use `${trialParameters.<name>}` placeholders, "
        "set `primaryContainerName`"
    )
    argo = V1ALPHA3.replace("batch/v1\n        kind: Job", "argoproj.io/v1alpha1\n        kind: Workflow")
    expected = "(no automatic migration: v1alpha3 ran only Job, TFJob and PyTorchJob trials, not `Workflow`)"
    assert expected in (_help(argo) or "")
    start = V1ALPHA3.index("    goTemplate:")
    configmap = V1ALPHA3[:start] + "    goTemplate:\n      templateSpec:\n        configMapName: trial-template\n"
    assert "(no automatic migration: its trial template is kept in a ConfigMap (`goTemplate.templateSpec`)" in (
        _help(configmap) or ""
    )
    start = V1ALPHA3.index("                {{- with .HyperParameters}}")
    unused = V1ALPHA3[:start] + "              restartPolicy: Never\n"
    expected = "(no automatic migration: its template never writes `.HyperParameters`, so no trial parameter"
    assert expected in (_help(unused) or "")
    commented = V1ALPHA3.replace("    goTemplate:\n", "    goTemplate:\n      # generated by our tool\n")
    assert "(no automatic migration: comments around `goTemplate` would be lost)" in (_help(commented) or "")


def test_trial_parameter_names_are_placeholder_friendly() -> None:
    assert trial_parameter_name("--lr") == "lr"
    assert trial_parameter_name("--num-layers") == "numLayers"
    assert trial_parameter_name("learning_rate") == "learningRate"
    assert trial_parameter_name("-") == "param"


def test_the_doc_example_migrates_to_the_doc_fix() -> None:
    doc = all_docs()["KAT004"]
    example, fixed = doc.yaml_blocks("Example")[0], doc.yaml_blocks("Fix")[0]
    assert fix_text(_only("KAT004"), example, unsafe=True).text == fixed


def test_cli_migrates_with_unsafe_fixes_only(tmp_path: Path) -> None:
    f = tmp_path / "exp.yaml"
    f.write_text(V1ALPHA3.replace("maximise", "maximize").replace("maxFailedTrialCount: 5", "maxFailedTrialCount: 1"))
    run = katiblint(f)
    assert run.code == 1 and "1 more fixable with `--fix --unsafe-fixes` (KAT004)" in run.out, run.out
    run = katiblint("--fix", "--unsafe-fixes", f)
    assert run.code == 0, run.out
    assert "Fixed 1 finding." in run.out
    assert f.read_text().startswith("apiVersion: kubeflow.org/v1beta1\n") and "{{" not in f.read_text()


def test_the_migration_keeps_crlf_and_the_other_documents() -> None:
    crlf = V1ALPHA3.replace("\n", "\r\n")
    outcome = fix_text(_only("KAT004"), crlf, "exp.yaml", unsafe=True)
    assert outcome.fixed == 1 and "\n" not in outcome.text.replace("\r\n", "")
    assert outcome.text.replace("\r\n", "\n") == fix_text(_only("KAT004"), V1ALPHA3, "exp.yaml", unsafe=True).text
    two = V1ALPHA3 + "---\n" + V1ALPHA3.replace("random-example", "second")
    outcome = fix_text(_only("KAT004"), two, "exp.yaml", unsafe=True)
    assert outcome.fixed == 2 and outcome.text.count("    trialSpec:\n") == 2 and not outcome.result.diagnostics

"""Findings about the cluster rather than a manifest are said once per run (KAT352's info about
opt-in trial kinds), while findings about each manifest stay with each manifest."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import katiblint

ARGO = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: {name}
spec:
  trialTemplate:
    primaryContainerName: main
    trialSpec:
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      spec:
        templates:
          - name: train
            container: {{image: trainer}}
"""

CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: katib-config
  namespace: kubeflow
data:
  katib-config.yaml: |
    apiVersion: config.kubeflow.org/v1beta1
    kind: KatibConfig
    init:
      controller:
        trialResources:
          - Job.v1.batch
{extra}"""


def kat352(tmp_path: Path, files: dict[str, str]) -> list[dict[str, object]]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = katiblint(".", "--select", "KAT352", "--format", "json", cwd=tmp_path)
    return json.loads(result.out)["diagnostics"]


def test_opt_in_kind_is_one_info_per_run(tmp_path: Path) -> None:
    found = kat352(tmp_path, {
        "a.yaml": ARGO.format(name="a") + "---\n" + ARGO.format(name="b"),
        "b.yaml": ARGO.format(name="c"),
    })
    assert [(d["path"], d["severity"], d["start"]["line"]) for d in found] == [("a.yaml", "info", 10)]


def test_no_info_when_the_katib_config_lists_the_kind(tmp_path: Path) -> None:
    config = CONFIG.format(extra="          - Workflow.v1alpha1.argoproj.io\n")
    assert kat352(tmp_path, {"config.yaml": config, "a.yaml": ARGO.format(name="a")}) == []


def test_error_for_each_experiment_when_the_katib_config_does_not_list_it(tmp_path: Path) -> None:
    found = kat352(tmp_path, {"config.yaml": CONFIG.format(extra=""), "a.yaml": ARGO.format(name="a"),
                              "b.yaml": ARGO.format(name="b")})
    assert [(d["path"], d["severity"]) for d in found] == [("a.yaml", "error"), ("b.yaml", "error")]

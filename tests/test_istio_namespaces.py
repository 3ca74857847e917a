"""KAT401 in `auto` reads the namespaces the linted manifests define: a `Namespace` or a Kubeflow
`Profile` in the same file or elsewhere in the run decides whether Istio injects sidecars there."""

from __future__ import annotations

from pathlib import Path

from clirun import katiblint

EXPERIMENT = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: random
  namespace: {namespace}
spec:
  trialTemplate:
    primaryContainerName: training-container
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training-container
                image: docker.io/kubeflowkatib/pytorch-mnist:latest
            restartPolicy: Never
"""

INJECTED = """\
apiVersion: v1
kind: Namespace
metadata:
  name: ml-team
  labels:
    istio-injection: enabled
"""

PROFILE = """\
apiVersion: kubeflow.org/v1
kind: Profile
metadata:
  name: alice
spec:
  owner: {kind: User, name: alice@example.com}
"""

PLAIN_KUBEFLOW = """\
apiVersion: v1
kind: Namespace
metadata:
  name: kubeflow
  labels:
    katib.kubeflow.org/metrics-collector-injection: enabled
"""


def lint(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = katiblint(".", "--select", "KAT401", "--format", "concise", cwd=tmp_path)
    return [line for line in result.out.splitlines() if "KAT401" in line]


def test_linted_namespace_with_injection_label_is_reported(tmp_path: Path) -> None:
    found = lint(tmp_path, {"ns.yaml": INJECTED, "exp.yaml": EXPERIMENT.format(namespace="ml-team")})
    assert found == [
        "exp.yaml:13:9: KAT401 [*] [warning] pods of `spec.template` do not set `sidecar.istio.io/inject`, and Istio "
        "likely injects its sidecar: its Namespace `ml-team` is labelled `istio-injection: enabled`; the sidecar "
        "keeps running after training ends, so the trial pod never completes and the Trial stays Running "
        "[istio-sidecar-injection]"
    ]


def test_namespace_in_the_same_file_counts(tmp_path: Path) -> None:
    found = lint(tmp_path, {"all.yaml": INJECTED + "---\n" + EXPERIMENT.format(namespace="ml-team")})
    assert len(found) == 1 and "its Namespace `ml-team` is labelled `istio-injection: enabled`" in found[0]


def test_profile_namespace_is_reported(tmp_path: Path) -> None:
    found = lint(tmp_path, {"profile.yaml": PROFILE, "exp.yaml": EXPERIMENT.format(namespace="alice")})
    assert len(found) == 1 and "`alice` is the namespace of a Kubeflow Profile" in found[0]


def test_explicit_namespace_without_injection_is_not_reported(tmp_path: Path) -> None:
    assert lint(tmp_path, {"exp.yaml": EXPERIMENT.format(namespace="ml-team")}) == []


def test_linted_namespace_without_injection_label_wins_over_the_kubeflow_default(tmp_path: Path) -> None:
    assert lint(tmp_path, {"exp.yaml": EXPERIMENT.format(namespace="kubeflow")}) != []
    assert lint(tmp_path, {"ns.yaml": PLAIN_KUBEFLOW}) == []

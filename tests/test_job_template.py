"""KAT340 beyond its fixture: what the user sees when the Kubernetes schemas cannot be used."""

from __future__ import annotations

import importlib.util
from typing import Iterator

import pytest

from katiblint.config import Settings
from katiblint.engine import Linter
from katiblint.rules import _k8s_schema, invalid_job_template

JOB_EXPERIMENT = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: {name}
spec:
  trialTemplate:
    primaryContainerName: main
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            restartPolicey: Never
            containers:
              - name: main
                image: busybox
"""


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    _k8s_schema.job_schema.cache_clear()
    invalid_job_template._UNAVAILABLE_SAID.clear()
    yield
    _k8s_schema.job_schema.cache_clear()
    invalid_job_template._UNAVAILABLE_SAID.clear()


def lint(text: str, **settings: object) -> list[tuple[str, str, str]]:
    linter = Linter(Settings(select=("KAT340",), **settings))  # type: ignore[arg-type]
    result = linter.lint_text(text, "exp.yaml")
    return [(d.code, d.severity.value, d.message) for d in result.diagnostics]


def two_documents() -> str:
    return JOB_EXPERIMENT.format(name="a") + "---\n" + JOB_EXPERIMENT.format(name="b")


def test_misspelt_field_is_an_error_with_did_you_mean() -> None:
    linter = Linter(Settings(select=("KAT340",)))
    result = linter.lint_text(JOB_EXPERIMENT.format(name="a"), "exp.yaml")
    [diag] = result.diagnostics
    assert diag.start == (13, 12)
    assert diag.help == "did you mean `restartPolicy`?"
    assert diag.field_path == "spec.trialTemplate.trialSpec.spec.template.spec.restartPolicey"


def test_missing_package_is_said_once(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def without_package(name: str, *args: object) -> object:
        return None if name == "kubernetes_validate" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_package)
    found = lint(two_documents()) + lint(two_documents())
    assert len(found) == 1
    code, severity, message = found[0]
    assert (code, severity) == ("KAT340", "warning")
    assert "`kubernetes-validate` package is not installed" in message


def test_unshipped_kubernetes_version_is_said_once() -> None:
    found = lint(two_documents(), kubernetes_version="1.10")
    assert len(found) == 1
    assert "no schema for Kubernetes 1.10" in found[0][2]


def test_malformed_kubernetes_version() -> None:
    [(_, severity, message)] = lint(two_documents(), kubernetes_version="latest")
    assert severity == "warning" and "not a version like `1.30`" in message


def test_version_is_the_newest_not_newer_than_asked() -> None:
    assert _k8s_schema.pick_version("1.33.4", [(1, 30), (1, 32), (1, 35)]) == (1, 32)
    assert _k8s_schema.pick_version(None, [(1, 30), (1, 35), (1, 32)]) == (1, 35)
    assert _k8s_schema.pick_version("v1.99", [(1, 30)]) == (1, 30)


def test_only_the_job_definitions_are_kept() -> None:
    schema = _k8s_schema.job_schema(None)
    assert _k8s_schema.JOB_DEFINITION in schema.definitions
    assert "io.k8s.api.core.v1.Container" in schema.definitions
    assert "io.k8s.api.apps.v1.Deployment" not in schema.definitions

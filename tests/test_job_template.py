"""KAT340 beyond its fixture: where the Job schema comes from, and what the user sees without one."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Iterator

import pytest

from clirun import GOOD, katiblint
from katiblint.config import Settings
from katiblint.engine import FileResult, Linter
from katiblint.rules import _k8s_schema

ROOT = Path(__file__).resolve().parent.parent
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
HAS_KUBERNETES_VALIDATE = importlib.util.find_spec("kubernetes_validate") is not None


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    _k8s_schema.schema_or_reason.cache_clear()
    yield
    _k8s_schema.schema_or_reason.cache_clear()


@pytest.fixture
def without_kubernetes_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a plain install: `kubernetes-validate` cannot be found."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "kubernetes_validate" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def lint(text: str, **settings: object) -> FileResult:
    return Linter(Settings(select=("KAT340",), **settings)).lint_text(text, "exp.yaml")  # type: ignore[arg-type]


def messages(result: FileResult) -> list[tuple[str, str, str]]:
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


def test_the_bundled_schema_needs_no_extra(without_kubernetes_validate: None) -> None:
    [(code, severity, message)] = messages(lint(JOB_EXPERIMENT.format(name="a")))
    assert (code, severity) == ("KAT340", "error")
    assert message.startswith("`restartPolicey` is not a field of the Kubernetes `PodSpec` (schema 1.37);")
    assert _k8s_schema.job_schema(None).version == max(_k8s_schema.bundled_versions()) == (1, 37)


@pytest.mark.parametrize("asked", ["1.37", "v1.37.3", "1.40"])
def test_the_bundled_release_and_newer_ones_never_look_for_the_extra(monkeypatch: pytest.MonkeyPatch, asked: str) -> None:
    def no_lookup() -> Path:
        raise AssertionError("kubernetes-validate was looked for")

    if asked != "1.40":  # 1.40 may be shipped by a newer kubernetes-validate: looking is right
        monkeypatch.setattr(_k8s_schema, "package_dir", no_lookup)
    assert _k8s_schema.job_schema(asked).version >= (1, 37)


def test_a_newer_release_without_the_extra_is_checked_with_the_bundled_one(without_kubernetes_validate: None) -> None:
    result = lint(JOB_EXPERIMENT.format(name="a"), kubernetes_version="1.40")
    assert [m for _, _, m in messages(result) if "(schema 1.37)" in m] and not result.notices


def test_an_older_release_without_the_extra_is_a_notice_not_a_finding(without_kubernetes_validate: None) -> None:
    result = lint(two_documents(), kubernetes_version="1.29")
    assert result.diagnostics == []
    assert result.notices == [
        "KAT340: batch/v1 Job trial templates were not checked against the Kubernetes schema: katiblint bundles "
        "the Kubernetes 1.37 schema only; the `kubernetes` extra (`pip install '.[kubernetes]'` in a clone) adds older releases such as 1.29"
    ]


@pytest.mark.skipif(not HAS_KUBERNETES_VALIDATE, reason="needs the kubernetes extra")
def test_an_older_release_comes_from_the_extra() -> None:
    result = lint(JOB_EXPERIMENT.format(name="a"), kubernetes_version="1.29")
    assert [m for _, _, m in messages(result) if "(schema 1.29)" in m] and not result.notices


@pytest.mark.skipif(not HAS_KUBERNETES_VALIDATE, reason="needs the kubernetes extra")
def test_unshipped_kubernetes_version_is_a_notice() -> None:
    result = lint(two_documents(), kubernetes_version="1.10")
    assert result.diagnostics == []
    [notice] = result.notices
    assert "no schema for Kubernetes 1.10 (oldest available: 1." in notice


def test_malformed_kubernetes_version() -> None:
    result = lint(two_documents(), kubernetes_version="latest")
    assert result.diagnostics == []
    assert result.notices == [
        "KAT340: batch/v1 Job trial templates were not checked against the Kubernetes schema: "
        "`--kubernetes-version latest` is not a version like `1.30`"
    ]


def test_the_reason_is_one_line_on_stderr_per_run_whatever_the_processes(tmp_path: Path) -> None:
    for i in range(60):  # enough files for a process pool of two workers
        (tmp_path / f"exp{i:02}.yaml").write_text(GOOD.replace("name: random", f"name: exp{i}"), encoding="utf-8")
    for jobs in ("1", "2"):
        run = katiblint("--kubernetes-version", "1.10", "--jobs", jobs, ".", cwd=tmp_path)
        assert run.code == 0, run.both[-2000:]
        assert "KAT340" not in run.out
        [line] = run.err.splitlines()
        assert line.startswith("katiblint: KAT340: batch/v1 Job trial templates were not checked"), line


def test_version_is_the_newest_not_newer_than_asked() -> None:
    assert _k8s_schema.pick_version("1.33.4", [(1, 30), (1, 32), (1, 35)]) == (1, 32)
    assert _k8s_schema.pick_version(None, [(1, 30), (1, 35), (1, 32)]) == (1, 35)
    assert _k8s_schema.pick_version("v1.99", [(1, 30)]) == (1, 30)


def test_descriptions_are_dropped_but_a_field_named_description_is_kept() -> None:
    schema = {
        "description": "prose",
        "properties": {"description": {"type": "string", "description": "more prose"}},
        "items": {"description": "x", "type": "integer"},
        "oneOf": [{"description": "y", "type": "string"}],
        "enum": ["description"],
    }
    assert _k8s_schema.strip_prose(schema) == {
        "properties": {"description": {"type": "string"}},
        "items": {"type": "integer"},
        "oneOf": [{"type": "string"}],
        "enum": ["description"],
    }


def test_the_bundled_file_holds_only_what_a_job_reaches() -> None:
    [path] = _k8s_schema.bundled_versions().values()
    text = path.read_text(encoding="utf-8")
    definitions = json.loads(text)["definitions"]
    assert _k8s_schema.JOB_DEFINITION in definitions
    assert "io.k8s.api.core.v1.Container" in definitions
    assert "io.k8s.api.apps.v1.Deployment" not in definitions
    assert '"description"' not in text and len(text) < 100_000


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("generate_job_schema", ROOT / "scripts" / "generate_job_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not HAS_KUBERNETES_VALIDATE, reason="the generator reads kubernetes-validate")
def test_the_bundled_file_is_what_the_generator_writes() -> None:
    """Regenerate with `python scripts/generate_job_schema.py` (see rules/data/README.md)."""
    [(version, path)] = _k8s_schema.bundled_versions().items()
    name, text = _generator().generate(f"{version[0]}.{version[1]}")  # type: ignore[attr-defined]
    assert name == path.name
    assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `python scripts/generate_job_schema.py`"


@pytest.mark.skipif(not HAS_KUBERNETES_VALIDATE, reason="compares with kubernetes-validate")
def test_the_bundled_release_is_the_newest_the_pinned_extra_ships() -> None:
    shipped = _k8s_schema.shipped_versions(_k8s_schema.package_dir())
    assert max(_k8s_schema.bundled_versions()) == max(shipped), "run `python scripts/generate_job_schema.py`"


def test_a_broken_bundled_file_is_a_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "k8s-job-1.37.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(_k8s_schema, "bundled_versions", lambda: {(1, 37): broken})
    result = lint(JOB_EXPERIMENT.format(name="a"))
    assert result.diagnostics == []
    [notice] = result.notices
    assert "katiblint's bundled k8s-job-1.37.json cannot be read" in notice and "reinstall katiblint" in notice


# --- KAT341: the Kubeflow job kinds ---------------------------------------------------------------

TFJOB_EXPERIMENT = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: tfjob
spec:
  trialTemplate:
    primaryContainerName: tensorflow
    trialParameters:
      - name: workers
        reference: workers
    trialSpec:
      apiVersion: kubeflow.org/v1
      kind: TFJob
      spec:
        tfReplicaSpecs:
          Worker:
            replicas: ${trialParameters.workers}
            template:
              spec:
                containers:
                  - name: tensorflow
                    image: busybox
"""


def test_bundled_kubeflow_schemas_cover_every_kind_katib_runs_and_resolve() -> None:
    data = json.loads((ROOT / "rules" / "data" / "kubeflow-jobs.json").read_text(encoding="utf-8"))
    assert sorted(data["kinds"]) == [
        "kubeflow.org/v1 JAXJob", "kubeflow.org/v1 MPIJob", "kubeflow.org/v1 PaddleJob", "kubeflow.org/v1 PyTorchJob",
        "kubeflow.org/v1 TFJob", "kubeflow.org/v1 XGBoostJob", "trainer.kubeflow.org/v1alpha1 TrainJob",
    ]
    assert [(s["repo"], s["release"], len(s["commit"])) for s in data["sources"]] == [
        ("kubeflow/training-operator", "v1.9.0", 40), ("kubeflow/trainer", "v2.3.0", 40),
    ]
    definitions = _k8s_schema.job_schema(None).definitions
    refs = set(_k8s_schema._refs(data["kinds"]))
    assert "io.k8s.api.core.v1.PodTemplateSpec" in refs
    assert refs <= set(definitions), refs - set(definitions)
    assert '"description"' not in json.dumps(data["kinds"])


def test_kubeflow_kinds_are_checked_on_a_plain_install(without_kubernetes_validate: None) -> None:
    _k8s_schema.kubeflow_schemas.cache_clear()
    result = Linter(Settings(select=("KAT341",))).lint_text(TFJOB_EXPERIMENT, "exp.yaml")
    assert [(d.code, d.severity.value, d.start) for d in result.diagnostics] == [("KAT341", "error", (16, 22))]
    assert result.diagnostics[0].message.startswith(
        "`replicas` must be an integer, but Katib substitutes `${trialParameters.workers}` as text, "
        "so the value is a string"
    )


SMALL_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: tfjobs.kubeflow.org
spec:
  group: kubeflow.org
  names: {kind: TFJob}
  versions:
    - name: v1
      served: true
      schema:
        openAPIV3Schema:
          description: TFJob is the Schema for the tfjobs API.
          properties:
            spec:
              properties:
                tfReplicaSpecs:
                  additionalProperties:
                    properties:
                      replicas: {format: int32, type: integer, description: Number of replicas.}
                      template:
                        properties:
                          metadata: {type: object}
                          spec:
                            properties:
                              containers: {type: array, items: {type: object}}
                            type: object
                        type: object
                    type: object
                  type: object
              type: object
              x-kubernetes-validations: [{rule: "true", message: never}]
            status: {type: object}
          type: object
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: clustertrainingruntimes.trainer.kubeflow.org
spec:
  group: trainer.kubeflow.org
  names: {kind: ClusterTrainingRuntime}
  versions: [{name: v1alpha1, served: true, schema: {openAPIV3Schema: {type: object}}}]
"""


def test_the_kubeflow_generator_keeps_types_and_shares_pod_templates(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "generate_kubeflow_schemas.py"
    spec = importlib.util.spec_from_file_location("generate_kubeflow_schemas", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    (tmp_path / "kubeflow.org_tfjobs.yaml").write_text(SMALL_CRD)
    text = module.generate([(tmp_path, "kubeflow/training-operator", "v9.9.9", "0" * 40)])  # type: ignore[attr-defined]
    data = json.loads(text)
    assert data["sources"] == [{
        "repo": "kubeflow/training-operator", "release": "v9.9.9", "commit": "0" * 40,
        "files": ["manifests/base/crds/kubeflow.org_tfjobs.yaml"],
    }]
    assert list(data["kinds"]) == ["kubeflow.org/v1 TFJob"]  # runtimes are not trial kinds
    assert data["kinds"]["kubeflow.org/v1 TFJob"] == {
        "properties": {"spec": {"properties": {"tfReplicaSpecs": {"additionalProperties": {"properties": {
            "replicas": {"type": "integer"},
            "template": {"$ref": "#/$defs/io.k8s.api.core.v1.PodTemplateSpec"},
        }, "type": "object"}, "type": "object"}}, "type": "object"}},
        "type": "object",
    }
    assert text.count("\n") == 3  # the header, one line per kind, the end

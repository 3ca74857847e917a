"""KAT340 beyond its fixture: what the user sees when the Kubernetes schemas cannot be used."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
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


def _fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the newest shipped schema as the only version `kubernetes-validate` has."""
    real = _k8s_schema.shipped_versions(_k8s_schema.package_dir())
    newest = max(real)
    root = tmp_path / "schemas"
    (root / f"v{newest[0]}.{newest[1]}.0-local-strict").mkdir(parents=True)
    big = root / f"v{newest[0]}.{newest[1]}.0-local-strict" / "_definitions.json"
    big.write_bytes((real[newest] / "_definitions.json").read_bytes())
    monkeypatch.setattr(_k8s_schema, "package_dir", lambda: root)
    return big


def test_the_job_definitions_are_cached_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = _fake_package(tmp_path, monkeypatch)
    monkeypatch.setenv("KATIBLINT_CACHE_DIR", str(tmp_path / "cache"))
    first = _k8s_schema.job_schema(None)
    [cached] = (tmp_path / "cache").glob("k8s-job-schema-*.json")
    assert cached.stat().st_size < big.stat().st_size / 4
    _k8s_schema.job_schema.cache_clear()
    stat = big.stat()
    big.write_text("{not json", encoding="utf-8")  # same size and time: the cache still answers
    os.truncate(big, stat.st_size)
    os.utime(big, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _k8s_schema.job_schema(None).definitions == first.definitions


def test_a_changed_schema_file_or_a_broken_cache_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = _fake_package(tmp_path, monkeypatch)
    monkeypatch.setenv("KATIBLINT_CACHE_DIR", str(tmp_path / "cache"))
    _k8s_schema.job_schema(None)
    [cached] = (tmp_path / "cache").glob("k8s-job-schema-*.json")
    cached.write_text("[]", encoding="utf-8")
    _k8s_schema.job_schema.cache_clear()
    assert _k8s_schema.JOB_DEFINITION in _k8s_schema.job_schema(None).definitions  # rebuilt from the file
    big.write_text("{not json", encoding="utf-8")  # a new file: the old cache entry no longer applies
    _k8s_schema.job_schema.cache_clear()
    with pytest.raises(_k8s_schema.SchemaUnavailable, match="cannot read _definitions.json"):
        _k8s_schema.job_schema(None)


@pytest.mark.parametrize("where", ["", "unwritable"])
def test_without_a_usable_cache_directory_the_schema_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    _fake_package(tmp_path, monkeypatch)
    if where:
        blocker = tmp_path / "file"
        blocker.write_text("a file, not a directory", encoding="utf-8")
        monkeypatch.setenv("KATIBLINT_CACHE_DIR", str(blocker / "cache"))
    else:
        monkeypatch.setenv("KATIBLINT_CACHE_DIR", "")  # empty: no cache
    assert _k8s_schema.JOB_DEFINITION in _k8s_schema.job_schema(None).definitions
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["schemas", *(["file"] if where else [])])


def test_the_cache_directory_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KATIBLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _k8s_schema.cache_dir() == tmp_path / "xdg" / "katiblint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _k8s_schema.cache_dir() == tmp_path / "home" / ".cache" / "katiblint"
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(_k8s_schema.os.path, "expanduser", lambda path: path)  # no home directory at all
    assert _k8s_schema.cache_dir() is None
    monkeypatch.setenv("KATIBLINT_CACHE_DIR", str(tmp_path / "mine"))
    assert _k8s_schema.cache_dir() == tmp_path / "mine"

"""`--diff-base REF`: edits of applied Experiments that Katib refuses, found in real git history."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from katiblint.cli import main

BASE = """apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: mnist
  namespace: kubeflow
spec:
  objective:
    type: maximize
    objectiveMetricName: accuracy
  algorithm:
    algorithmName: random
  parallelTrialCount: 2
  maxTrialCount: 12
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace:
        min: "0.01"
        max: "0.1"
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "dev@example.com")
    _git(tmp_path, "config", "user.name", "dev")
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "mnist.yaml").write_text(BASE)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "apply mnist")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--select", "KAT062,KAT063", "--format", "concise", *args])
    return code, capsys.readouterr().out


def test_illegal_edit_is_reported_at_the_changed_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "experiments" / "mnist.yaml"
    path.write_text(BASE.replace("algorithmName: random", "algorithmName: tpe").replace('max: "0.1"', 'max: "0.2"'))
    code, out = _run(capsys, "--diff-base", "HEAD", "experiments")
    assert code == 1
    assert "experiments/mnist.yaml:11:20: KAT062" in out and "spec.algorithm.algorithmName" in out
    assert "experiments/mnist.yaml:19:14: KAT062" in out and "spec.parameters[0].feasibleSpace.max" in out


def test_editable_counts_and_defaults_are_not_changes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "experiments" / "mnist.yaml"
    edited = BASE.replace("parallelTrialCount: 2", "parallelTrialCount: 4").replace("maxTrialCount: 12", "maxTrialCount: 20")
    edited = edited.replace("  parameters:", "  resumePolicy: Never\n  maxFailedTrialCount: 3\n  parameters:")
    path.write_text("# a new comment\n" + edited)
    code, out = _run(capsys, "--diff-base", "HEAD", "experiments")
    assert code == 0, out


def test_lowered_max_trial_count_is_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "experiments" / "mnist.yaml"
    path.write_text(BASE.replace("maxTrialCount: 12", "maxTrialCount: 6"))
    code, out = _run(capsys, "--diff-base", "HEAD", "experiments")
    assert code == 0 and "KAT063 [warning]" in out and "from 12 to 6" in out


def test_new_experiments_and_renamed_ones_are_new_objects(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "experiments" / "mnist.yaml").write_text(BASE.replace("name: mnist", "name: mnist-v2").replace("random", "tpe"))
    (repo / "experiments" / "other.yaml").write_text(BASE.replace("name: mnist", "name: other"))
    code, out = _run(capsys, "--diff-base", "HEAD", "experiments")
    assert code == 0, out


def test_removed_field_is_reported_at_its_parent(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "experiments" / "mnist.yaml"
    path.write_text(BASE.replace('        min: "0.01"\n', ""))
    code, out = _run(capsys, "--diff-base", "HEAD", "experiments")
    assert code == 1 and "spec.parameters[0].feasibleSpace.min` is removed" in out
    assert "experiments/mnist.yaml:17:7: KAT062" in out


def test_bad_revision_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--diff-base", "no-such-ref", "experiments"])
    assert code == 2
    assert "not a git revision" in capsys.readouterr().err


def test_edits_are_found_in_runs_large_enough_for_parallel_workers(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(60):
        (repo / "experiments" / f"e{i:02d}.yaml").write_text(BASE.replace("name: mnist", f"name: e{i:02d}"))
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "apply sixty more")
    path = repo / "experiments" / "e59.yaml"
    path.write_text(path.read_text().replace("algorithmName: random", "algorithmName: tpe"))
    code, out = _run(capsys, "--diff-base", "HEAD", "--jobs", "2", "experiments")
    assert code == 1 and "experiments/e59.yaml:11:20: KAT062" in out, out

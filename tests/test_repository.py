"""`katiblint .` on a whole repository, as a new user runs it: only Katib documents are judged.

The scratch repositories here are real git repositories with the YAML a GitOps or ML repository
holds besides Experiments. Nothing of it may produce a finding; broken Experiments hidden in
ignored, hidden or virtual-environment folders are not walked into; the same Experiment named on
the command line is linted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import repository  # noqa: E402  (bench/repository.py, shared with the benchmark)
from clirun import BAD, BAD_COLUMN, BAD_LINE, GOOD, katiblint

def make_repository(root: Path, data_megabytes: int) -> None:
    extra = {
        "experiments/good.yaml": GOOD,
        # each of these would be an error if it were walked into
        "build/bad.yaml": BAD,
        ".hidden/bad.yaml": BAD,
        "env/bad.yaml": BAD,
        "env/pyvenv.cfg": "home = /usr/bin\n",
        ".gitignore": "build/\n",
    }
    repository.make_repository(root, data_megabytes, extra)


def test_a_repository_of_other_yaml_passes_clean(tmp_path: Path) -> None:
    make_repository(tmp_path, data_megabytes=8)
    run = katiblint(".", "--format", "concise", cwd=tmp_path)
    assert (run.code, run.out, run.err) == (0, "All checks passed (247 files checked).\n", "")


def test_skipped_folders_are_linted_when_named(tmp_path: Path) -> None:
    make_repository(tmp_path, data_megabytes=0)
    for folder in ("build", ".hidden", "env"):
        run = katiblint(f"{folder}/bad.yaml", "--format", "concise", cwd=tmp_path)
        assert run.code == 1 and f"{folder}/bad.yaml:{BAD_LINE}:{BAD_COLUMN}: KAT302" in run.out, run.both
        run = katiblint(folder, "--format", "concise", cwd=tmp_path)
        assert run.code == 1 and "KAT302" in run.out, run.both


def test_no_respect_gitignore_walks_ignored_folders(tmp_path: Path) -> None:
    make_repository(tmp_path, data_megabytes=0)
    run = katiblint(".", "--format", "concise", "--no-respect-gitignore", cwd=tmp_path)
    assert run.code == 1 and run.out.startswith(f"build/bad.yaml:{BAD_LINE}:{BAD_COLUMN}: KAT302"), run.both
    (tmp_path / ".katiblint.toml").write_text("respect-gitignore = false\n", encoding="utf-8")
    assert "build/bad.yaml" in katiblint(".", "--format", "concise", cwd=tmp_path).out


def test_nested_gitignore_and_negation(tmp_path: Path) -> None:
    make_repository(tmp_path, data_megabytes=0)
    (tmp_path / "experiments" / ".gitignore").write_text("*.yaml\n!keep.yaml\n", encoding="utf-8")
    (tmp_path / "experiments" / "keep.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "experiments" / "scratch.yaml").write_text(BAD, encoding="utf-8")
    run = katiblint(".", "--format", "concise", cwd=tmp_path)
    assert f"experiments/keep.yaml:{BAD_LINE}:{BAD_COLUMN}: KAT302" in run.out
    assert "scratch.yaml" not in run.out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_a_walked_folder_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yaml")  # reading it would block the run forever
    run = katiblint(".", cwd=tmp_path)
    assert run.code == 0 and "pipe.yaml" not in run.both


def test_a_path_with_no_yaml_says_so(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# notes\n", encoding="utf-8")
    run = katiblint("docs", cwd=tmp_path)
    assert run.code == 0
    assert run.err == "katiblint: warning: docs: no YAML file (*.yaml, *.yml) to lint\n"


def test_incomplete_experiments_are_errors(tmp_path: Path) -> None:
    cases = {
        "no-api.yaml": "kind: Experiment\nmetadata:\n  name: a\nspec:\n  maxTrialCount: 3\n",
        "null-spec.yaml": "apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata:\n  name: a\nspec:\n",
        "bare.yaml": "apiVersion: kubeflow.org/v1beta1\nkind: Experiment\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    run = katiblint(".", "--format", "concise", "--select", "KAT004,KAT012", cwd=tmp_path)
    assert run.code == 1
    assert run.out.splitlines()[:4] == [
        "bare.yaml:2:1: KAT012 [error] the Experiment has no `metadata`; the API server rejects the Experiment "
        "(`metadata.name: Required value: name or generateName is required`) [incomplete-experiment]",
        "bare.yaml:2:1: KAT012 [error] the Experiment has no `spec`; Katib's webhook rejects the Experiment "
        "(`spec.objective: Required value: must be specified`, and likewise for `spec.algorithm`, "
        "`spec.trialTemplate` and the search space) [incomplete-experiment]",
        "no-api.yaml:1:1: KAT004 [error] the Experiment has no `apiVersion`; kubectl and the API server reject it "
        "(`apiVersion not set`) [unsupported-api-version]",
        "null-spec.yaml:5:1: KAT012 [error] the Experiment has an empty `spec`; Katib's webhook rejects the "
        "Experiment (`spec.objective: Required value: must be specified`, and likewise for `spec.algorithm`, "
        "`spec.trialTemplate` and the search space) [incomplete-experiment]",
    ]

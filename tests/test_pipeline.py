"""Every finding takes the engine's one road: selection, supersession, suppression, severity, order.

Regression tests for findings that used to take side roads: those inside another file's ConfigMap
template under `--fix`, `--diff-base` findings and suppressions, a rule that skipped what another
rule owns, selectors in suppression comments, and a rejected katib-config.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from clirun import GOOD
from test_gitops import TEMPLATE_CONFIG_MAP, codes_at, concise, experiment


def configmap_experiment() -> str:
    return experiment().split("    trialSpec:\n")[0] + (
        "    configMap:\n"
        "      configMapName: trial-templates\n"
        "      configMapNamespace: kubeflow\n"
        "      templatePath: job.yaml\n"
        '    successCondition: status.conditions.#(type=="Complete")#|#(status=="True")#\n'
        '    failureCondition: status.conditions.#(type=="Failed")#|#(status=="True")#\n'
    )


def test_template_findings_in_another_file_survive_fix(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(configmap_experiment() + "  maxTrialCount: 3\n")
    (tmp_path / "templates.yaml").write_text(TEMPLATE_CONFIG_MAP)
    plain = concise(".", "--select", "KAT302", cwd=tmp_path)
    fixed = concise(".", "--select", "KAT302", "--fix", cwd=tmp_path)
    assert codes_at(plain.out, "KAT302") == ["templates.yaml:23"], plain.both
    assert codes_at(fixed.out, "KAT302") == codes_at(plain.out, "KAT302"), fixed.both


def test_template_in_a_file_not_given_is_found_in_the_repository(tmp_path: Path) -> None:
    """Under pre-commit only changed files are passed; the ConfigMap template is still read."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "exp.yaml").write_text(configmap_experiment())
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "trial-templates.yaml").write_text(TEMPLATE_CONFIG_MAP)
    run = concise("exp.yaml", "--select", "KAT302,KAT061", cwd=tmp_path)
    assert codes_at(run.out, "KAT302") == ["templates/trial-templates.yaml:23"], run.both
    assert "KAT061" not in run.out


def test_a_katib_config_in_the_repository_counts_for_every_batch(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "cluster").mkdir()
    (tmp_path / "cluster" / "katib-config.yaml").write_text(
        "apiVersion: config.kubeflow.org/v1beta1\nkind: KatibConfig\nruntime:\n  suggestions:\n"
        "    - algorithmName: house-bayes\n      image: registry.example.com/house-bayes:1\n"
    )
    (tmp_path / "exp.yaml").write_text(experiment("custom", "house-bayes"))
    alone = concise("exp.yaml", "--select", "KAT201", cwd=tmp_path)
    whole = concise(".", "--select", "KAT201", cwd=tmp_path)
    assert alone.code == whole.code == 0, alone.both + whole.both


def test_diff_base_findings_obey_suppressions(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "dev@example.com")
    git("config", "user.name", "dev")
    (tmp_path / "exp.yaml").write_text(GOOD)
    git("add", ".")
    git("commit", "-qm", "applied")
    changed = GOOD.replace("algorithmName: random", "algorithmName: tpe")
    (tmp_path / "exp.yaml").write_text(changed)
    run = concise("exp.yaml", "--select", "KAT062,KAT003", "--diff-base", "HEAD", cwd=tmp_path)
    assert codes_at(run.out, "KAT062") == ["exp.yaml:12"], run.both
    (tmp_path / "exp.yaml").write_text(changed.replace("algorithmName: tpe", "algorithmName: tpe  # katiblint: disable=KAT062"))
    run = concise("exp.yaml", "--select", "KAT062,KAT003", "--diff-base", "HEAD", cwd=tmp_path)
    assert (run.code, run.out.splitlines()[:-1]) == (0, []), run.both


def test_ignoring_kat005_leaves_kat010_to_report_a_number_in_a_string_field(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(GOOD.replace('min: "0.01"', "min: 0.01"))
    run = concise("exp.yaml", cwd=tmp_path)
    assert codes_at(run.out, "KAT005") == ["exp.yaml:18"] and "KAT010" not in run.out, run.both
    run = concise("exp.yaml", "--ignore", "KAT005", cwd=tmp_path)
    assert run.code == 1 and codes_at(run.out, "KAT010") == ["exp.yaml:18"], run.both
    assert "`spec.parameters[0].feasibleSpace.min` is a number (`0.01`), it must be a string" in run.out


def test_a_code_prefix_in_a_suppression_comment(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(GOOD.replace('min: "0.01"', "min: 0.01  # katiblint: disable=KAT0"))
    run = concise("exp.yaml", cwd=tmp_path)
    assert (run.code, "unknown rule" in run.out, "KAT005" in run.out) == (0, False, False), run.both
    (tmp_path / "exp.yaml").write_text(GOOD.replace('min: "0.01"', 'min: "0.01"  # katiblint: disable=KAT9'))
    run = concise("exp.yaml", cwd=tmp_path)
    assert "KAT003 [warning] unused suppression `KAT9` (unknown rule)" in run.out, run.both


def test_a_training_runtime_in_the_repository_counts_for_every_batch(tmp_path: Path) -> None:
    from test_gitops import TRAINJOB_EXPERIMENT

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "exp.yaml").write_text(TRAINJOB_EXPERIMENT)
    (tmp_path / "runtimes").mkdir()
    (tmp_path / "runtimes" / "torch.yaml").write_text(
        "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: ClusterTrainingRuntime\nmetadata:\n"
        "  name: torch-distributed\nspec: {}\n"
    )
    alone = concise("exp.yaml", "--select", "KAT301", cwd=tmp_path)
    whole = concise(".", "--select", "KAT301", cwd=tmp_path)
    assert alone.out.startswith("All checks passed") and whole.out.startswith("All checks passed"), alone.both

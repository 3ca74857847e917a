"""The composite GitHub Action runs real katiblint commands: run its steps' scripts here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from katiblint.yaml import load
from katiblint.source import decode

from clirun import BAD, GOOD

ROOT = Path(__file__).resolve().parent.parent


def _action() -> dict[str, Any]:
    source = decode((ROOT / "action.yml").read_bytes(), "action.yml")[0]
    return load(source).documents[0].root.to_python()


def _step(name: str) -> dict[str, Any]:
    return next(s for s in _action()["runs"]["steps"] if s.get("name") == name)


def _inputs(**overrides: str) -> dict[str, str]:
    inputs = {k: str(v.get("default", "")) for k, v in _action()["inputs"].items()}
    inputs.update(overrides)
    return inputs


def _expand(text: str, inputs: dict[str, str], runner_temp: Path) -> str:
    values = {"github.action_path": str(ROOT), "runner.temp": str(runner_temp)}
    values.update({f"inputs.{k}": v for k, v in inputs.items()})
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], text)


def _run(name: str, folder: Path, **overrides: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run one `run:` step of the action in `folder`, with `katiblint` this checkout's."""
    script = _expand(_step(name)["run"], _inputs(**overrides), folder / "tmp")
    script = script.replace("katiblint ", f"{sys.executable} -m katiblint ")
    script = script.replace("python -m pip install ", "echo pip install ")
    (folder / "tmp").mkdir(exist_ok=True)
    output = folder / "gh-output"
    output.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(output),
            "RUNNER_TEMP": str(folder / "tmp"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
    )
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc, outputs


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(BAD)
    return tmp_path


def test_action_is_a_composite_action_with_documented_inputs() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"paths", "args", "version", "extras", "sarif", "python-version"} == set(action["inputs"])
    assert all(spec.get("description") for spec in action["inputs"].values())
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.lint.outputs.exit-code }}"


def test_annotations_by_default_one_per_finding(repo: Path) -> None:
    assert _inputs()["sarif"] == "false"  # code scanning is opt-in
    proc, outputs = _run("Lint", repo)
    assert proc.returncode == 0, proc.stderr  # findings fail the job in the last step
    assert outputs == {"exit-code": "1"}
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1 and annotations[0].startswith("::error file=bad.yaml,line=41,")
    assert not (repo / "tmp" / "katiblint.sarif").exists()


def test_sarif_opt_in_writes_sarif_and_does_not_annotate_twice(repo: Path) -> None:
    proc, outputs = _run("Lint", repo, sarif="true")
    assert proc.returncode == 0, proc.stderr
    assert outputs == {"exit-code": "1"}
    sarif = json.loads((repo / "tmp" / "katiblint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["KAT302"]
    # Code scanning annotates the finding: the log shows it as text, never as a workflow command.
    assert "::error" not in proc.stdout
    assert "KAT302" in proc.stdout and "bad.yaml:41:27" in proc.stdout
    upload = _step("Upload SARIF")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert _expand(upload["with"]["sarif_file"], _inputs(), repo / "tmp") == str(repo / "tmp" / "katiblint.sarif")


def test_a_clean_run_with_sarif_passes_and_the_upload_cannot_fail_it(repo: Path) -> None:
    (repo / "bad.yaml").unlink()
    proc, outputs = _run("Lint", repo, sarif="true")
    assert proc.returncode == 0, proc.stderr
    assert outputs == {"exit-code": "0"}
    assert json.loads((repo / "tmp" / "katiblint.sarif").read_text())["runs"][0]["results"] == []
    # An upload without code scanning fails; that alone does not fail the job ...
    upload = _step("Upload SARIF")
    assert upload["continue-on-error"] is True and upload["id"] == "upload"
    # ... and only findings fail it, after the upload.
    steps = [s.get("name") for s in _action()["runs"]["steps"]]
    assert steps.index("Fail on findings") > steps.index("Upload SARIF")
    assert _step("Fail on findings")["if"] == "steps.lint.outputs.exit-code != '0'"


def test_a_failed_upload_annotates_the_findings_instead(repo: Path) -> None:
    step = _step("Annotate (the SARIF upload failed)")
    assert step["if"] == "inputs.sarif == 'true' && steps.upload.outcome == 'failure'"
    proc, _ = _run("Annotate (the SARIF upload failed)", repo, sarif="true")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("::warning title=katiblint::The SARIF upload to code scanning failed")
    assert len([line for line in lines if line.startswith("::error file=bad.yaml,")]) == 1


def test_a_usage_error_fails_the_lint_step(repo: Path) -> None:
    for sarif in ("false", "true"):
        proc, outputs = _run("Lint", repo, args="--katib-version banana", sarif=sarif)
        assert proc.returncode == 2
        assert outputs == {"exit-code": "2"}
        assert "`banana` is not a Katib release" in proc.stderr


@pytest.mark.parametrize(
    ("overrides", "installed"),
    [
        ({}, f"pip install {ROOT}"),
        ({"args": "--kubernetes-version 1.29"}, f"pip install {ROOT}[kubernetes]"),
        ({"extras": "kubernetes"}, f"pip install {ROOT}[kubernetes]"),
        ({"version": "0.1.0"}, "pip install katiblint==0.1.0"),
        ({"version": "0.1.0", "args": "--fail-on warning --kubernetes-version=1.30"}, "pip install katiblint[kubernetes]==0.1.0"),
    ],
)
def test_install_adds_the_extras_the_checks_need(tmp_path: Path, overrides: dict[str, str], installed: str) -> None:
    proc, _ = _run("Install katiblint", tmp_path, **overrides)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == installed

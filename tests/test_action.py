"""The composite GitHub Action runs real katiblint commands: run its lint steps here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from katiblint.loader import load
from katiblint.source import decode

from clirun import BAD, GOOD

ROOT = Path(__file__).resolve().parent.parent


def _action() -> dict:
    source = decode((ROOT / "action.yml").read_bytes(), "action.yml")[0]
    return load(source).documents[0].root.to_python()


def _script(step: dict, inputs: dict[str, str]) -> str:
    script = step["run"]
    return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], script)


def test_action_is_a_composite_action_with_documented_inputs() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"paths", "args", "version", "sarif"} <= set(action["inputs"])
    uses = [s.get("uses", "") for s in action["runs"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)


def test_sarif_step_writes_sarif_and_fails_on_findings(tmp_path: Path) -> None:
    action = _action()
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "sarif")
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(BAD)
    output = tmp_path / "gh-output"
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    script = _script(step, inputs).replace("katiblint ", f"{sys.executable} -m katiblint ")
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr  # the findings fail a later step, after the upload
    assert "exit-code=1" in output.read_text()
    sarif = json.loads((tmp_path / "katiblint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["KAT302"]
    assert "::error file=bad.yaml" in proc.stdout

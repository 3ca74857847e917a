"""The README's setup snippets work as written: no placeholders to guess, real action inputs, and
the pre-commit local hook runs through pre-commit itself."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from katiblint.yaml import load
from katiblint.source import decode

from clirun import BAD, GOOD, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", README, re.S | re.M)]


def _yaml(text: str) -> Any:
    source = decode(text.encode("utf-8"), "snippet.yaml")[0]
    documents = load(source).documents
    return documents[0].root.to_python()


def _block(needle: str) -> str:
    [found] = [text for _, text in BLOCKS if needle in text]
    return found


def test_code_blocks_have_no_placeholders() -> None:
    assert len(BLOCKS) > 10
    for lang, text in BLOCKS:
        assert not re.search(r"<[A-Za-z][\w-]*>", text), f"a placeholder in a ```{lang} block:\n{text}"
        assert not re.search(r"pip install '?katiblint", text), f"katiblint is not on PyPI (yet):\n{text}"


def test_the_workflow_uses_real_action_inputs() -> None:
    action = _yaml((ROOT / "action.yml").read_text(encoding="utf-8"))
    workflow = _yaml(_block("uses: ./tools/katiblint"))
    steps = workflow["jobs"]["lint"]["steps"]
    [checkout] = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkout["with"]["submodules"] is True  # the copy at tools/katiblint is checked out
    [lint] = [s for s in steps if s.get("uses") == "./tools/katiblint"]
    assert set(lint["with"]) <= set(action["inputs"])
    # Annotations need no permission beyond reading the repository.
    assert workflow["permissions"] == {"contents": "read"}
    for name in action["inputs"]:
        assert f"`{name}`" in README, f"action input `{name}` is not documented"


def test_the_pre_commit_local_hook_runs_as_written(tmp_path: Path) -> None:
    config = _block("repo: local")
    hook = _yaml(config)["repos"][0]["hooks"][0]
    assert hook["entry"] == "katiblint" and hook["language"] == "system"
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(config)
    (repo / "good.yaml").write_text(GOOD)
    (repo / "bad.yaml").write_text(BAD)
    # `katiblint` on PATH, as `pip install ./tools/katiblint` puts it there.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "katiblint"
    script.write_text(f"#!/bin/sh\nexec {sys.executable} -m katiblint \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env.update(
        {
            "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
            "PYTHONPATH": str(ROOT),
            "PRE_COMMIT_HOME": str(tmp_path / "cache"),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        }
    )
    for args in (["init", "-q"], ["add", "."]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env, timeout=60)
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "katiblint" in proc.stdout and "Failed" in proc.stdout
    assert "bad.yaml:41:27" in proc.stdout and "KAT302" in proc.stdout


def test_the_rule_count_in_the_readme_is_the_registry_count() -> None:
    import re

    from katiblint.registry import discover

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"katiblint has (\d+) rules", readme)
    assert stated is not None and int(stated.group(1)) == len(discover())

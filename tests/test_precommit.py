"""katiblint as a pre-commit hook: the hook manifest is valid, and a real run through pre-commit works.

The real run installs katiblint from a git copy of this checkout into a pre-commit environment,
which needs a package index (for the build backend and the dependencies). It is skipped, not
failed, when pip cannot reach one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import BAD, GOOD, ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks", "*.egg-info", "build", "dist", "bench"
)


def test_hook_manifest_is_valid() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(HOOKS))}
    assert "katiblint" in hooks
    hook = hooks["katiblint"]
    assert hook["language"] == "python"
    assert hook["entry"].split()[0] == "katiblint"
    assert "yaml" in hook["types"]


def test_hook_entries_are_valid_command_lines(tmp_path: Path) -> None:
    """Each hook's entry, run as pre-commit would (entry + file names), works on a clean file."""
    from pre_commit.clientlib import load_manifest

    from clirun import katiblint

    (tmp_path / "good.yaml").write_text(GOOD)
    for hook in load_manifest(str(HOOKS)):
        program, *args = hook["entry"].split()
        assert program == "katiblint"
        run = katiblint(*args, *hook.get("args", []), "good.yaml", cwd=tmp_path)
        assert run.code == 0, (hook["id"], run.both)
        assert (tmp_path / "good.yaml").read_text() == GOOD  # nothing to fix in a clean file


def _git(cwd: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env, timeout=120)


def _index_reachable(tmp_path: Path) -> bool:
    """Whether pip can fetch a package (the build backend of katiblint) from its configured index."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(tmp_path / "probe"), "hatchling"],
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


@pytest.fixture
def hook_repo(tmp_path: Path) -> Path:
    """A committed git copy of this checkout, as pre-commit needs for `try-repo`."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not _index_reachable(tmp_path):
        pytest.skip("pip cannot reach a package index")
    repo = tmp_path / "katiblint-hook"
    shutil.copytree(ROOT, repo, ignore=COPY_IGNORE)
    if not (repo / "README.md").exists():  # the package metadata names it as the long description
        (repo / "README.md").write_text("# katiblint\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hook under test")
    return repo


def test_pre_commit_try_repo_runs_the_hook(tmp_path: Path, hook_repo: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "bad.yaml").write_text(BAD)
    (project / "good.yaml").write_text(GOOD)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NO_COLOR")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PRE_COMMIT_COLOR"] = "never"

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "katiblint", "--color", "never", "--files", *files],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )

    bad = try_repo("bad.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "KAT302" in bad.stdout and "bad.yaml:" in bad.stdout and "batchSize" in bad.stdout

    good = try_repo("good.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout and "KAT302" not in good.stdout

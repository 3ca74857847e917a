"""The package type-checks under `mypy --strict` ([tool.mypy] in pyproject.toml).

`warn_unused_ignores` is on, so a `# type: ignore` that mypy no longer needs fails here too:
ignores cannot pile up unexamined.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_type_checks_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    bare = []
    for path in sorted((ROOT / "katiblint").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "# type: ignore" not in line:
                continue
            rest = line.split("# type: ignore", 1)[1]
            if not rest.startswith("[") or "#" not in rest.split("]", 1)[1]:
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "\n".join(bare)

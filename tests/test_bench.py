"""The benchmark runs from a checkout with its documented command (a smoke run: one file, one run).

Its speed targets are checked by running it (`python bench/run.py`), not by timed tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_compares_katiblint_with_yamllint_and_reports_each_target(tmp_path: Path) -> None:
    pytest.importorskip("yamllint")  # the `bench` extra (also part of `test`)
    out = tmp_path / "RESULTS.md"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--cases", "one", "--runs", "1", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    table = out.read_text(encoding="utf-8")
    assert "| case | inputs | katiblint | yamllint | ratio |" in table
    [row] = [line for line in table.splitlines() if line.startswith("| one |")]
    assert "katiblint <= 1.5x yamllint wall time (" in row and row.endswith(("(met) |", "(missed) |"))
    assert "yamllint 1." in table  # the version of the yamllint it ran, in the machine line

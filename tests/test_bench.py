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
    out.write_text("# old table\n\n## Webhook\n\nkept as it was\n", encoding="utf-8")  # bench/webhook.py's section
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
    assert "# old table" not in table and table.endswith("\n## Webhook\n\nkept as it was\n")


def test_the_webhook_benchmark_reports_latency_and_memory() -> None:
    pytest.importorskip("uvicorn")  # the `bench` and `test` extras
    pytest.importorskip("trustme")
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "webhook.py"), "--warmup", "0.5", "--duration", "1", "--rate", "50",
         "--reviews", "300", "--sample-every", "0.5"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "| load | reviews | requests/s | p50 | p99 | max | errors |" in lines
    paced = [line for line in lines if line.startswith("| paced, 50/s, 32 clients |")]
    saturated = [line for line in lines if line.startswith("| saturated (closed loop), 32 clients |")]
    assert len(paced) == len(saturated) == 1
    assert paced[0].endswith("| 0 |") and saturated[0].endswith("| 0 |")  # no failed review
    assert any(line.startswith("memory: 300 reviews in ") and line.endswith("errors 0") for line in lines), run.stdout
    assert any(line.startswith("rss before ") for line in lines)

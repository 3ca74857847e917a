"""Benchmark `katiblint server`: time from `didChange` to diagnostics, and memory over many edits.

    python bench/lsp.py                  # prints the table, and writes it into bench/RESULTS.md
    python bench/lsp.py --edits 2000 --no-write

An LSP client (pygls) starts `python -m katiblint server` as an editor does and opens a
~300-line Experiment with findings (so every lint publishes). Each edit is one incremental
`didChange` that changes a value; the clock runs from sending it to receiving the
`publishDiagnostics` of that version. The server runs with its default quiet time (`--debounce`)
and, separately, with none (the lint alone). Memory is the server's resident set (VmRSS) after
100 edits and after all of them: a server that keeps something per edit grows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Language server"
TARGET_MS = 30.0

HEAD = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  namespace: kubeflow
  name: random
spec:
  objective:
    type: minimize
    goal: 0.001
    objectiveMetricName: loss
  algorithm:
    algorithmName: randon
  parallelTrialCount: 3
  maxTrialCount: 12
  maxFailedTrialCount: 3
  parameters:
"""
PARAMETER = """\
    - name: p{i}
      parameterType: double
      feasibleSpace:
        min: "0.01"
        max: "0.05"
"""
TAIL = """\
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: learningRate
        description: Learning rate for the training model
        reference: p0
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          metadata:
            annotations:
              sidecar.istio.io/inject: "false"
          spec:
            containers:
              - name: training-container
                image: ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest
                command:
                  - "python3"
                  - "/opt/pytorch-mnist/mnist.py"
                  - "--epochs=1"
                  - "--lr=${trialParameters.learningRate}"
                resources:
                  limits:
                    memory: "1Gi"
                    cpu: "0.5"
            restartPolicy: Never
"""


def experiment(lines: int = 300) -> str:
    count = (lines - HEAD.count("\n") - TAIL.count("\n")) // PARAMETER.count("\n")
    return HEAD + "".join(PARAMETER.format(i=i) for i in range(count)) + TAIL


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def run(debounce_ms: int, edits: int, text: str) -> tuple[list[float], int, int]:
    """(latencies in ms, RSS KiB after 100 edits, RSS KiB after all), for a server with this quiet time."""
    client = LanguageClient("katiblint-bench", "1")
    arrived: dict[int, float] = {}
    waiting: dict[int, asyncio.Future[None]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived[params.version] = time.perf_counter()
            future = waiting.pop(params.version, None)
            if future is not None and not future.done():
                future.set_result(None)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    await client.start_io(sys.executable, "-m", "katiblint", "server", "--debounce", str(debounce_ms), env=env)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=os.getpid()))
    client.initialized(types.InitializedParams())
    uri = (ROOT / "bench-lsp-experiment.yaml").as_uri()  # never written: the text lives in the editor
    loop = asyncio.get_running_loop()
    waiting[1] = loop.create_future()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
    )
    await asyncio.wait_for(waiting[1], 30)
    line = text.splitlines().index("  maxTrialCount: 12")
    latencies: list[float] = []
    early = 0
    assert client._server is not None
    pid = client._server.pid
    for version in range(2, edits + 2):
        digit = str(version % 10)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=line, character=18), end=types.Position(line=line, character=19)),
            text=digit,
        )
        waiting[version] = loop.create_future()
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]
            )
        )
        await asyncio.wait_for(waiting[version], 30)
        latencies.append((arrived[version] - sent) * 1000)
        if version == min(101, edits + 1):
            early = rss_kib(pid)
    late = rss_kib(pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return latencies, early, late


def table(text: str, edits: int) -> str:
    from katiblint.server import DEFAULT_DEBOUNCE_MS

    rows = []
    for debounce in (DEFAULT_DEBOUNCE_MS, 0):
        latencies, early, late = asyncio.run(run(debounce, edits, text))
        ordered = sorted(latencies)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        median = statistics.median(latencies)
        label = f"{debounce} ms (default)" if debounce == DEFAULT_DEBOUNCE_MS else f"{debounce} ms (lint only)"
        met = "met" if median < TARGET_MS else "not met"
        rows.append(
            f"| {label} | {edits:,} | {median:.1f} ms | {p95:.1f} ms | {early / 1024:.1f} MiB | {late / 1024:.1f} MiB "
            f"| {(late - early) / 1024:+.1f} MiB | median under {TARGET_MS:.0f} ms: {met} |"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return "\n".join(
        [
            SECTION,
            "",
            f"`python bench/lsp.py`: a {text.count(chr(10))}-line Experiment open in `katiblint server`, "
            f"{edits:,} incremental edits, each waited for. Machine: {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, load average {load:.2f}.",
            "",
            "| debounce | edits | didChange to diagnostics, median | p95 | server memory after 100 edits | after all | growth | target |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
            *rows,
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--no-write", action="store_true", help="Print the table only.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    result = table(experiment(args.lines), args.edits)
    print(result)
    if not args.no_write:
        current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        before = current.split(SECTION, 1)[0].rstrip("\n")
        after = current.split(SECTION, 1)[1] if SECTION in current else ""
        rest = after[after.find("\n## ") :] if "\n## " in after else ""
        tail = "\n" + rest.lstrip("\n") if rest else ""
        RESULTS.write_text((before + "\n\n" if before else "") + result + tail, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark `katiblint webhook`: throughput and latency under concurrent clients, and memory over many reviews.

    python bench/webhook.py                          # 32 clients for 20 s, then 100,000 reviews
    python bench/webhook.py --duration 10 --reviews 20000

The server runs as in a cluster (its own process, TLS, JSON logs of every review drained from its
standard error) on 127.0.0.1 with a certificate made by `trustme`. Clients are 4 processes of 8
threads, each thread with its own keep-alive HTTPS connection, sending the AdmissionReview of a
typical Experiment (`examples/mnist-random-job.yaml`, CREATE) back to back.

1. Load: requests per second over `--duration` seconds, and p50/p99 of the latency each client saw.
2. Memory: `--reviews` reviews by the same clients; the server's resident set (VmRSS) is sampled
   every few seconds; growth is the last sample minus the first after warm-up.

Needs the `bench` extra (uvicorn, trustme). Results go to standard output as a Markdown table; the
project keeps them in the `## Webhook` section of bench/RESULTS.md (bench/run.py leaves it in place).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mnist-random-job.yaml"
PROCESSES = 4
THREADS = 8


def review_body() -> bytes:
    from ruamel.yaml import YAML

    obj = YAML(typ="safe").load(EXAMPLE.read_text())
    obj["metadata"].setdefault("namespace", "kubeflow")
    request = {
        "uid": "bench",
        "kind": {"group": "kubeflow.org", "version": "v1beta1", "kind": "Experiment"},
        "resource": {"group": "kubeflow.org", "version": "v1beta1", "resource": "experiments"},
        "name": obj["metadata"]["name"],
        "namespace": obj["metadata"]["namespace"],
        "operation": "CREATE",
        "userInfo": {"username": "bench"},
        "object": obj,
        "oldObject": None,
        "dryRun": False,
    }
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}).encode()


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.private_key_pem.write_to_path(str(folder / "tls.key"))
    cert.cert_chain_pems[0].write_to_path(str(folder / "tls.crt"))
    ca.cert_pem.write_to_path(str(folder / "ca.crt"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    proc = subprocess.Popen(
        [sys.executable, "-m", "katiblint", "webhook", "--host", "127.0.0.1", "--port", "0",
         "--cert-file", str(folder / "tls.crt"), "--key-file", str(folder / "tls.key")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    assert proc.stderr is not None
    port = 0
    for raw in proc.stderr:
        entry = json.loads(raw)
        if entry.get("message") == "listening":
            port = int(entry["port"])
            break
    stream = proc.stderr
    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()  # drain the review logs
    ctx = client_context(folder / "ca.crt")
    for _ in range(600):
        try:
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    return proc, port


def client_context(ca_file: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca_file))
    return ctx


def client_process(port: int, ca_file: str, body: bytes, start_at: float, stop_at: float, count: int, out: Any, interval: float = 0.0) -> None:
    """THREADS clients; until `stop_at` (monotonic) or until `count` reviews in all. Sends latencies (s).

    With `interval`, each client sends one review every `interval` seconds (an open load: a late
    answer does not delay the next request's schedule, and its latency counts from when it was due).
    """
    ctx = client_context(Path(ca_file))
    latencies: list[list[float]] = [[] for _ in range(THREADS)]
    errors = [0]
    remaining = [count]
    lock = threading.Lock()

    def worker(i: int) -> None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
        time.sleep(max(0.0, start_at - time.monotonic()))  # every client starts at once, after all have spawned
        headers = {"Content-Type": "application/json"}
        due = time.perf_counter() + (interval * i / THREADS if interval else 0.0)
        first = True
        while time.monotonic() < stop_at:
            if count:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
            if interval:
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                started = due
                due += interval
            else:
                started = time.perf_counter()
            try:
                conn.request("POST", "/validate", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                ok = response.status == 200 and b'"allowed": true' in data
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
            if not first:  # the first request of a connection pays its TLS handshake, once per connection
                latencies[i].append(time.perf_counter() - started)
            first = False
            if not ok:
                errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.send(([x for row in latencies for x in row], errors[0]))
    out.close()


def run_clients(port: int, ca_file: Path, body: bytes, duration: float, count: int, rate: float = 0.0) -> tuple[list[float], int, float]:
    """Closed loop (each client sends when answered) or, with `rate`, that many reviews per second in all."""
    interval = PROCESSES * THREADS / rate if rate else 0.0
    ctx = multiprocessing.get_context("spawn")
    start_at = time.monotonic() + 2.0
    stop_at = start_at + duration
    pipes, procs = [], []
    per_process = [count // PROCESSES + (1 if i < count % PROCESSES else 0) for i in range(PROCESSES)] if count else [0] * PROCESSES
    for i in range(PROCESSES):
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=client_process, args=(port, str(ca_file), body, start_at, stop_at, per_process[i], child, interval))
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    latencies: list[float] = []
    errors = 0
    for pipe in pipes:
        lat, err = pipe.recv()
        latencies.extend(lat)
        errors += err
    for proc in procs:
        proc.join()
    return latencies, errors, time.monotonic() - start_at


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the load phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load first")
    parser.add_argument("--rate", type=float, default=200.0, help="reviews per second of the paced load phase")
    parser.add_argument("--reviews", type=int, default=100_000, help="reviews of the memory phase (0: skip it)")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between memory samples")
    args = parser.parse_args()
    body = review_body()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server, port = start_server(folder)
        try:
            run_clients(port, folder / "ca.crt", body, args.warmup, 0)  # warm-up: connections, caches
            print("| load | reviews | requests/s | p50 | p99 | max | errors |\n|---|---:|---:|---:|---:|---:|---:|")
            for name, rate in ((f"paced, {args.rate:g}/s", args.rate), ("saturated (closed loop)", 0.0)):
                latencies, errors, wall = run_clients(port, folder / "ca.crt", body, args.duration, 0, rate)
                print(f"| {name}, {PROCESSES * THREADS} clients | {len(latencies)} | {len(latencies) / wall:.0f} | "
                      f"{percentile(latencies, 0.5) * 1000:.1f} ms | {percentile(latencies, 0.99) * 1000:.1f} ms | "
                      f"{max(latencies) * 1000:.1f} ms | {errors} |", flush=True)
            if args.reviews:
                samples: list[tuple[float, float]] = []
                done = threading.Event()

                def sample() -> None:
                    t0 = time.monotonic()
                    while not done.is_set():
                        samples.append((time.monotonic() - t0, rss_mib(server.pid)))
                        done.wait(args.sample_every)

                sampler = threading.Thread(target=sample)
                before = rss_mib(server.pid)
                sampler.start()
                latencies, errors, wall = run_clients(port, folder / "ca.crt", body, 24 * 3600.0, args.reviews)
                done.set()
                sampler.join()
                after = rss_mib(server.pid)
                third = samples[len(samples) // 3][1] if samples else before
                print(f"\nmemory: {args.reviews} reviews in {wall:.0f} s ({args.reviews / wall:.0f}/s), errors {errors}")
                print(f"rss before {before:.1f} MiB, at a third {third:.1f} MiB, after {after:.1f} MiB, peak {max(s[1] for s in samples):.1f} MiB")
                print("samples (s, MiB): " + ", ".join(f"{t:.0f}:{m:.1f}" for t, m in samples[:: max(1, len(samples) // 20)]))
        finally:
            server.terminate()
            server.wait(15)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Benchmark katiblint against yamllint (`yamllint -d relaxed`) on the same inputs, side by side.

    python bench/run.py                 # all cases, 3 runs each, writes bench/RESULTS.md
    python bench/run.py --runs 5 --cases one,1k
    python bench/run.py --profile       # cProfile of katiblint on the ~1,000-file case instead

Inputs are built in a temporary folder from Katib's v1beta1 examples (the shared corpus next to
the checkout when present, else the project's `examples/` and rule fixtures): one file, ~1,000
files, 4x that, and one stream of 3,000 Experiments. Every tool runs as a subprocess, the tools
taking turns run by run (so a machine that slows down mid-benchmark slows both); the table
reports median wall time over the runs, the ratio katiblint/yamllint, files per second and the
peak resident memory of the process tree (`wait4` rusage).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "katib-examples"
RESULTS = ROOT / "bench" / "RESULTS.md"
CASES = ("one", "1k", "4k", "stream", "repo")
# Targets from the performance issue (ratios measured in the same run).
TARGETS = {
    "one": "katiblint <= 1.5x yamllint wall time",
    "1k": "katiblint <= 0.10x yamllint wall time",
    "4k": "4x the files <= 4.6x the 1k time",
    "stream": "katiblint peak memory <= 300 MiB",
    "repo": "no finding, < 5 s and < 300 MiB",
}
REPO_DATA_MB = 40  # the repository case's data file


@dataclass
class Measure:
    wall: list[float]
    peak_mib: float
    exit_codes: set[int]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)


def seeds() -> list[Path]:
    """Valid-looking v1beta1 Experiment files to replicate."""
    if CORPUS.is_dir():
        found = []
        for path in sorted(CORPUS.glob("*.yaml")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if "kubeflow.org/v1beta1" in text and "kind: Experiment" in text:
                found.append(path)
        if found:
            return found
    found = [p for p in sorted((ROOT / "examples").rglob("*.y*ml")) if "kind: Experiment" in p.read_text(encoding="utf-8")]
    if not found:
        found = sorted((ROOT / "tests" / "fixtures").glob("KAT*.yaml"))
    return found


def build_inputs(workdir: Path) -> dict[str, tuple[list[str], int]]:
    """Case name -> (paths to pass, number of Experiments/files the case lints)."""
    sources = seeds()
    if not sources:
        raise SystemExit("bench: no Katib examples found to replicate")
    texts = [p.read_text(encoding="utf-8") for p in sources]
    one = workdir / "one" / sources[0].name
    one.parent.mkdir(parents=True)
    one.write_text(texts[0], encoding="utf-8")
    cases: dict[str, tuple[list[str], int]] = {"one": ([str(one)], 1)}
    for name, count in (("1k", 1000), ("4k", 4000)):
        folder = workdir / name
        folder.mkdir()
        for i in range(count):
            (folder / f"{i:05d}-{sources[i % len(sources)].name}").write_text(texts[i % len(texts)], encoding="utf-8")
        cases[name] = ([str(folder)], count)
    experiments = [t for t in texts if t.count("kind: Experiment") == 1]
    stream = workdir / "stream" / "experiments.yaml"
    stream.parent.mkdir()
    with stream.open("w", encoding="utf-8") as out:
        for i in range(3000):
            out.write("---\n")
            out.write(experiments[i % len(experiments)].lstrip("-\n"))
            out.write("\n")
    cases["stream"] = ([str(stream)], 3000)
    sys.path.insert(0, str(ROOT / "bench"))
    from repository import make_repository

    repo = workdir / "repo"
    repo.mkdir()
    make_repository(repo, REPO_DATA_MB)
    cases["repo"] = ([str(repo)], sum(1 for p in repo.rglob("*.y*ml")))
    return cases


def run_once(argv: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB of the process tree, exit code) of one subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports KiB, macOS bytes; the maximum covers the children the process waited for.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return wall, peak, proc.returncode


def measure(argvs: list[list[str]], runs: int) -> list[Measure]:
    """Run each command `runs` times, alternating between them, so that a machine that speeds up
    or slows down during the benchmark affects every tool alike."""
    for argv in argvs:
        run_once(argv)  # warm-up: bytecode cache and file cache, not counted
    found = [Measure([], 0.0, set()) for _ in argvs]
    for _ in range(runs):
        for argv, m in zip(argvs, found):
            wall, peak, code = run_once(argv)
            m.wall.append(wall)
            m.peak_mib = max(m.peak_mib, peak)
            m.exit_codes.add(code)
    return found


def tools(jobs: int | None) -> dict[str, list[str]]:
    katiblint = [sys.executable, "-m", "katiblint", "check", "--format", "concise", "--color", "never"]
    if jobs:
        katiblint += ["--jobs", str(jobs)]
    if importlib.util.find_spec("yamllint") is not None:
        yamllint = [sys.executable, "-m", "yamllint"]  # the same interpreter as katiblint's
    elif shutil.which("yamllint"):
        yamllint = [str(shutil.which("yamllint"))]
    else:
        raise SystemExit("bench: yamllint is not installed; install the benchmark extra: pip install -e '.[bench]'")
    return {"katiblint": katiblint, "yamllint": [*yamllint, "-d", "relaxed"]}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", load average %.2f" % os.getloadavg()[0]
    except OSError:
        load = ""
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}{load}"


def yamllint_version(argv: list[str]) -> str:
    try:
        out = subprocess.run([*argv[:-2], "--version"], capture_output=True, text=True, timeout=60)
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.SubprocessError):
        return "yamllint"


def table(rows: list[dict[str, object]], about: str) -> str:
    lines = [
        "# katiblint benchmark",
        "",
        f"Machine: {about}.",
        "",
        "Median wall time of each tool as a subprocess over the runs (startup included; the tools take",
        "turns, run by run), on copies of Katib's v1beta1 examples. Ratio = katiblint / yamllint.",
        "Inputs/s = files per second (Experiments per second for the stream). Peak = largest resident",
        "set of the process tree.",
        "",
        "| case | inputs | katiblint | yamllint | ratio | katiblint inputs/s | yamllint inputs/s | katiblint peak | yamllint peak | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if r["y"] is None:  # katiblint alone
            lines.append(
                f"| {r['case']} | {r['inputs']} | {r['k']:.2f} s | not run | | {r['kfps']:.0f} | | "
                f"{r['kmem']:.0f} MiB | | {r['target']} |"
            )
            continue
        lines.append(
            f"| {r['case']} | {r['inputs']} | {r['k']:.2f} s | {r['y']:.2f} s | {r['ratio']:.3f}x | "
            f"{r['kfps']:.0f} | {r['yfps']:.0f} | {r['kmem']:.0f} MiB | {r['ymem']:.0f} MiB | {r['target']} |"
        )
    return "\n".join(lines) + "\n"


def describe(case: str, count: int) -> str:
    return {
        "one": "1 file",
        "1k": f"{count:,} files",
        "4k": f"{count:,} files",
        "stream": f"1 file, {count:,} Experiments",
        "repo": f"{count:,} files, no Experiment, one of {REPO_DATA_MB} MB",
    }[case]


def profile(cases: dict[str, tuple[list[str], int]]) -> None:
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    from katiblint.cli import main

    paths = cases["1k"][0]
    prof = cProfile.Profile()
    prof.enable()
    main(["check", *paths, "--format", "concise", "--jobs", "1", "-o", os.devnull])
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per tool and case (median reported)")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {','.join(CASES)}")
    parser.add_argument("--jobs", type=int, default=None, help="pass --jobs N to katiblint (default: its own)")
    parser.add_argument("--output", default=str(RESULTS), help="Markdown file to write (`-`: only print)")
    parser.add_argument("--profile", action="store_true", help="profile katiblint on the 1k case and exit")
    args = parser.parse_args(argv)
    wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(wanted) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    env_root = str(ROOT)
    os.environ["PYTHONPATH"] = env_root + os.pathsep + os.environ.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory(prefix="katiblint-bench-") as tmp:
        # Both tools run from compiled bytecode, as after `pip install` (which compiles it):
        # a source checkout under PYTHONDONTWRITEBYTECODE would recompile katiblint every run.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        cases = build_inputs(Path(tmp))
        if args.profile:
            profile(cases)
            return 0
        argv_of = tools(args.jobs)
        about = machine() + f"; {yamllint_version(argv_of['yamllint'])}"
        rows: list[dict[str, object]] = []
        k1k: float | None = None
        for case in wanted:
            paths, count = cases[case]
            if case == "repo":
                # katiblint alone: yamllint would lint every file (minutes on the data file), and the
                # question is whether katiblint stays out of what is not its business.
                [k] = measure([argv_of["katiblint"] + paths], args.runs)
                quiet = subprocess.run(argv_of["katiblint"] + paths, capture_output=True, text=True)
                clean = quiet.returncode == 0 and quiet.stdout.startswith("All checks passed")
                met = clean and k.median < 5 and k.peak_mib < 300
                target = TARGETS[case] + (" (met)" if met else f" (missed: exit {quiet.returncode})")
                rows.append(
                    {"case": case, "inputs": describe(case, count), "k": k.median, "y": None, "ratio": None,
                     "kfps": count / k.median, "yfps": None, "kmem": k.peak_mib, "ymem": None, "target": target}
                )
                print(f"{case:>6}: katiblint {k.median:7.2f}s  peak {k.peak_mib:5.0f} MiB  {target}", flush=True)
                continue
            k, y = measure([argv_of["katiblint"] + paths, argv_of["yamllint"] + paths], args.runs)
            if k.exit_codes - {0, 1}:
                print(f"bench: katiblint exited with {sorted(k.exit_codes)} on {case}", file=sys.stderr)
            files = count  # files, or Experiments for the stream
            target = TARGETS[case]
            ratio = k.median / y.median
            if case == "1k":
                k1k = k.median
                target += " " + ("(met)" if ratio <= 0.10 else "(missed)")
            elif case == "one":
                target += " " + ("(met)" if ratio <= 1.5 else "(missed)")
            elif case == "4k" and k1k:
                scale = k.median / k1k
                target = f"{TARGETS[case]}: {scale:.2f}x " + ("(met)" if scale <= 4.6 else "(missed)")
            elif case == "stream":
                target += " " + ("(met)" if k.peak_mib <= 300 else "(missed)")
            row = {
                "case": case,
                "inputs": describe(case, count),
                "k": k.median,
                "y": y.median,
                "ratio": ratio,
                "kfps": files / k.median,
                "yfps": files / y.median,
                "kmem": k.peak_mib,
                "ymem": y.peak_mib,
                "target": target,
            }
            rows.append(row)
            print(
                f"{case:>6}: katiblint {k.median:7.2f}s  yamllint {y.median:7.2f}s  ratio {ratio:6.3f}x  "
                f"peak {k.peak_mib:5.0f}/{y.peak_mib:5.0f} MiB  {target}",
                flush=True,
            )
    text = table(rows, about)
    if args.output != "-":
        out = Path(args.output)
        # Sections other benchmarks keep in the same file (`## Webhook`, from bench/webhook.py) stay.
        previous = out.read_text(encoding="utf-8") if out.is_file() else ""
        kept = previous[previous.find("\n## "):] if "\n## " in previous else ""
        out.write_text(text.rstrip("\n") + "\n" + kept, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

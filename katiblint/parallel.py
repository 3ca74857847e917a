"""Linting many files: one file at a time, or a process pool for large runs (`--jobs N`).

Workers receive paths and send back `FileResult`s without their node trees (reporters only
need the diagnostics and the source text), so results stay small to pickle. Results come back
in the order of the paths whatever the parallelism, so output is deterministic.
A failure outside the rules (a katiblint bug in the engine) becomes a KAT006 finding for that
file and the run goes on with the next one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from katiblint.yaml import release
from katiblint.source import Span

if TYPE_CHECKING:
    from katiblint.engine import FileResult, Linter

INTERNAL_ERROR = "KAT006"
# Below this many files a pool costs more (worker start, imports) than it saves.
MIN_FILES_PER_WORKER = 24

_WORKER: Linter | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def plan_workers(jobs: int | None, files: Sequence[str], linter: Linter) -> int:
    """How many processes to use: 1 for few files, stdin, or state shared across files."""
    wanted = default_jobs() if jobs is None or jobs <= 0 else jobs
    if wanted <= 1 or "-" in files:
        return 1
    if linter.cluster.template_maps:
        return 1  # findings inside another file's ConfigMap template are merged in this process
    return max(1, min(wanted, len(files) // MIN_FILES_PER_WORKER))


def lint_file(linter: Linter, path: str) -> FileResult:
    """Lint one path; an unexpected exception is reported as KAT006 on that file, never raised.

    A missing module is raised: an incomplete installation is no fault of the file, and every
    other file would fail alike, so the run stops once and says what to install.
    """
    try:
        return linter.lint_path(path)
    except ModuleNotFoundError:
        raise
    except Exception as exc:  # a katiblint bug outside any rule: keep the run going
        return internal_error(linter, path, exc)


def internal_error(linter: Linter, path: str, exc: BaseException) -> FileResult:
    import traceback  # only on this path: not paid at start-up

    from katiblint.engine import FileResult
    from katiblint.walk import display_path
    from katiblint.registry import discover

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" [{Path(frames[-1].filename).name}:{frames[-1].lineno}]" if frames else ""
    diag = discover()[INTERNAL_ERROR].report(
        Span(0, 0),
        f"internal error while linting this file: {type(exc).__name__}: {exc}{where}",
        help="please report this with the file; the other files were still linted",
    )
    display = display_path(path)
    diag.path = display
    return FileResult(display, None, [diag])


def lint_many(
    linter: Linter, files: Sequence[str], stdin_name: str | None, jobs: int | None = None, keep_documents: bool = False
) -> list[FileResult]:
    """Lint every path (`-` is standard input), in order, with `jobs` processes at most.

    Node trees are dropped from the results unless `keep_documents` (a later pass needs them);
    trees do not travel between processes, so keeping them means linting in this process.
    """
    workers = 1 if keep_documents else plan_workers(jobs, files, linter)
    if workers > 1:
        pooled = _lint_pooled(linter, files, workers)
        if pooled is not None:
            return pooled
    results = []
    for path in files:
        if path == "-":
            data = sys.stdin.buffer.read()
            result = linter.lint_bytes(data, stdin_name or "-")
        else:
            result = lint_file(linter, path)
        if not keep_documents:
            release(result.documents)  # freed now, not by a later pass of the cycle collector
            result.documents = []
        results.append(result)
    return results


def _init_worker(linter: Linter) -> None:
    global _WORKER
    _WORKER = linter


def _work(path: str) -> FileResult:
    assert _WORKER is not None
    result = lint_file(_WORKER, path)
    release(result.documents)  # node trees stay in the worker; reporters do not need them
    result.documents = []
    return result


def _lint_pooled(linter: Linter, files: Sequence[str], workers: int) -> list[FileResult] | None:
    import multiprocessing  # only here: a one-file run does not pay for importing it
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported rules and the prepared linter without pickling
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Chunks amortise the round trips; small ones keep the last chunk from leaving a core idle.
    chunk = max(1, min(16, len(files) // (workers * 8)))
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(linter,)) as pool:
            return list(pool.map(_work, files, chunksize=chunk))
    except (BrokenProcessPool, OSError, RuntimeError):
        return None  # no processes on this platform or a worker died: lint here instead

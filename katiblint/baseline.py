"""Baselines: adopt katiblint in a large repository by recording today's findings and
reporting only new ones. Findings are matched by a fingerprint that survives line shifts
(rule, file, Experiment name, field path), counted, so a second identical finding is new.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Sequence

from katiblint.version import __version__
from katiblint.engine import FileResult
from katiblint.errors import KatibLintError
from katiblint.reporters.sarif import semantic_fingerprint

VERSION = 1


def _key(path: str) -> str:
    return Path(path).as_posix()


def fingerprints(results: Sequence[FileResult]) -> list[tuple[FileResult, int, str]]:
    out = []
    for result in results:
        for i, d in enumerate(result.diagnostics):
            out.append((result, i, semantic_fingerprint(_key(result.path), d)))
    return out


def write(path: str, results: Sequence[FileResult]) -> int:
    entries = []
    for result, i, fp in fingerprints(results):
        d = result.diagnostics[i]
        entries.append({"fingerprint": fp, "code": d.code, "path": _key(result.path), "object": d.object_name, "field": d.field_path, "message": d.message})
    payload = {"version": VERSION, "tool": f"katiblint {__version__}", "findings": entries}
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, target)
    return len(entries)


def load(path: str) -> Counter[str]:
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KatibLintError(f"{path}: baseline file not found (create it with --write-baseline)") from None
    except (OSError, ValueError) as exc:
        raise KatibLintError(f"{path}: not a katiblint baseline: {exc}") from None
    if not isinstance(payload, dict) or payload.get("version") != VERSION or not isinstance(payload.get("findings"), list):
        raise KatibLintError(f"{path}: not a katiblint baseline (version {VERSION} expected)")
    return Counter(str(e.get("fingerprint")) for e in payload["findings"] if isinstance(e, dict))


def apply(results: Sequence[FileResult], known: Counter[str]) -> int:
    """Drop findings the baseline knows (by fingerprint count); returns how many were hidden."""
    remaining = Counter(known)
    hidden = 0
    for result in results:
        kept = []
        for d in result.diagnostics:
            fp = semantic_fingerprint(_key(result.path), d)
            if remaining[fp] > 0:
                remaining[fp] -= 1
                hidden += 1
            else:
                kept.append(d)
        result.diagnostics = kept
    return hidden

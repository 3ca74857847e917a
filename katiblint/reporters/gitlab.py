"""`gitlab`: GitLab's Code Quality report (a JSON array of issues)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Sequence

from katiblint.engine import FileResult
from katiblint.reporters import ReportOptions
from katiblint.reporters.sarif import semantic_fingerprint

_SEVERITY = {"error": "critical", "warning": "minor", "info": "info"}


def render(results: Sequence[FileResult], options: ReportOptions) -> str:
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for result in results:
        for d in result.diagnostics:
            base = semantic_fingerprint(result.path, d)
            seen[base] = seen.get(base, 0) + 1
            fingerprint = hashlib.md5(f"{base}:{seen[base]}".encode()).hexdigest()
            issues.append(
                {
                    "description": f"{d.code} {d.message}",
                    "check_name": f"{d.code} {d.name}",
                    "fingerprint": fingerprint,
                    "severity": _SEVERITY[d.severity.value],
                    "location": {
                        "path": result.path,
                        "lines": {"begin": d.start[0] + 1, "end": d.end[0] + 1},
                    },
                }
            )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

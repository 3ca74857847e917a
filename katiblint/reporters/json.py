"""`json`: a stable, documented structure (see README, "JSON output")."""

from __future__ import annotations

import json
from typing import Any, Sequence

from katiblint.version import __version__
from katiblint.diagnostics import Diagnostic
from katiblint.engine import FileResult
from katiblint.reporters import ReportOptions
from katiblint.source import SourceFile

SCHEMA_VERSION = 1


def _pos(source: SourceFile | None, offset: int) -> dict[str, int]:
    if source is None:
        return {"line": 1, "column": 1}
    line, col = source.position(offset)
    return {"line": line + 1, "column": col + 1}


def diagnostic_dict(result: FileResult, d: Diagnostic) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": result.path,
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "help": d.help,
        "start": {"line": d.start[0] + 1, "column": d.start[1] + 1},
        "end": {"line": d.end[0] + 1, "column": d.end[1] + 1},
        "field": d.field_path,
        "document": d.document,
        "object": d.object_name,
        "fix": None,
    }
    if d.fix is not None:
        out["fix"] = {
            "applicability": d.fix.applicability.value,
            "title": d.fix.title,
            "edits": [
                {"start": _pos(result.source, e.span.start), "end": _pos(result.source, e.span.end), "content": e.content}
                for e in d.fix.edits
            ],
        }
    return out


def render(results: Sequence[FileResult], options: ReportOptions) -> str:
    payload = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "katiblint", "version": __version__},
        "files_checked": options.files_checked or len(results),
        "diagnostics": [diagnostic_dict(r, d) for r in results for d in r.diagnostics],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

"""`github`: GitHub Actions workflow-command annotations, grouped per file."""

from __future__ import annotations

from typing import Sequence

from katiblint.engine import FileResult
from katiblint.reporters import ReportOptions

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence[FileResult], options: ReportOptions) -> str:
    lines = []
    for result in results:
        if not result.diagnostics:
            continue
        lines.append(f"::group::{result.path}")
        for d in result.diagnostics:
            (l0, c0), (l1, c1) = d.start, d.end
            props = (
                f"file={_prop(result.path)},line={l0 + 1},endLine={l1 + 1},col={c0 + 1},"
                f"endColumn={c1 + 1},title={_prop(f'{d.code} {d.name}')}"
            )
            message = d.message + (f"\nhelp: {d.help}" if d.help else "")
            lines.append(f"::{_LEVEL[d.severity.value]} {props}::{_data(message)}")
        lines.append("::endgroup::")
    return "\n".join(lines) + ("\n" if lines else "")

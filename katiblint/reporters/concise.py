"""`concise`: one line per finding, `path:line:col: CODE [severity] message [name]`."""

from __future__ import annotations

from typing import Sequence

from katiblint.engine import FileResult
from katiblint.reporters import ReportOptions
from katiblint.reporters._visible import visible
from katiblint.reporters.full import fix_marker, summary


def render(results: Sequence[FileResult], options: ReportOptions) -> str:
    lines = []
    for result in results:
        for d in result.diagnostics:
            line, col = d.start
            lines.append(
                f"{visible(result.path)}:{line + 1}:{col + 1}: {d.code}{fix_marker(d, options.unsafe_fixes)} "
                f"[{d.severity.value}] {visible(d.message)} [{d.name}]"
            )
    lines.append(summary(results, options))
    return "\n".join(lines) + "\n"

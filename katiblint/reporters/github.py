"""`github`: GitHub Actions workflow-command annotations, grouped per file."""

from __future__ import annotations

from typing import Sequence

from katiblint.engine import FileResult
from katiblint.reporters import ReportOptions
from katiblint.reporters._visible import visible

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    """A workflow-command message: line breaks are percent-encoded (the runner decodes them),
    other control and invisible characters are shown escaped, as in the other formats."""
    text = visible(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    """A property value: as a message, and `:` and `,` encoded too (they end a property)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence[FileResult], options: ReportOptions) -> str:
    lines = []
    for result in results:
        if not result.diagnostics:
            continue
        lines.append(f"::group::{_data(result.path)}")
        for d in result.diagnostics:
            (l0, c0), (l1, c1) = d.start, d.end
            props = (
                f"file={_prop(result.path)},line={l0 + 1},endLine={l1 + 1},col={c0 + 1},"
                f"endColumn={c1 + 1},title={_prop(f'{d.code} {d.name}')}"
            )
            help_text = (d.help or "").strip()
            message = d.message + (f"\nhelp: {help_text}" if help_text else "")
            lines.append(f"::{_LEVEL[d.severity.value]} {props}::{_data(message)}")
        lines.append("::endgroup::")
    return "\n".join(lines) + ("\n" if lines else "")

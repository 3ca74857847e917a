"""`full` (default): ruff-style code frames with a caret under the span, help, and a summary."""

from __future__ import annotations

from typing import Sequence

from katiblint.diagnostics import Applicability, Diagnostic, Severity
from katiblint.engine import FileResult
from katiblint.reporters import ReportOptions
from katiblint.reporters._visible import frame_line, visible
from katiblint.source import SourceFile

_COLORS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m"}
_BOLD, _BLUE, _CYAN, _RESET = "\033[1m", "\033[1;34m", "\033[36m", "\033[0m"


class _Paint:
    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.on else text


def fix_marker(diag: Diagnostic, unsafe: bool) -> str:
    if diag.fix is None:
        return ""
    if diag.fix.applicability == Applicability.SAFE or unsafe:
        return " [*]"
    return ""


def frame(source: SourceFile, diag: Diagnostic, paint: _Paint) -> list[str]:
    (l0, c0), (l1, c1) = diag.start, diag.end
    last = min(l1, l0 + 4)
    width = len(str(last + 1))
    bar = paint(" " * width + " |", _BLUE)
    lines = [bar]
    for line in range(l0, last + 1):
        raw = source.line_text(line)
        start = c0 if line == l0 else len(raw) - len(raw.lstrip())
        end = c1 if line == l1 else len(raw)
        text, caret_col, caret_count = frame_line(raw, start, end)
        lines.append(paint(f"{line + 1:>{width}} |", _BLUE) + (" " + text if text else ""))
        if line == l0 or line == last:
            carets = " " * caret_col + "^" * caret_count
            label = f" {diag.name}" if line == last else ""
            lines.append(bar + " " + paint(carets + label, _COLORS.get(diag.severity.value, "")))
    if l1 > last:
        lines.append(bar + " ...")
    lines.append(bar)
    return lines


def render_one(result: FileResult, diag: Diagnostic, paint: _Paint, unsafe: bool) -> str:
    sev = diag.severity.value
    head = f"{paint(sev, _COLORS.get(sev, ''))} {paint(diag.code, _BOLD)}{fix_marker(diag, unsafe)} {visible(diag.message)}"
    line, col = diag.start
    out = [head, f"  {paint('-->', _BLUE)} {visible(result.path)}:{line + 1}:{col + 1}"]
    if result.source is not None and result.source.text:
        out.extend(frame(result.source, diag, paint))
    explain = f"katiblint explain {diag.code}"
    help_text = (diag.help or "").strip()
    if help_text:
        out.append(f"{paint('help', _CYAN)}: {visible(help_text)} ({explain})")
    else:
        out.append(f"{paint('note', _CYAN)}: see `{explain}`")
    return "\n".join(out)


def summary(results: Sequence[FileResult], options: ReportOptions) -> str:
    diags = [d for r in results for d in r.diagnostics]
    counts = {s: sum(1 for d in diags if d.severity == s) for s in Severity}
    files = sum(1 for r in results if r.diagnostics)
    checked = options.files_checked or len(results)
    parts = []
    if options.fixed:
        remaining = f" ({len(diags)} remaining)" if diags else ""
        parts.append(f"Fixed {options.fixed} finding{'s' if options.fixed != 1 else ''}{remaining}.")
    if not diags:
        parts.append(f"All checks passed ({checked} file{'s' if checked != 1 else ''} checked).")
        return " ".join(parts)
    found = ", ".join(
        f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity if counts[s]
    )
    parts.append(f"Found {found} in {files} file{'s' if files != 1 else ''} ({checked} checked).")
    safe = sum(1 for d in diags if d.fix and d.fix.applicability == Applicability.SAFE)
    unsafe = sum(1 for d in diags if d.fix and d.fix.applicability == Applicability.UNSAFE)
    if options.unsafe_fixes:
        safe, unsafe = safe + unsafe, 0
    if safe:
        parts.append(f"[*] {safe} fixable with `katiblint --fix`.")
    if unsafe:
        codes = sorted({d.code for d in diags if d.fix and d.fix.applicability == Applicability.UNSAFE})
        parts.append(f"{unsafe} more fixable with `--fix --unsafe-fixes` ({', '.join(codes)}).")
    return " ".join(parts)


def render(results: Sequence[FileResult], options: ReportOptions) -> str:
    paint = _Paint(options.color)
    blocks = [
        render_one(result, diag, paint, options.unsafe_fixes) for result in results for diag in result.diagnostics
    ]
    blocks.append(summary(results, options))
    return "\n\n".join(blocks) + "\n"

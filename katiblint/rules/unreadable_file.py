"""KAT008 unreadable-file: reported by the engine (see rules/KAT008-unreadable-file.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class UnreadableFile(Rule):
    code = "KAT008"
    name = "unreadable-file"
    summary = "The file cannot be read or decoded"
    severity = Severity.ERROR
    engine = True

"""KAT003 unused-suppression: reported by the engine (see rules/KAT003-unused-suppression.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class UnusedSuppression(Rule):
    code = "KAT003"
    name = "unused-suppression"
    summary = "A suppression comment or annotation suppresses nothing"
    severity = Severity.WARNING
    engine = True

"""KAT002 duplicate-key: reported by the engine (see rules/KAT002-duplicate-key.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class DuplicateKey(Rule):
    code = "KAT002"
    name = "duplicate-key"
    summary = "A mapping defines the same key twice"
    severity = Severity.ERROR
    engine = True

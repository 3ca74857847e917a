"""KAT006 internal-error: reported by the engine (see rules/KAT006-internal-error.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class InternalError(Rule):
    code = "KAT006"
    name = "internal-error"
    summary = "A rule failed on this manifest (a katiblint bug)"
    severity = Severity.ERROR
    engine = True

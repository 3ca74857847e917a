"""KAT003 unused-suppression: the engine records what no finding used; this rule words it."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint import facts
from katiblint.registry import Rule


class UnusedSuppression(Rule):
    code = "KAT003"
    name = "unused-suppression"
    summary = "A suppression comment or annotation suppresses nothing"
    severity = Severity.WARNING
    scope = "engine"

    @classmethod
    def describe(cls, fact: facts.UnusedSuppression) -> tuple[str, str | None]:
        what = "no such finding here" if fact.known else "unknown rule"
        return f"unused suppression `{fact.entry}` ({what})", "remove it, or correct the rule code"

"""KAT006 internal-error: the engine records a rule that failed; this rule words it."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.facts import RuleFailed
from katiblint.registry import Rule


class InternalError(Rule):
    code = "KAT006"
    name = "internal-error"
    summary = "A rule failed on this manifest (a katiblint bug)"
    severity = Severity.ERROR
    scope = "engine"

    @classmethod
    def describe(cls, fact: RuleFailed) -> tuple[str, str | None]:
        return (
            f"internal error in rule {fact.code} ({fact.name}): {fact.error} [{fact.where}]",
            "please report this with the manifest; the other rules still ran",
        )

"""KAT002 duplicate-key."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.yaml import DuplicateFact
from katiblint.registry import Rule


class DuplicateKey(Rule):
    code = "KAT002"
    name = "duplicate-key"
    summary = "A mapping defines the same key twice"
    severity = Severity.ERROR
    scope = "yaml"

    @classmethod
    def describe(cls, fact: DuplicateFact) -> tuple[str, str | None]:
        return (
            f"duplicate key `{fact.key}` (first defined on line {fact.first_line}); "
            "Kubernetes rejects the manifest or keeps only one of the values",
            "remove one of the two entries",
        )

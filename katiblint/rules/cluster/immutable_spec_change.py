"""KAT062 immutable-spec-change: reported by `--diff-base` (see katiblint/diffbase.py and rules/KAT062-immutable-spec-change.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.facts import ImmutableChange
from katiblint.registry import Rule


class ImmutableSpecChange(Rule):
    code = "KAT062"
    name = "immutable-spec-change"
    summary = "The edit changes a field Katib does not let an applied Experiment change"
    severity = Severity.ERROR
    scope = "run"

    @classmethod
    def describe(cls, fact: ImmutableChange) -> tuple[str, str | None]:
        return (
            f"`{fact.field}` is {fact.how} on the applied Experiment `{fact.experiment}`; Katib only lets "
            "`parallelTrialCount`, `maxTrialCount` and `maxFailedTrialCount` change, so the cluster "
            "rejects this edit",
            "create a new Experiment under a new name for a different search, or delete the old one before applying",
        )

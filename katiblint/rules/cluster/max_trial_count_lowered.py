"""KAT063 max-trial-count-lowered: reported by `--diff-base` (see katiblint/diffbase.py and rules/KAT063-max-trial-count-lowered.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.facts import MaxTrialsLowered
from katiblint.registry import Rule


class MaxTrialCountLowered(Rule):
    code = "KAT063"
    name = "max-trial-count-lowered"
    summary = "maxTrialCount is lowered on an applied Experiment"
    severity = Severity.WARNING
    scope = "run"

    @classmethod
    def describe(cls, fact: MaxTrialsLowered) -> tuple[str, str | None]:
        return (
            f"`maxTrialCount` is lowered from {fact.old} to {fact.new} on the applied Experiment `{fact.experiment}`; "
            "if that many trials have already run, Katib rejects the edit (`must be greater than "
            "status.trials count`)",
            "check `kubectl get experiment` for the trials already run, and keep maxTrialCount above it",
        )

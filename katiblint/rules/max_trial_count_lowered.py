"""KAT063 max-trial-count-lowered: reported by `--diff-base` (see katiblint/diffbase.py and rules/KAT063-max-trial-count-lowered.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class MaxTrialCountLowered(Rule):
    code = "KAT063"
    name = "max-trial-count-lowered"
    summary = "maxTrialCount is lowered on an applied Experiment"
    severity = Severity.WARNING
    scope = "run"

"""KAT062 immutable-spec-change: reported by `--diff-base` (see katiblint/diffbase.py and rules/KAT062-immutable-spec-change.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class ImmutableSpecChange(Rule):
    code = "KAT062"
    name = "immutable-spec-change"
    summary = "The edit changes a field Katib does not let an applied Experiment change"
    severity = Severity.ERROR
    scope = "run"

"""KAT060 invalid-katib-config: reported by the engine (see rules/KAT060-invalid-katib-config.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class InvalidKatibConfig(Rule):
    code = "KAT060"
    name = "invalid-katib-config"
    summary = "A katib-config among the linted files that Katib cannot read"
    severity = Severity.ERROR
    engine = True

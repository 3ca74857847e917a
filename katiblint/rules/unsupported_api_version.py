"""KAT004 unsupported-api-version: reported by the engine (see rules/KAT004-unsupported-api-version.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class UnsupportedApiVersion(Rule):
    code = "KAT004"
    name = "unsupported-api-version"
    summary = "The Experiment uses an API version Katib no longer serves"
    severity = Severity.ERROR
    engine = True

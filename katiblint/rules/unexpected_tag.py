"""KAT007 unexpected-tag: reported by the engine (see rules/KAT007-unexpected-tag.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class UnexpectedTag(Rule):
    code = "KAT007"
    name = "unexpected-tag"
    summary = "A YAML tag Kubernetes does not understand"
    severity = Severity.ERROR
    engine = True

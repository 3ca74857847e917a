"""KAT001 yaml-syntax-error: reported by the engine (see rules/KAT001-yaml-syntax-error.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class YamlSyntaxError(Rule):
    code = "KAT001"
    name = "yaml-syntax-error"
    summary = "The file is not valid YAML"
    severity = Severity.ERROR
    engine = True

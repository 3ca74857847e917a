"""KAT009 yaml-too-complex: reported by the engine (see rules/KAT009-yaml-too-complex.md)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.registry import Rule


class YamlTooComplex(Rule):
    code = "KAT009"
    name = "yaml-too-complex"
    summary = "The document nests too deeply or expands too many aliases"
    severity = Severity.ERROR
    engine = True

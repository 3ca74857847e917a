"""KAT007 unexpected-tag."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.yaml import TagFact
from katiblint.registry import Rule


class UnexpectedTag(Rule):
    code = "KAT007"
    name = "unexpected-tag"
    summary = "A YAML tag Kubernetes does not understand"
    severity = Severity.ERROR
    scope = "yaml"

    @classmethod
    def describe(cls, fact: TagFact) -> tuple[str, str | None]:
        return f"YAML tag `{fact.tag}` is not understood by Kubernetes; its value is read as plain data", "remove the tag"

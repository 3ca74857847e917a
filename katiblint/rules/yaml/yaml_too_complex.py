"""KAT009 yaml-too-complex."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.yaml import TooDeep, TooManyAliases
from katiblint.registry import Rule


class YamlTooComplex(Rule):
    code = "KAT009"
    name = "yaml-too-complex"
    summary = "The document nests too deeply or expands too many aliases"
    severity = Severity.ERROR
    scope = "yaml"

    @classmethod
    def describe(cls, fact: TooDeep | TooManyAliases) -> tuple[str, str | None]:
        if isinstance(fact, TooDeep):
            return f"document is nested more than {fact.limit} levels deep; katiblint does not lint it", None
        return (
            f"document expands to more than {fact.limit:,} nodes through aliases; Kubernetes refuses such "
            "excessive aliasing and katiblint does not lint it",
            "write the repeated content out, or use fewer nested aliases",
        )

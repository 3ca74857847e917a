"""KAT008 unreadable-file: the engine records a file it cannot read or decode; this rule words it."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.facts import Unreadable
from katiblint.registry import Rule


class UnreadableFile(Rule):
    code = "KAT008"
    name = "unreadable-file"
    summary = "The file cannot be read or decoded"
    severity = Severity.ERROR
    scope = "file"

    @classmethod
    def describe(cls, fact: Unreadable) -> tuple[str, str | None]:
        if fact.byte is None:
            return fact.reason, None
        return (
            f"{fact.reason} at byte {fact.byte} (line {fact.line}); Kubernetes reads manifests as UTF-8",
            "save the file as UTF-8; if it is not a manifest (an image, an archive), leave it out with `--exclude`",
        )

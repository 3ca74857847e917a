"""KAT060 invalid-katib-config: a katib-config among the linted files that Katib would reject (parsed in katiblint.katib.cluster)."""

from __future__ import annotations

from katiblint.diagnostics import Severity
from katiblint.facts import ConfigRejected
from katiblint.registry import Rule


class InvalidKatibConfig(Rule):
    code = "KAT060"
    name = "invalid-katib-config"
    summary = "A katib-config among the linted files that Katib cannot read"
    severity = Severity.ERROR
    scope = "file"

    @classmethod
    def describe(cls, fact: ConfigRejected) -> tuple[str, str | None]:
        return fact.reason, "fix the katib-config; until then katiblint checks against the stock one"

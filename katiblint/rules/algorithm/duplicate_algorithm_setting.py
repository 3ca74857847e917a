"""KAT215 duplicate-algorithm-setting."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._algorithms import settings_of


class DuplicateAlgorithmSetting(Rule):
    code = "KAT215"
    name = "duplicate-algorithm-setting"
    summary = "An algorithm or early-stopping setting listed twice: only the last one is used"
    api_versions = SERVED_AND_LEGACY
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for section in (exp.algorithm, exp.early_stopping):
            if section is None:
                continue
            seen: dict[str, int] = {}
            for entry in settings_of(section):
                if entry.name is None or entry.name_node is None:
                    continue
                if entry.name in seen:
                    # every copy is validated; the services' dicts (and goptuna's options) keep the last
                    yield self.report(
                        entry.name_node,
                        f"setting `{entry.name}` is already set on line {seen[entry.name]}; the service validates "
                        "both and uses only this last value",
                        help=f"keep one `{entry.name}` entry",
                    )
                seen[entry.name] = exp.source.position(entry.name_node.span.start)[0] + 1

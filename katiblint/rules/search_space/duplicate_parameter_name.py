"""KAT576 duplicate-parameter-name."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import params


class DuplicateParameterName(Rule):
    code = "KAT576"
    name = "duplicate-parameter-name"
    summary = "Two spec.parameters entries share a name"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        seen: dict[str, int] = {}
        for param in params(exp):
            node = param.node.get("name")
            if param.name is None or node is None:
                continue
            if param.name not in seen:
                seen[param.name] = node.span.start
                continue
            line = exp.source.position(seen[param.name])[0] + 1
            # the webhook does not check it (no listType=map in the CRD); goptuna and hyperband
            # reject it, dict-based services keep only the last one
            yield self.report(
                node,
                f"parameter `{param.name}` is defined twice (first on line {line}); the webhook accepts it, "
                "then the suggestion service fails (goptuna, hyperband) or silently keeps only one of them",
                help="rename or remove one of the two entries",
            )

"""KAT577 unknown-parameter-type."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._search_space import params


class UnknownParameterType(Rule):
    code = "KAT577"
    name = "unknown-parameter-type"
    summary = "A parameter declared with `parameterType: unknown`"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for param in params(exp):
            if param.type != "unknown":
                continue
            node = param.node.get("parameterType")
            if node is None:
                continue
            space = param.space
            guess = "categorical" if space is not None and "list" in space else "double"
            # the webhook accepts `unknown` (validator.go validateParameters); services get
            # UNKNOWN_TYPE and cannot build a search space from it
            yield self.report(
                node,
                f"`parameterType: unknown` passes the webhook but no suggestion service can sample `{param.name}`; "
                "GetSuggestions fails and no Trial is created",
                help=f"did you mean `{guess}`? use `int`, `double`, `categorical` or `discrete`",
            )

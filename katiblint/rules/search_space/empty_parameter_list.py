"""KAT574 empty-parameter-list."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Sequence
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.katib.api import LIST_TYPES
from katiblint.rules._search_space import params


class EmptyParameterList(Rule):
    code = "KAT574"
    name = "empty-parameter-list"
    summary = "A categorical or discrete parameter without a non-empty feasibleSpace list"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for param in params(exp):
            if param.type not in LIST_TYPES:
                continue
            items = param.field("list")
            if isinstance(items, Sequence) and items.items:
                continue
            if items is not None and not isinstance(items, Sequence) and items.kind != "null":
                continue  # a list of the wrong type is a decode error reported elsewhere
            # the defaulter sets distribution on every feasibleSpace, so the webhook lets it pass
            target = items if items is not None else param.node.key_node("feasibleSpace") or param.node
            yield self.report(
                target,
                f"`{param.name}` is `{param.type}` but has no `feasibleSpace.list` values; the suggestion service "
                "gets an empty choice and fails, so no Trial is created",
                help="list the values to try under `feasibleSpace.list`",
                path=f"{param.node.path}.feasibleSpace.list",
            )

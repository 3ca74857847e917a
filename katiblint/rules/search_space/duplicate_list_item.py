"""KAT575 duplicate-list-item."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, as_str, sequence_items
from katiblint.registry import Rule
from katiblint.katib.api import LIST_TYPES
from katiblint.rules._search_space import params


class DuplicateListItem(Rule):
    code = "KAT575"
    name = "duplicate-list-item"
    summary = "A categorical or discrete list that repeats a value"
    api_versions = SERVED_AND_LEGACY
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for param in params(exp):
            if param.type not in LIST_TYPES:
                continue
            seen: dict[str, int] = {}
            for item in sequence_items(param.field("list")):
                text = as_str(item)
                if not isinstance(item, Scalar) or text is None:
                    continue
                if text in seen:
                    line = exp.source.position(seen[text])[0] + 1
                    yield self.report(
                        item,
                        f"`{param.name}` lists `{text}` twice (first on line {line}); random and TPE searches "
                        "try it twice as often and grid repeats its Trials",
                        help="remove the repeated value",
                    )
                else:
                    seen[text] = item.span.start

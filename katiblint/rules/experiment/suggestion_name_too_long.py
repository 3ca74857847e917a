"""KAT140 suggestion-name-too-long."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._names import MAX_LENGTH

LABEL_LIMIT = 63


class SuggestionNameTooLong(Rule):
    code = "KAT140"
    name = "suggestion-name-too-long"
    summary = "The suggestion Service name `<experiment>-<algorithm>` exceeds 63 characters"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, algorithm = exp.name, exp.algorithm_name
        if not name or not algorithm or len(name.encode()) > MAX_LENGTH:
            return  # an over-long experiment name is invalid-experiment-name's finding
        service = f"{name}-{algorithm}"
        if len(service) <= LABEL_LIMIT:
            return
        node = exp.algorithm.get("algorithmName") if exp.algorithm else None
        target = node if isinstance(node, Scalar) else exp.name_node
        if target is None:
            return
        # mirrors util/suggestion.go GetSuggestionServiceName: a Service name is a DNS-1035 label
        room = LABEL_LIMIT - len(algorithm) - 1
        yield self.report(
            target,
            f"the suggestion Service `{service}` is {len(service)} characters; Kubernetes caps Service names "
            f"and label values at {LABEL_LIMIT}, so the Suggestion never becomes ready and the Experiment "
            "stays Created",
            help=f"shorten the Experiment name to at most {max(room, 0)} characters, or give the algorithm a "
            "shorter name in katib-config",
        )

"""KAT012 incomplete-experiment."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.yaml import Mapping, Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule

# What the API server and Katib's webhook say when a whole section is missing.
CONSEQUENCE = {
    "metadata": "the API server rejects the Experiment (`metadata.name: Required value: name or generateName "
    "is required`)",
    "spec": "Katib's webhook rejects the Experiment (`spec.objective: Required value: must be specified`, and "
    "likewise for `spec.algorithm`, `spec.trialTemplate` and the search space)",
}
EXAMPLE = {
    "metadata": "add `metadata:` with `name: <experiment-name>` (and a `namespace:`)",
    "spec": "add the `spec:` with `objective`, `algorithm`, `parameters` and `trialTemplate` "
    "(`katiblint new` writes a complete one)",
}


class IncompleteExperiment(Rule):
    code = "KAT012"
    name = "incomplete-experiment"
    summary = "The Experiment has no `metadata` or no `spec`, or one of them is empty or not a mapping"
    api_versions = SERVED_AND_LEGACY
    severity = Severity.ERROR

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for section in ("metadata", "spec"):
            node = exp.root.get(section)
            if isinstance(node, Mapping) and node.items():
                continue
            if node is None:
                what = f"has no `{section}`"
                target = exp.root.key_node("kind") or exp.root
            elif isinstance(node, Scalar) and node.kind == "null":
                what = f"has an empty `{section}`"
                target = exp.root.key_node(section) or node
            elif isinstance(node, Mapping):
                what = f"has an empty `{section}`"
                target = node
            else:
                shown = {"seq": "list", "str": "string"}.get(node.kind, node.kind)
                what = f"has a `{section}` that is a {shown}, not a mapping"
                target = node
            yield self.report(
                target,
                f"the Experiment {what}; {CONSEQUENCE[section]}",
                help=EXAMPLE[section],
                path=section,
            )

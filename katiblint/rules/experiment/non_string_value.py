"""KAT005 non-string-value."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.fix.edits import quote_scalar
from katiblint.yaml import Mapping, Node, Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, mapping, mappings, sequence_items
from katiblint.registry import Rule

_YAML_TYPE = {"int": "an integer", "float": "a number", "bool": "a boolean"}


def string_fields(exp: Experiment) -> list[Node | None]:
    """Every value Katib's Go types (or Kubernetes) declare as a string, once per document."""
    return exp.memo("non_string_value.fields", lambda: list(_string_fields(exp)))


def _string_fields(exp: Experiment) -> Iterator[Node | None]:
    for section in (exp.algorithm, exp.early_stopping):
        if section is not None:
            for item in mappings(section.get("algorithmSettings")):
                yield item.get("name")
                yield item.get("value")
    spaces: list[Mapping] = [p for p in exp.parameters]
    nas = mapping(exp.spec_get("nasConfig"))
    if nas is not None:
        for op in mappings(nas.get("operations")):
            spaces.extend(mappings(op.get("parameters")))
    for param in spaces:
        yield param.get("name")
        space = mapping(param.get("feasibleSpace"))
        if space is not None:
            for key in ("min", "max", "step"):
                yield space.get(key)
            yield from sequence_items(space.get("list"))
    objective = mapping(exp.spec_get("objective"))
    if objective is not None:
        yield objective.get("objectiveMetricName")
        yield from sequence_items(objective.get("additionalMetricNames"))
        for strategy in mappings(objective.get("metricStrategies")):
            yield strategy.get("name")
            yield strategy.get("value")
    for tp in exp.trial_parameters:
        for key in ("name", "description", "reference"):
            yield tp.node.get(key)
    labels = mapping(exp.template_get("primaryPodLabels"))
    if labels is not None:
        for _, _, value in labels.items():
            yield value
    yield exp.template_get("primaryContainerName")
    metas = [exp.metadata] + [t.metadata for t in (exp.pod_templates or [])]
    for meta in metas:
        if meta is None:
            continue
        for key in ("labels", "annotations"):
            table = mapping(meta.get(key))
            if table is not None:
                for _, _, value in table.items():
                    yield value


class NonStringValue(Rule):
    code = "KAT005"
    name = "non-string-value"
    summary = "A number or boolean where Katib or Kubernetes expects a string"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.ALWAYS

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for node in string_fields(exp):
            if not isinstance(node, Scalar) or node.kind not in _YAML_TYPE:
                continue
            yield self.report(
                node,
                f"`{node.path}` is {_YAML_TYPE[node.kind]} (`{node.raw}`) but must be a string; "
                "the cluster rejects the manifest (`json: cannot unmarshal "
                f"{'bool' if node.kind == 'bool' else 'number'} into Go value of type string`)",
                help=f'quote it: `"{node.raw}"`',
                fix=Fix.safe("quote the value", quote_scalar(node)),
            )

"""KAT401 istio-sidecar-injection."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from katiblint.edits import indent_step, insert_entry, quote
from katiblint.loader import Mapping, Node, Scalar
from katiblint.model import Experiment, PodTemplate, mapping
from katiblint.registry import Rule
from katiblint.source import SourceFile

KEY = "sidecar.istio.io/inject"


def injection_value(pod: PodTemplate) -> tuple[Node | None, str | None]:
    """The node and text of the pod's `sidecar.istio.io/inject` (label first, as Istio reads it)."""
    for table in ("labels", "annotations"):
        values = mapping(pod.metadata.get(table)) if pod.metadata else None
        node = values.get(KEY) if values else None
        if node is not None:
            return node, node.raw if isinstance(node, Scalar) else None
    return None, None


def add_label(source: SourceFile, pod: PodTemplate, value: str) -> Edit | None:
    """An edit that adds the label to the pod template, creating `metadata`/`labels` as needed."""
    entry = f"{KEY}: {quote(value)}"
    meta = pod.metadata
    step = indent_step(source, pod.node)
    if meta is None:
        if pod.metadata_key in pod.node:
            return None  # `metadata:` present but empty or not a mapping: leave it to the user
        return insert_entry(source, pod.node, ["metadata:", " " * step + "labels:", " " * 2 * step + entry])
    labels = meta.get("labels")
    if labels is None:
        if "labels" in meta or not meta.pairs:
            return None
        return insert_entry(source, meta, ["labels:", " " * step + entry])
    if isinstance(labels, Mapping) and labels.pairs:
        return insert_entry(source, labels, [entry])
    return None


def _template_key(pod: PodTemplate) -> Node:
    """Where to report a pod template: its key (`template:`), else the template itself."""
    parent = pod.node.parent
    if isinstance(parent, Mapping) and isinstance(pod.node.key, str):
        return parent.key_node(pod.node.key) or pod.node
    return pod.node


class IstioSidecarInjection(Rule):
    code = "KAT401"
    name = "istio-sidecar-injection"
    summary = "A trial pod template does not state `sidecar.istio.io/inject`"
    severity = Severity.WARNING
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        policy = ctx.settings.istio_inject
        if policy == "off" or not exp.pod_templates:
            return
        for pod in exp.pod_templates:
            node, value = injection_value(pod)
            if node is not None and isinstance(node, Scalar) and not node.is_str:
                continue  # an unquoted boolean is non-string-value's finding (KAT005)
            target = _template_key(pod)
            if policy == "auto":
                if node is not None or exp.namespace == "kubeflow":
                    continue
                edit = add_label(exp.source, pod, "false")
                yield self.report(
                    target,
                    f"pods of `{pod.label}` do not set `{KEY}`; in an Istio-injected namespace the sidecar "
                    "keeps the trial pod running after training ends, so the Trial never completes",
                    help=f'add the label `{KEY}: "false"` to the pod template metadata '
                    "(or set `istio-inject` in the katiblint configuration)",
                    fix=Fix.safe(f'add label `{KEY}: "false"`', edit) if edit else None,
                    path=pod.node.path,
                )
                continue
            if value == policy:
                continue
            if node is None:
                edit = add_label(exp.source, pod, policy)
                yield self.report(
                    target,
                    f"pods of `{pod.label}` do not set `{KEY}`, and the configured policy is `\"{policy}\"`",
                    help=f'add the label `{KEY}: "{policy}"` to the pod template metadata',
                    fix=Fix.safe(f'add label `{KEY}: "{policy}"`', edit) if edit else None,
                    path=pod.node.path,
                    severity=Severity.ERROR,
                )
            else:
                yield self.report(
                    node,
                    f"pods of `{pod.label}` set `{KEY}` to `{value}`, but the configured policy is `\"{policy}\"`",
                    help=f'set it to `"{policy}"`',
                    fix=Fix.safe(f'set it to "{policy}"', Edit.replace(node.span, quote(policy))),
                    severity=Severity.ERROR,
                )


"""KAT401 istio-sidecar-injection."""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from katiblint.fix.edits import indent_step, insert_entry, quote
from katiblint.yaml import Mapping, Node, Scalar
from katiblint.katib.experiment import Experiment, PodTemplate, as_str, mapping
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


def _metadata_value(meta: Mapping | None) -> Node | None:
    for table in ("labels", "annotations"):
        values = mapping(meta.get(table)) if meta else None
        node = values.get(KEY) if values else None
        if node is not None:
            return node
    return None


def shared_opt_out(exp: Experiment) -> Node | None:
    """A setting that reaches every pod of the trial from outside the pod templates.

    Argo copies `spec.podMetadata` (and `spec.templateDefaults.metadata`) onto every pod of the
    Workflow; Tekton propagates a PipelineRun's / TaskRun's labels and annotations to its pods.
    """
    spec = exp.trial_spec
    kind = as_str(spec.get("kind")) if spec else None
    body = mapping(spec.get("spec")) if spec else None
    if kind == "Workflow" and body is not None:
        defaults = mapping(body.get("templateDefaults"))
        for meta in (mapping(body.get("podMetadata")), mapping(defaults.get("metadata")) if defaults else None):
            found = _metadata_value(meta)
            if found is not None:
                return found
    if kind in ("PipelineRun", "TaskRun") and spec is not None:
        return _metadata_value(mapping(spec.get("metadata")))
    return None


# kubeflow/manifests common/kubeflow-namespace: `kubeflow` is labelled `istio-injection: enabled`.
_INJECTED_NAMESPACES = {"kubeflow": "kubeflow/manifests labels the `kubeflow` namespace `istio-injection: enabled`"}
_TEMPLATED = re.compile(r"\$\{|\{\{|\$\(|^[A-Z][A-Z0-9_]*$")


def injection_reason(exp: Experiment, ctx: Context) -> str | None:
    """Why the Experiment's pods are likely Istio-injected, or None when they are likely not."""
    namespace = exp.namespace
    # a Namespace or Profile among the linted manifests (katiblint.katib.cluster.namespace_injection)
    linted = ctx.cluster.namespaces.get(namespace or "")
    if linted is not None:
        return linted or None
    if not namespace:
        return ("it names no namespace, so it runs where kubectl points; in Kubeflow that is a profile "
                "namespace, which the profile controller labels `istio-injection: enabled`")
    if _TEMPLATED.search(namespace):
        return (f"its namespace `{namespace}` is filled in later, typically with a profile namespace, which the "
                "profile controller labels `istio-injection: enabled`")
    if namespace in _INJECTED_NAMESPACES:
        return _INJECTED_NAMESPACES[namespace]
    if namespace.startswith("kubeflow-user"):
        return (f"`{namespace}` is a Kubeflow profile namespace, which the profile controller labels "
                "`istio-injection: enabled`")
    return None


class IstioSidecarInjection(Rule):
    code = "KAT401"
    name = "istio-sidecar-injection"
    summary = "A trial pod template does not state `sidecar.istio.io/inject` where Istio injects sidecars"
    severity = Severity.WARNING
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        policy = ctx.settings.istio_inject
        if policy == "off" or not exp.pod_templates:
            return
        shared = shared_opt_out(exp)
        missing: list[PodTemplate] = []
        settings: list[tuple[str, Node]] = []
        for pod in exp.pod_templates:
            node, _ = injection_value(pod)
            if node is not None:
                settings.append((f"pods of `{pod.label}`", node))
            elif shared is None:
                missing.append(pod)
        if shared is not None:
            settings.append(("the trial's pods", shared))
        for who, node in settings:
            value = node.raw if isinstance(node, Scalar) else None
            if isinstance(node, Scalar) and not node.is_str:
                continue  # an unquoted boolean is non-string-value's finding (KAT005)
            if policy != "auto" and value != policy:
                yield self.report(
                    node,
                    f"{who} set `{KEY}` to `{value}`, but the configured policy is `\"{policy}\"`",
                    help=f'set it to `"{policy}"`',
                    fix=Fix.safe(f'set it to "{policy}"', Edit.replace(node.span, quote(policy))),
                    severity=Severity.ERROR,
                )
        if not missing:
            return
        reason = injection_reason(exp, ctx) if policy == "auto" else None
        if policy == "auto" and reason is None:
            return  # an explicit namespace with no sign of Istio injection
        # One finding per Experiment; its fix labels every pod template that lacks the setting.
        value = "false" if policy == "auto" else policy
        # the pods are nodes of the template text (a ConfigMap template is parsed apart from this file)
        edits = [e for e in (add_label(exp.trial_spec_source, pod, value) for pod in missing) if e is not None]
        fix = Fix.safe(f'add label `{KEY}: "{value}"`', *edits) if len(edits) == len(missing) else None
        labels = ", ".join(f"`{pod.label}`" for pod in missing)
        if policy == "auto":
            yield self.report(
                _template_key(missing[0]),
                f"pods of {labels} do not set `{KEY}`, and Istio likely injects its sidecar: {reason}; "
                "the sidecar keeps running after training ends, so the trial pod never completes and the "
                "Trial stays Running",
                help=f'add the label `{KEY}: "false"` to the pod template metadata '
                "(or set `istio-inject` in the katiblint configuration)",
                fix=fix,
                path=missing[0].node.path,
            )
            return
        yield self.report(
            _template_key(missing[0]),
            f"pods of {labels} do not set `{KEY}`, and the configured policy is `\"{policy}\"`",
            help=f'add the label `{KEY}: "{policy}"` to the pod template metadata',
            fix=fix,
            path=missing[0].node.path,
            severity=Severity.ERROR,
        )

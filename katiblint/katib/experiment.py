"""A thin facade over one Experiment document, with the derived views rules share.

Everything returned is a positioned node from `katiblint.yaml`; views are computed once per
document (`cached_view`) and shared by every rule. The small records are named tuples:
they are made for every document, and a tuple is the cheapest immutable record to build.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator, NamedTuple, TypeVar

from katiblint.lazy import cached_view
from katiblint.yaml import Document, Mapping, Node, Scalar, Sequence
from katiblint.source import SourceFile, Span

EXPERIMENT_GROUP = "kubeflow.org"
SERVED_VERSION = "kubeflow.org/v1beta1"
# Katib's previous Experiment version (releases up to v0.10): no longer served, but its objective,
# algorithm, parameters, nasConfig, metrics collector, counts and resumePolicy are v1beta1's.
LEGACY_VERSION = "kubeflow.org/v1alpha3"
# `Rule.api_versions` of a rule that checks only those unchanged fields.
SERVED_AND_LEGACY = (SERVED_VERSION, LEGACY_VERSION)

# kubeflow/katib pkg/controller.v1beta1/consts/const.go
PLACEHOLDER_RE = re.compile(r"\$\{trialParameters\.(.+?)\}")
META_RE = re.compile(r"\$\{trialSpec\.(.+?)\}")
META_KEYS = ("Name", "Namespace", "Kind", "APIVersion", "Annotations", "Labels")
_META_INDEX_RE = re.compile(r"(.+)\[(.+)]")


def is_meta_reference(reference: str) -> bool:
    """Katib's `isMetaKey` (validator.go): `${trialSpec.Name}`, `${trialSpec.Labels[k]}`, ..."""
    match = META_RE.search(reference)
    if not match:
        return False
    key = match.group(1)
    if key in META_KEYS:
        return True
    indexed = _META_INDEX_RE.fullmatch(key)
    return bool(indexed and indexed.group(1) in META_KEYS)


def as_str(node: Node | None) -> str | None:
    """The string value of a scalar node (any scalar kind, as text), else None."""
    # Called for nearly every value a rule reads: class tests (no subclasses exist) and the
    # resolved value read directly, not through the `value` property.
    if node.__class__ is Scalar:
        value = (node._resolved or node._resolve())[1]
        if value is None:
            return None
        return value if value.__class__ is str else node.raw
    return None


def mapping(node: Node | None) -> Mapping | None:
    return node if node.__class__ is Mapping else None


def sequence_items(node: Node | None) -> list[Node]:
    return node.items if node.__class__ is Sequence else []


def mappings(node: Node | None) -> list[Mapping]:
    return [item for item in sequence_items(node) if isinstance(item, Mapping)]


def walk(node: Node | None, keys: bool = True) -> Iterator[Node]:
    """Every node below `node` (mapping keys too, unless `keys` is false), each shared (aliased) node once."""
    if node is None:
        return
    seen: set[int] = set()
    stack: list[Node] = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        current = pop()
        if id(current) in seen:  # a node shared through an alias is visited once
            continue
        seen.add(id(current))
        yield current
        cls = current.__class__
        if cls is Mapping:
            for k, v in reversed(current.pairs):  # type: ignore[attr-defined]  # a Mapping: the class test
                push(v)
                if keys:
                    push(k)
        elif cls is Sequence:
            extend(reversed(current.items))  # type: ignore[attr-defined]  # a Sequence: the class test


def scalars_below(node: Node) -> list[Scalar]:
    """Every scalar below `node` (keys included), in document order, in a tree without shared
    nodes (`Document.shared` false): `walk` without its bookkeeping, for the hottest views."""
    found: list[Scalar] = []
    stack: list[Node] = [node]
    pop, push, extend, keep = stack.pop, stack.append, stack.extend, found.append
    while stack:
        current = pop()
        cls = current.__class__
        if cls is Scalar:
            keep(current)  # type: ignore[arg-type]  # the class test
        elif cls is Mapping:
            for k, v in reversed(current.pairs):  # type: ignore[attr-defined]  # a Mapping: the class test
                push(v)
                push(k)
        else:
            extend(reversed(current.items))  # type: ignore[attr-defined]  # a Sequence: the only other node class
    return found


def is_experiment(doc: Document) -> bool:
    """`kind: Experiment` of Katib's group, or with no apiVersion at all (which KAT004 reports)."""
    root = doc.root
    if not isinstance(root, Mapping) or as_str(root.get("kind")) != "Experiment":
        return False
    api = as_str(root.get("apiVersion"))
    return not api or api == EXPERIMENT_GROUP or api.startswith(EXPERIMENT_GROUP + "/")


class Container(NamedTuple):
    """A container of a trial pod. `name` is what the pod will call it (Argo: `main`)."""

    name: str | None
    name_node: Node | None
    node: Mapping


class PodTemplate(NamedTuple):
    """One pod shape the trial creates. `node` is where pod `metadata` lives or would go."""

    label: str
    node: Mapping
    metadata: Mapping | None
    containers: tuple[Container, ...]
    metadata_key: str = "metadata"


class Placeholder(NamedTuple):
    """A `${trialParameters.x}` in the trial template, located at its `$`."""

    name: str
    span: Span
    node: Node


class TrialParameter(NamedTuple):
    node: Mapping
    name: str | None
    reference: str | None


T = TypeVar("T")


class Experiment:
    """The parts of an Experiment rules need, all positioned."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.root: Mapping = doc.root  # type: ignore[assignment]  # is_experiment(doc) holds: the root is a mapping
        self.source = doc.source
        # The text trialSpec nodes come from: this file, or a ConfigMap's template (use_trial_spec).
        self.trial_spec_source: SourceFile = doc.source
        self.template_origin: object | None = None
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A derived view shared by every rule of this document, computed once (e.g. the typed
        field walk both the decoding and the unknown-field rules need)."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    def use_trial_spec(self, root: Mapping, source: SourceFile) -> None:
        """Take the trialSpec from a template parsed elsewhere (a trial-template ConfigMap).

        Every view derived so far may rest on the old trialSpec (pod templates, containers, the
        typed-field walk): they are dropped, and computed again from the new one when read.
        """
        for name, attribute in vars(type(self)).items():
            if isinstance(attribute, cached_view):
                self.__dict__.pop(name, None)
        self._memo.clear()
        self.__dict__["trial_spec"] = root
        self.trial_spec_source = source

    def find(self, path: str) -> Node | None:
        return self.doc.find(path)

    @property
    def api_version(self) -> str | None:
        return as_str(self.root.get("apiVersion"))

    @cached_view
    def metadata(self) -> Mapping | None:
        return mapping(self.root.get("metadata"))

    @cached_view
    def name_node(self) -> Node | None:
        return self.metadata.get("name") if self.metadata else None

    @cached_view
    def name(self) -> str | None:
        return as_str(self.name_node)

    @cached_view
    def namespace(self) -> str | None:
        return as_str(self.metadata.get("namespace")) if self.metadata else None

    @cached_view
    def spec(self) -> Mapping | None:
        return mapping(self.root.get("spec"))

    def spec_get(self, key: str) -> Node | None:
        return self.spec.get(key) if self.spec else None

    @cached_view
    def algorithm(self) -> Mapping | None:
        return mapping(self.spec_get("algorithm"))

    @cached_view
    def algorithm_name(self) -> str | None:
        return as_str(self.algorithm.get("algorithmName")) if self.algorithm else None

    @cached_view
    def early_stopping(self) -> Mapping | None:
        return mapping(self.spec_get("earlyStopping"))

    @cached_view
    def parameters(self) -> list[Mapping]:
        return mappings(self.spec_get("parameters"))

    @cached_view
    def parameter_names(self) -> list[str]:
        return [n for n in (as_str(p.get("name")) for p in self.parameters) if n is not None]

    @cached_view
    def trial_template(self) -> Mapping | None:
        return mapping(self.spec_get("trialTemplate"))

    def template_get(self, key: str) -> Node | None:
        return self.trial_template.get(key) if self.trial_template else None

    @cached_view
    def trial_spec(self) -> Mapping | None:
        return mapping(self.template_get("trialSpec"))

    @cached_view
    def primary_container_name(self) -> str | None:
        return as_str(self.template_get("primaryContainerName"))

    @cached_view
    def trial_parameters(self) -> list[TrialParameter]:
        return [
            TrialParameter(p, as_str(p.get("name")), as_str(p.get("reference")))
            for p in mappings(self.template_get("trialParameters"))
        ]

    @cached_view
    def trial_kind(self) -> str | None:
        return as_str(self.trial_spec.get("kind")) if self.trial_spec else None

    @cached_view
    def trial_api_version(self) -> str | None:
        return as_str(self.trial_spec.get("apiVersion")) if self.trial_spec else None

    @cached_view
    def trial_spec_scalars(self) -> list[Scalar]:
        """Every scalar of the inline trialSpec, keys and values, each once, in document order."""
        root = self.trial_spec
        if root is None:
            return []
        if self.trial_spec_source is not self.doc.source or self.doc.shared:
            return [node for node in walk(root) if node.__class__ is Scalar]
        return scalars_below(root)

    @cached_view
    def placeholders(self) -> list[Placeholder]:
        """Every `${trialParameters.x}` in the inline trialSpec, keys and values alike."""
        found: list[Placeholder] = []
        text = self.trial_spec_source.text
        for node in self.trial_spec_scalars:
            if "trialParameters" not in node.raw:
                continue
            start = node.span.start
            raw = text[start : node.span.end]
            for match in PLACEHOLDER_RE.finditer(raw):
                found.append(
                    Placeholder(match.group(1), Span(start + match.start(), start + match.end()), node)
                )
        found.sort(key=lambda p: p.span.start)
        return found

    @cached_view
    def pod_templates(self) -> list[PodTemplate] | None:
        """Every pod shape of the inline trialSpec, or None when the kind's pods are unknown."""
        if self.trial_spec is None:
            return None
        return pod_templates(self.trial_spec)


def _containers(pod_spec: Mapping | None, *keys: str) -> tuple[Container, ...]:
    result: list[Container] = []
    if pod_spec is None:
        return ()
    for key in keys:
        for c in mappings(pod_spec.get(key)):
            name_node = c.get("name")
            result.append(Container(as_str(name_node), name_node, c))
    return tuple(result)


def _pod_from_template(label: str, template: Mapping) -> PodTemplate:
    spec = mapping(template.get("spec"))
    return PodTemplate(label, template, mapping(template.get("metadata")), _containers(spec, "containers"))


def pod_templates(trial_spec: Mapping) -> list[PodTemplate] | None:
    """Pod templates by kind: Job, Training Operator jobs, JobSet, Argo, Tekton, or generic."""
    kind = as_str(trial_spec.get("kind"))
    spec = mapping(trial_spec.get("spec"))
    if spec is None:
        return []
    if kind == "TrainJob":
        return None  # pods come from the TrainingRuntime, not from the manifest
    if kind == "Workflow":
        return _argo_pods(spec)
    if kind in ("PipelineRun", "TaskRun"):
        return _tekton_pods(spec)
    pods: list[PodTemplate] = []
    template = mapping(spec.get("template"))
    if template is not None:
        pods.append(_pod_from_template("spec.template", template))
    for key, _, value in spec.items():
        if key.endswith("ReplicaSpecs") and isinstance(value, Mapping):
            for role, _, replica in value.items():
                tmpl = mapping(replica.get("template")) if isinstance(replica, Mapping) else None
                if tmpl is not None:
                    pods.append(_pod_from_template(f"{key}.{role}", tmpl))
    for i, rjob in enumerate(mappings(spec.get("replicatedJobs"))):
        job = mapping(rjob.get("template"))
        job_spec = mapping(job.get("spec")) if job else None
        tmpl = mapping(job_spec.get("template")) if job_spec else None
        if tmpl is not None:
            name = as_str(rjob.get("name")) or str(i)
            pods.append(_pod_from_template(f"replicatedJobs[{name}]", tmpl))
    if pods:
        return pods
    return _generic_pods(trial_spec)


def _generic_pods(root: Mapping) -> list[PodTemplate] | None:
    pods: list[PodTemplate] = []
    for node in walk(root):
        if isinstance(node, Mapping) and node.key == "template":
            spec = mapping(node.get("spec"))
            if spec is not None and isinstance(spec.get("containers"), Sequence):
                pods.append(_pod_from_template(node.path, node))
    return pods or None


def _argo_pods(spec: Mapping) -> list[PodTemplate]:
    pods: list[PodTemplate] = []
    for tmpl in mappings(spec.get("templates")):
        label = f"templates[{as_str(tmpl.get('name')) or '?'}]"
        containers: list[Container] = []
        for key in ("container", "script"):
            c = mapping(tmpl.get(key))
            if c is not None:
                containers.append(Container("main", None, c))  # Argo always names it `main`
        cset = mapping(tmpl.get("containerSet"))
        if cset is not None:
            containers.extend(_containers(cset, "containers"))
        if containers:
            pods.append(PodTemplate(label, tmpl, mapping(tmpl.get("metadata")), tuple(containers)))
    return pods


def _tekton_pods(spec: Mapping) -> list[PodTemplate]:
    pods: list[PodTemplate] = []
    task_lists: list[tuple[str, Mapping]] = []
    pipeline = mapping(spec.get("pipelineSpec"))
    if pipeline is not None:
        for key in ("tasks", "finally"):
            for task in mappings(pipeline.get(key)):
                task_spec = mapping(task.get("taskSpec"))
                if task_spec is not None:
                    task_lists.append((f"pipelineSpec.{key}[{as_str(task.get('name')) or '?'}]", task_spec))
    task_spec = mapping(spec.get("taskSpec"))
    if task_spec is not None:
        task_lists.append(("taskSpec", task_spec))
    for label, ts in task_lists:
        steps = []
        for step in mappings(ts.get("steps")):
            name_node = step.get("name")
            step_name = as_str(name_node)
            steps.append(Container(f"step-{step_name}" if step_name else None, name_node, step))
        pods.append(PodTemplate(label, ts, mapping(ts.get("metadata")), tuple(steps)))
    return pods

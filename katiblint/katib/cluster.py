"""Cluster-aware linting for GitOps repositories: the cluster's katib-config and trial-template ConfigMaps.

A katib-config comes in three shapes (kubeflow/katib manifests and `pkg/apis/config/v1beta1/types.go`):
a `KatibConfig` document (`config.kubeflow.org/v1beta1`, the file kustomize turns into the ConfigMap),
the `katib-config` ConfigMap holding it under the data key `katib-config.yaml`, and the older
(Katib <= 0.15) ConfigMap with JSON maps under `suggestion`, `early-stopping` and
`metrics-collector-sidecar`. The names it lists replace the stock ones for every rule.

Trial templates kept in a ConfigMap (`spec.trialTemplate.configMap`) are parsed from the data value
so that the trial-template rules see them as if they were inline, with positions in the ConfigMap's file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from katiblint.errors import KatibLintError
from katiblint.yaml import Document, Mapping, Node, Scalar, load
from katiblint.katib.experiment import as_str, mapping, sequence_items
from katiblint.registry import describe
from katiblint.source import SourceFile, Span, decode
from katiblint.triage import may_hold_experiment
from katiblint.walk import collect_files, display_path
from katiblint.yaml.file import read_strict
from katiblint.katib.api import DEFAULT_TRIAL_RESOURCES

if TYPE_CHECKING:
    from katiblint.katib.catalog import AlgorithmSpec
    from katiblint.context import Context
    from katiblint.diagnostics import Diagnostic
    from katiblint.engine import FileResult, Linter
    from katiblint.katib.experiment import Experiment

CONFIG_API = "config.kubeflow.org/v1beta1"
CONFIG_MAP_NAME = "katib-config"
CONFIG_KEY = "katib-config.yaml"
LEGACY_KEYS = ("suggestion", "early-stopping", "metrics-collector-sidecar")
CONFIG_MARKERS = ("KatibConfig", "katib-config")
TEMPLATE_MARKER = "configMapName"
INVALID_CONFIG = "KAT060"
NAMESPACE_MARKERS = ("Namespace", "Profile")
TRAINING_RUNTIME_KIND = "ClusterTrainingRuntime"

Pending = dict[str, dict[tuple[str, int], list["Diagnostic"]]]


@dataclass(frozen=True)
class ClusterConfig:
    """What a katib-config routes: algorithm and collector names to images, and watched trial kinds."""

    origin: str
    suggestions: dict[str, str] = field(default_factory=dict)
    early_stoppings: dict[str, str] = field(default_factory=dict)
    collectors: dict[str, str] = field(default_factory=dict)
    trial_resources: tuple[str, ...] | None = None


@dataclass
class Cluster:
    """What a run knows of the cluster it lints for, gathered before any Experiment (`prepare`)
    and completed per file (`for_file`): one typed record, read by the rules through `Context`."""

    config: ClusterConfig | None = None  # the katib-config, strictly parsed (a rejected one is KAT060's)
    template_maps: list[TemplateMap] = field(default_factory=list)  # ConfigMaps that may hold trial templates
    namespaces: dict[str, str] = field(default_factory=dict)  # linted Namespaces/Profiles: name -> why Istio injects ("": it does not)
    training_runtimes: set[str] = field(default_factory=set)  # Trainer runtimes the project defines
    pending: Pending = field(default_factory=dict)  # findings inside another file's ConfigMap template
    notices: list[str] = field(default_factory=list)  # run-level notes for standard error

    @property
    def trial_resources(self) -> tuple[str, ...] | None:
        return self.config.trial_resources if self.config is not None else None

    def use(self, config: ClusterConfig) -> None:
        self.config = config


class ConfigProblem(NamedTuple):
    message: str
    offset: int


class _Bad(Exception):
    def __init__(self, message: str, node: Node | None, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset if offset is not None else (node.span.start if node is not None else 0)


# --- katib-config ------------------------------------------------------------------------------


def is_config_document(root: Node | None) -> bool:
    if not isinstance(root, Mapping):
        return False
    kind = as_str(root.get("kind"))
    if kind == "KatibConfig":
        return True
    meta = mapping(root.get("metadata"))
    return kind == "ConfigMap" and meta is not None and as_str(meta.get("name")) == CONFIG_MAP_NAME


def read_config(doc: Document, origin: str) -> ClusterConfig:
    """The katib-config a document holds; raises `_Bad` (message, offset in the document's file)."""
    root = doc.root
    assert isinstance(root, Mapping)
    if as_str(root.get("kind")) == "KatibConfig":
        return _katib_config(root, origin)
    data = root.get("data")
    if data is not None and not isinstance(data, Mapping):
        raise _Bad("`data` of the `katib-config` ConfigMap is not a mapping", data)
    if data is not None and data.get(CONFIG_KEY) is not None:
        value = data.get(CONFIG_KEY)
        if not isinstance(value, Scalar) or not isinstance(value.value, str):
            raise _Bad(f"`data.{CONFIG_KEY}` must be a string holding the KatibConfig YAML", value)
        embedded = embed(doc.source, value, 0)
        loaded = load(embedded.source)
        problems = loaded.problems + [p for d in loaded.documents for p in d.problems]
        if problems:
            raise _Bad(f"`data.{CONFIG_KEY}` is not valid YAML: {describe(problems[0])[0]}", None, embedded.to_file(problems[0].span).start)
        roots = [d.root for d in loaded.documents if d.root is not None]
        if not roots or not isinstance(roots[0], Mapping):
            raise _Bad(f"`data.{CONFIG_KEY}` holds no KatibConfig mapping", value)
        try:
            return _katib_config(roots[0], origin)
        except _Bad as bad:
            raise _Bad(bad.message, None, embedded.to_file(Span(bad.offset, bad.offset)).start) from None
    if data is not None and any(data.get(k) is not None for k in LEGACY_KEYS):
        return _legacy_config(doc.source, data, origin)
    # katibconfig/config.go: the controller and webhook read only this key
    raise _Bad(f"the `katib-config` ConfigMap has no `data.{CONFIG_KEY}`; Katib fails to start "
               f"(`failed to find {CONFIG_KEY} in ConfigMap: katib-config`)", root.key_node("data") or root)


def _katib_config(root: Mapping, origin: str) -> ClusterConfig:
    api = as_str(root.get("apiVersion"))
    if api != CONFIG_API:
        raise _Bad(f"KatibConfig `apiVersion` is `{api}`, not `{CONFIG_API}`", root.get("apiVersion") or root)
    runtime = _optional_mapping(root, "runtime")
    init = _optional_mapping(root, "init")
    controller = _optional_mapping(init, "controller") if init else None
    suggestions = _named_list(runtime, "suggestions", "algorithmName") if runtime else {}
    early = _named_list(runtime, "earlyStoppings", "algorithmName") if runtime else {}
    collectors = _named_list(runtime, "metricsCollectors", "kind") if runtime else {}
    resources: tuple[str, ...] | None = None
    if controller is not None and controller.get("trialResources") is not None:
        node = controller.get("trialResources")
        if node is not None and not sequence_items(node) and not (isinstance(node, Scalar) and node.kind == "null"):
            if isinstance(node, Scalar) or isinstance(node, Mapping):
                raise _Bad("`init.controller.trialResources` must be a list of `Kind.version.group`", node)
        found = []
        for item in sequence_items(node):
            text = as_str(item)
            # the controller parses each entry with schema.ParseKindArg
            if not text or text.count(".") < 2:
                raise _Bad(f"trial resource `{text}` is not `Kind.version.group` (e.g. `Job.v1.batch`)", item)
            found.append(text)
        resources = tuple(found) or DEFAULT_TRIAL_RESOURCES
    return ClusterConfig(origin, suggestions, early, collectors, resources)


def _optional_mapping(parent: Mapping, key: str) -> Mapping | None:
    node = parent.get(key)
    if node is None or (isinstance(node, Scalar) and node.kind == "null"):
        return None
    if not isinstance(node, Mapping):
        raise _Bad(f"`{node.path or key}` must be a mapping", node)
    return node


def _named_list(parent: Mapping, key: str, name_key: str) -> dict[str, str]:
    node = parent.get(key)
    if node is None or (isinstance(node, Scalar) and node.kind == "null"):
        return {}
    items = sequence_items(node)
    if not items and isinstance(node, (Scalar, Mapping)):
        raise _Bad(f"`runtime.{key}` must be a list", node)
    found: dict[str, str] = {}
    for item in items:
        if not isinstance(item, Mapping):
            raise _Bad(f"each `runtime.{key}` entry must be a mapping with `{name_key}`", item)
        name = as_str(item.get(name_key))
        if not name:
            raise _Bad(f"a `runtime.{key}` entry has no `{name_key}`", item.get(name_key) or item)
        found[name] = as_str(item.get("image")) or ""
    return found


def _legacy_config(source: SourceFile, data: Mapping, origin: str) -> ClusterConfig:
    tables: list[dict[str, str]] = []
    for key in LEGACY_KEYS:
        node = data.get(key)
        if node is None:
            tables.append({})
            continue
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            raise _Bad(f"`data.{key}` must be a JSON string", node)
        try:
            parsed = json.loads(node.value)
        except json.JSONDecodeError as exc:
            offset = literal_offset(source, node, exc.pos)
            raise _Bad(f"`data.{key}` is not valid JSON: {exc.msg} (line {exc.lineno} of the value)", None, offset) from None
        if not isinstance(parsed, dict):
            raise _Bad(f"`data.{key}` must be a JSON object keyed by name", node)
        tables.append({str(k): str(v.get("image", "")) if isinstance(v, dict) else "" for k, v in parsed.items()})
    return ClusterConfig(origin, tables[0], tables[1], tables[2], None)


def literal_offset(source: SourceFile, node: Scalar, pos: int) -> int:
    """The file offset of character `pos` of a literal block scalar's value (else the value's start)."""
    text = source.text
    header_end = text.find("\n", node.span.start)
    if node.style != "|" or header_end == -1 or not isinstance(node.value, str):
        return node.span.start
    lines = text[header_end + 1 : node.span.end].split("\n")
    indent = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
    line = node.value.count("\n", 0, pos)
    column = pos - (node.value.rfind("\n", 0, pos) + 1)
    offset = header_end + 1
    for before in lines[:line]:
        offset += len(before) + 1
    return min(offset + indent + column, node.span.end)


def load_config_file(path: str) -> ClusterConfig:
    """`--katib-config FILE`: the first katib-config document of the file; a bad one is exit 2."""
    source, loaded = read_strict(path, "katib-config")
    for doc in loaded.documents:
        if is_config_document(doc.root):
            line = source.position(doc.span.start)[0] + 1
            try:
                return read_config(doc, f"{path}:{line}")
            except _Bad as bad:
                line, col = source.position(bad.offset)
                raise KatibLintError(f"{path}:{line + 1}:{col + 1}: invalid katib-config: {bad.message}") from None
    raise KatibLintError(f"{path}: no KatibConfig document or `katib-config` ConfigMap found")


def scan_configs(documents: list[Document], display: str) -> tuple[list[ClusterConfig], list[ConfigProblem]]:
    """The good katib-configs among `documents`, and the problems of the bad ones."""
    found: list[ClusterConfig] = []
    problems: list[ConfigProblem] = []
    for doc in documents:
        if not is_config_document(doc.root) or doc.problems:
            continue
        line = doc.source.position(doc.span.start)[0] + 1
        try:
            found.append(read_config(doc, f"{display}:{line}"))
        except _Bad as bad:
            problems.append(ConfigProblem(bad.message, bad.offset))
    return found, problems


def image_service(image: str) -> str:
    """`ghcr.io/kubeflow/katib/suggestion-optuna:v0.17.0` -> `optuna` (the catalog's service name)."""
    base = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    for prefix in ("suggestion-", "earlystopping-"):
        if base.startswith(prefix):
            return base[len(prefix):]
    return base


def algorithm_spec(ctx: Context, name: str | None, early: bool) -> AlgorithmSpec | None:
    """The catalog entry whose checks apply to `name`, following the cluster's image routing.

    Stock routing: the entry of that name. A name the katib-config routes to a stock image: the
    entry of that service when the service implements one algorithm only (it ignores the name);
    None when it implements several (it dispatches on the name, so nothing can be assumed).
    """
    table = ctx.catalog.early_stopping if early else ctx.catalog.algorithms
    if not name:
        return None
    config = ctx.cluster.config
    routes = (config.early_stoppings if early else config.suggestions) if isinstance(config, ClusterConfig) else {}
    if name not in routes:
        return table.get(name)
    service = image_service(routes[name])
    stock = table.get(name)
    if stock is not None and stock.service == service:
        return stock
    candidates = [spec for spec in table.values() if spec.service == service]
    return candidates[0] if len(candidates) == 1 else None


# --- embedded YAML (katib-config.yaml, trial templates) -------------------------------------------


class Embedded(NamedTuple):
    """YAML text held in a scalar, parsed with offsets that map back into the holding file."""

    source: SourceFile
    shift: int  # offsets below `shift` are padding
    literal: bool  # True: offset - shift is the holding file's offset; False: everything maps to `value`
    value: Span

    def to_file(self, span: Span) -> Span:
        if not self.literal:
            return self.value
        start = max(0, span.start - self.shift)
        return Span(start, max(start, span.end - self.shift))


def embed(source: SourceFile, value: Scalar, shift: int) -> Embedded:
    """Parseable text for the YAML inside `value`, with its offsets `shift` past the holding file's.

    A literal block scalar's content lines are the file's lines, so the file's text with all else
    blanked parses to the same YAML at the same offsets. Other styles are parsed from the value and
    every position falls back to the value's start.
    """
    text = source.text
    if value.style == "|":
        header_end = text.find("\n", value.span.start)
        if header_end != -1 and header_end < value.span.end:
            start, end = header_end + 1, value.span.end
            content = text[start:end]
            first = content.lstrip("\n").split("\n", 1)[0]
            if first.strip() == "---":  # a document marker at the block's indentation
                at = content.index(first)
                content = content[:at] + " " * len(first) + content[at + len(first):]
            blank = re.compile(r"[^\n]")
            virtual = _padding(shift) + blank.sub(" ", text[:start]) + content + blank.sub(" ", text[end:])
            return Embedded(SourceFile(source.path, virtual), shift, True, value.span)
    raw = value.value if isinstance(value.value, str) else ""
    return Embedded(SourceFile(source.path, _padding(shift) + raw), shift, False, Span(value.span.start, value.span.start + 1))


def _padding(shift: int) -> str:
    """`shift` characters that YAML skips, on one line: a line per character made every template
    of a large stream cost a line index the size of the whole stream (quadratic in its Experiments)."""
    return "" if shift == 0 else " " * (shift - 1) + "\n"


# --- trial templates in ConfigMaps -----------------------------------------------------------------


class TemplateMap(NamedTuple):
    """A ConfigMap that may hold trial templates, and the display path of its file."""

    name: str
    namespace: str | None
    root: Mapping
    doc: Document
    path: str


@dataclass
class TemplateOrigin:
    """Where an Experiment's trialSpec came from: which ConfigMap file and how to map positions back."""

    path: str
    source: SourceFile
    embedded: Embedded
    config_map: str
    stock_key: str | None = None  # Katib's stock `trial-templates`, assumed: the key whose content was used
    reference: Node | None = None  # the Experiment's `templatePath` (stock findings are shown there)


# Katib's stock trial templates (manifests/v1beta1/components/controller/trial-templates.yaml).
STOCK_TEMPLATES_FILE = "trial-templates.yaml"
STOCK_TEMPLATES_NAME = "trial-templates"
STOCK_TEMPLATES_NAMESPACE = "kubeflow"


def config_maps(documents: list[Document], display: str) -> list[TemplateMap]:
    found = []
    for doc in documents:
        root = doc.root
        if not isinstance(root, Mapping) or as_str(root.get("kind")) != "ConfigMap":
            continue
        meta = mapping(root.get("metadata"))
        name = as_str(meta.get("name")) if meta else None
        if name:
            found.append(TemplateMap(name, as_str(meta.get("namespace")) if meta else None, root, doc, display))
    return found


def template_ref(exp: Experiment) -> tuple[Mapping, str | None, str | None, str | None] | None:
    """(configMap mapping, configMapName, configMapNamespace, templatePath) when the template is in a ConfigMap."""
    ref = mapping(exp.template_get("configMap"))
    if ref is None or exp.template_get("trialSpec") is not None:
        return None
    return ref, as_str(ref.get("configMapName")), as_str(ref.get("configMapNamespace")), as_str(ref.get("templatePath"))


def find_template(exp: Experiment, ctx: Context) -> tuple[TemplateMap, Scalar] | None:
    """The ConfigMap among the linted files that the Experiment's `configMap` names, and the template value."""
    found = template_ref(exp)
    if found is None:
        return None
    _, name, namespace, key = found
    if not name or not key:
        return None
    namespace = namespace or exp.namespace
    for candidate in ctx.cluster.template_maps:
        if candidate.name != name or (namespace and candidate.namespace and candidate.namespace != namespace):
            continue
        data = mapping(candidate.root.get("data"))
        value = data.get(key) if data else None
        if isinstance(value, Scalar) and isinstance(value.value, str):
            return candidate, value
    return None


def stock_template(exp: Experiment) -> tuple[TemplateMap, Scalar, str, Node] | None:
    """Katib's stock `trial-templates` entry the Experiment's `configMap` names, as katiblint ships it.

    Only `trial-templates` in `kubeflow` (where Katib installs it) with one of its stock keys.
    """
    found = template_ref(exp)
    if found is None:
        return None
    ref, name, namespace, key = found
    if name != STOCK_TEMPLATES_NAME or not key or (namespace or exp.namespace) != STOCK_TEMPLATES_NAMESPACE:
        return None
    stock = _stock_config_map()
    data = mapping(stock.root.get("data")) if stock is not None else None
    value = data.get(key) if data is not None else None
    reference = ref.get("templatePath")
    if stock is None or not isinstance(value, Scalar) or not isinstance(value.value, str) or reference is None:
        return None
    return stock, value, key, reference


_STOCK: list[TemplateMap | None] = []


def _stock_config_map() -> TemplateMap | None:
    """The bundled stock ConfigMap, read once per process (None if the file is missing or broken)."""
    if not _STOCK:
        from katiblint.resources import data_path

        path = data_path(STOCK_TEMPLATES_FILE)
        found = None
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = None
        if text is not None:
            display = f"katib:{STOCK_TEMPLATES_NAMESPACE}/{STOCK_TEMPLATES_NAME}"
            maps = config_maps(load(SourceFile(display, text)).documents, display)
            found = next((m for m in maps if m.name == STOCK_TEMPLATES_NAME), None)
        _STOCK.append(found)
    return _STOCK[0]


def attach_template(exp: Experiment, ctx: Context) -> None:
    """Give `exp` the trialSpec of the ConfigMap its trialTemplate names, when it is among the linted files,
    else Katib's stock content when it names a stock template."""
    found = find_template(exp, ctx)
    if found is None:
        stock = stock_template(exp)
        if stock is not None:
            holder, value, key, reference = stock
            _attach(exp, holder, value, stock_key=key, reference=reference)
        return
    holder, value = found
    _attach(exp, holder, value)


def _attach(exp: Experiment, holder: TemplateMap, value: Scalar, stock_key: str | None = None,
            reference: Node | None = None) -> None:
    source = holder.doc.source
    same_file = source.path == exp.source.path and source.text == exp.source.text
    shift = 0 if same_file and value.style == "|" else len(exp.source.text) + 1
    embedded = embed(source, value, shift)
    loaded = load(embedded.source)
    roots = [d.root for d in loaded.documents if isinstance(d.root, Mapping) and not d.problems]
    # the template's tree is freed with the Experiment's file (loader.release), not by the cycle collector
    exp.doc.collections.extend(node for doc in loaded.documents for node in doc.collections)
    if loaded.problems or not roots:
        return  # a broken template is its ConfigMap's own YAML problem; nothing to check
    exp.use_trial_spec(roots[0], embedded.source)
    exp.template_origin = TemplateOrigin(holder.path, source, embedded, holder.name, stock_key, reference)


def assume_stock(exp: Experiment, diags: list[Diagnostic], without: list[Diagnostic]) -> list[Diagnostic]:
    """Findings of an Experiment checked against Katib's stock template, which may differ on the cluster.

    Those the stock content brings (not in `without`, the findings with no template) become warnings
    at most, say the content was assumed, and lose their fixes; those inside the template are shown at
    the Experiment's `templatePath`, naming the template's line.
    """
    from katiblint.diagnostics import Severity

    origin = exp.template_origin
    if not isinstance(origin, TemplateOrigin) or origin.stock_key is None:
        return diags
    seen = {(d.code, d.span.start, d.span.end, d.message) for d in without}
    shift = origin.embedded.shift
    kept = []
    for diag in diags:
        inside = diag.span.start >= shift
        if not inside and (diag.code, diag.span.start, diag.span.end, diag.message) in seen:
            kept.append(diag)
            continue
        where = f"key `{origin.stock_key}`"
        if inside:
            at = origin.embedded.to_file(diag.span).start
            text = origin.source.text
            line = text.count("\n", origin.embedded.value.start, at)  # the template's first line is 1
            where += f", line {line} of the template"
            if origin.reference is not None:
                diag.span = origin.reference.span
        diag.message += (
            f" (checked against Katib's stock `{STOCK_TEMPLATES_NAMESPACE}/{STOCK_TEMPLATES_NAME}` ConfigMap, "
            f"{where}, since it is not among the linted files; a cluster may have changed it)"
        )
        if diag.severity is Severity.ERROR:
            diag.severity = Severity.WARNING
        diag.fix = None
        kept.append(diag)
    return kept




def route(exp: Experiment, diags: list[Diagnostic], pending: Pending) -> list[Diagnostic]:
    """Keep the Experiment's own findings; move those inside a template from another file to `pending`.

    Pending findings are keyed by the Experiment (file, document): linting it again (`--fix`
    re-lints after each round) replaces what it left, so a finding it no longer has goes away.
    """
    origin: TemplateOrigin | None = getattr(exp, "template_origin", None)
    if origin is None or origin.embedded.shift == 0 or origin.stock_key is not None:
        return diags
    kept = []
    moved: list[Diagnostic] = []
    for diag in diags:
        if diag.span.start >= origin.embedded.shift:
            diag.span = origin.embedded.to_file(diag.span)
            diag.fix = None  # its edits were computed on the Experiment's file
            moved.append(diag)
        else:
            kept.append(diag)
    pending.setdefault(origin.path, {})[(exp.source.path, exp.doc.index)] = moved
    return kept


# --- the run: discover before linting, merge after ---------------------------------------------------


def prepare(linter: Linter, files: list[str], whole_project: bool = False) -> None:
    """Load the katib-config and template ConfigMaps before any Experiment is linted.

    They are looked for in the whole project (the folder of the configuration file, else the git
    repository), not only among the linted files, so the verdict on a file does not depend on
    which other files share its run: pre-commit passes only the changed files, in batches.
    A run without an Experiment on disk skips that search unless `whole_project` (the language
    server, whose Experiment may not be saved yet).
    """

    if linter.settings.katib_config:
        linter.cluster.use(load_config_file(linter.settings.katib_config))
    want_config = linter.cluster.config is None
    maps: list[TemplateMap] = []
    texts: list[tuple[str, bytes]] = []  # only files that may hold what is looked for: a 40 MB data file is not kept
    linted: set[str] = set()
    any_ref = False
    any_experiment = False
    for path in files:
        data = _read(path) if path != "-" else None
        if data is None:
            continue
        any_ref = any_ref or TEMPLATE_MARKER.encode() in data
        any_experiment = any_experiment or may_hold_experiment(data)
        linted.add(os.path.abspath(path))
        if any(marker in data for marker in _PROJECT_MARKERS):
            texts.append((path, data))
    if (any_experiment or whole_project) and linter.settings.search_project:
        texts = project_texts(linter, files, linted) + texts
    seen: set[str] = set()
    configs: list[ClusterConfig] = []
    for path, data in texts:
        real = os.path.realpath(path)  # the same file by two names (a symlink) is read as one
        if real in seen:
            continue
        seen.add(real)
        has_config = want_config and any(m.encode() in data for m in CONFIG_MARKERS)
        has_maps = any_ref and b"ConfigMap" in data
        has_namespaces = any(b"kind: " + m.encode() in data for m in NAMESPACE_MARKERS)
        has_runtimes = b"kind: " + TRAINING_RUNTIME_KIND.encode() in data
        if not (has_config or has_maps or has_namespaces or has_runtimes):
            continue
        source, _, _ = decode(data, display_path(path))
        if source is None:
            continue
        documents = load(source).documents
        if has_namespaces:
            linter.cluster.namespaces.update(namespace_injection(documents))
        if has_config:
            for config in scan_configs(documents, source.path)[0]:
                if not any(same_cluster(config, c) for c in configs):
                    configs.append(config)
        if has_maps:
            maps.extend(config_maps(documents, source.path))
        if has_runtimes:
            linter.cluster.training_runtimes.update(training_runtimes(documents))
    if len(configs) == 1:
        linter.cluster.use(configs[0])
    elif len(configs) > 1:
        # Overlays for several clusters, or test data: which cluster the Experiments go to is
        # not in the files, so no guess; the stock configuration applies until the user says.
        names = ", ".join(c.origin for c in configs[:3]) + (", ..." if len(configs) > 3 else "")
        linter.cluster.notices.append(
            f"{len(configs)} different katib-configs found ({names}); checking against Katib's stock "
            "configuration. Name the cluster's with `katib-config` in the configuration or `--katib-config`"
        )
    linter.cluster.template_maps = maps
    linter.cluster.pending = {}


def training_runtimes(documents: list[Document]) -> set[str]:
    """Names of the ClusterTrainingRuntimes among `documents`."""
    names = set()
    for doc in documents:
        root = doc.root
        if isinstance(root, Mapping) and as_str(root.get("kind")) == TRAINING_RUNTIME_KIND:
            meta = mapping(root.get("metadata"))
            name = as_str(meta.get("name")) if meta is not None else None
            if name:
                names.add(name)
    return names


def same_cluster(a: ClusterConfig, b: ClusterConfig) -> bool:
    """Two katib-configs that route the same names the same way (e.g. a file and its rendered copy)."""
    return (a.suggestions, a.early_stoppings, a.collectors, a.trial_resources) == (
        b.suggestions, b.early_stoppings, b.collectors, b.trial_resources
    )


def project_root(settings_path: str | None, files: list[str]) -> str | None:
    """The folder a run's project is: that of its configuration file, else the enclosing git repository."""
    if settings_path:
        return os.path.dirname(os.path.abspath(settings_path))
    first = next((f for f in files if f != "-"), None)
    if first is None:
        return None
    probe = os.path.abspath(first if os.path.isdir(first) else os.path.dirname(first) or ".")
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


_PROJECT_MARKERS = tuple(m.encode() for m in ("ConfigMap", TRAINING_RUNTIME_KIND, *CONFIG_MARKERS, *NAMESPACE_MARKERS))


def project_texts(linter: Linter, files: list[str], linted: set[str]) -> list[tuple[str, bytes]]:
    """The YAML files of the project that may hold what `prepare` looks for, with their bytes
    (`linted`: absolute paths of the files `prepare` has read already, which are not read again)."""
    root = project_root(linter.settings.config_path, files)
    if root is None:
        return []
    found = []
    for path in collect_files([root], linter.settings.exclude, linter.settings.respect_gitignore).files:
        if os.path.abspath(path) in linted:
            continue
        data = _read(path)
        if data is not None and any(marker in data for marker in _PROJECT_MARKERS):
            found.append((path, data))
    return found


def _read(path: str) -> bytes | None:
    """A file's bytes, or None when it cannot be read (the lint of that file says why)."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def namespace_injection(documents: list[Document]) -> dict[str, str]:
    """Namespaces these manifests define: name -> why Istio injects sidecars there, or "" when it does not.

    Istio injects where a namespace is labelled `istio-injection: enabled`, or `istio.io/rev` without
    `istio-injection: disabled`; the Kubeflow profile controller labels every profile's namespace
    `istio-injection: enabled` (kubeflow/kubeflow `components/profile-controller/controllers/profile_controller.go`).
    """
    found: dict[str, str] = {}
    for doc in documents:
        root = doc.root
        if not isinstance(root, Mapping):
            continue
        kind, api = as_str(root.get("kind")), as_str(root.get("apiVersion")) or ""
        meta = mapping(root.get("metadata"))
        name = as_str(meta.get("name")) if meta else None
        if not name or meta is None:
            continue
        if kind == "Profile" and api.startswith("kubeflow.org/"):
            found[name] = f"`{name}` is the namespace of a Kubeflow Profile, which the profile controller labels `istio-injection: enabled`"
        elif kind == "Namespace" and api == "v1":
            labels = mapping(meta.get("labels"))
            injection = as_str(labels.get("istio-injection")) if labels else None
            revision = as_str(labels.get("istio.io/rev")) if labels else None
            if injection == "enabled":
                found[name] = f"its Namespace `{name}` is labelled `istio-injection: enabled`"
            elif revision and injection != "disabled":
                found[name] = f"its Namespace `{name}` is labelled `istio.io/rev: {revision}`"
            else:
                found.setdefault(name, "")
    return found


def for_file(cluster: Cluster, documents: list[Document], source: SourceFile) -> tuple[Cluster, list[ConfigProblem]]:
    """The cluster as one file sees it: the run's, plus a katib-config, Namespaces, runtimes or
    template ConfigMaps in the file itself (and the problems of a katib-config Katib would reject)."""
    text = source.text
    problems: list[ConfigProblem] = []
    changes: dict[str, Any] = {}
    if any(m in text for m in CONFIG_MARKERS):
        configs, problems = scan_configs(documents, source.path)
        if configs and cluster.config is None:
            changes["config"] = configs[0]
    if any("kind: " + m in text for m in NAMESPACE_MARKERS):
        changes["namespaces"] = {**cluster.namespaces, **namespace_injection(documents)}
    if "kind: " + TRAINING_RUNTIME_KIND in text:
        changes["training_runtimes"] = cluster.training_runtimes | training_runtimes(documents)
    if TEMPLATE_MARKER in text and "ConfigMap" in text:
        own = config_maps(documents, source.path)
        changes["template_maps"] = own + [m for m in cluster.template_maps if m.path != source.path]
    return (replace(cluster, **changes) if changes else cluster), problems


def merge_pending(linter: Linter, results: list[FileResult]) -> None:
    """Add findings inside ConfigMap templates to the ConfigMap file's result, through the engine's finish.

    A ConfigMap file that was not among the linted files (found in the repository) gets a result
    of its own: the findings are about its text.
    """
    pending = linter.cluster.pending
    if not pending:
        return
    by_path = {r.path: r for r in results}
    for path, by_experiment in pending.items():
        diags = [d for found in by_experiment.values() for d in found]
        if not diags:
            continue
        result = by_path.get(path)
        if result is None:
            result = linter.lint_path(path, path)
            results.append(result)
        if result.source is None:
            continue
        linter.finish(result, diags)
    pending.clear()

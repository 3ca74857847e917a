"""Shared helpers for the metrics-collector rules: what the injected collector will read.

Katib's pod webhook (`inject_webhook.go`, `utils.go`) wraps the primary container and adds a
sidecar; the file metrics collector (`file-metricscollector.go`) turns lines into metrics with
the `filter.metricsFormat` regexes (group 1 = name, group 2 = value), or with the default one.
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterator, NamedTuple

from katiblint.katib.experiment import Experiment, PodTemplate, as_str, mapping, sequence_items
from katiblint.rules._runtime import collector_kind, effective_primary_pod_labels
from katiblint.yaml import Mapping, Node, Scalar

# Go RE2's `\w` is ASCII; a name the default filter captures whole
DEFAULT_NAME_RE = re.compile(r"[A-Za-z0-9_|-]+")


class Collector(NamedTuple):
    kind: str
    spec: Mapping | None
    source: Mapping | None
    file_path: Mapping | None

    @property
    def formats(self) -> list[tuple[Node, str]]:
        flt = mapping(self.source.get("filter")) if self.source else None
        items = sequence_items(flt.get("metricsFormat")) if flt else []
        return [(n, v) for n, v in ((n, as_str(n)) for n in items) if isinstance(n, Scalar) and v is not None]

    @property
    def file_format(self) -> str:
        fmt = as_str(self.file_path.get("format")) if self.file_path else None
        return fmt or "TEXT"


def collector(exp: Experiment) -> Collector:
    """The Experiment's metrics collector, read once per document for every rule that asks."""
    return exp.memo("collector", lambda: _collector(exp))


def _collector(exp: Experiment) -> Collector:
    spec = mapping(exp.spec_get("metricsCollectorSpec"))
    source = mapping(spec.get("source")) if spec else None
    fsp = mapping(source.get("fileSystemPath")) if source else None
    return Collector(collector_kind(exp), spec, source, fsp)


def metric_names(exp: Experiment) -> list[tuple[Node, str]]:
    """(node, name) of the objective metric and every additional metric."""
    objective = mapping(exp.spec_get("objective"))
    if objective is None:
        return []
    found: list[tuple[Node, str]] = []
    node = objective.get("objectiveMetricName")
    if isinstance(node, Scalar) and as_str(node):
        found.append((node, as_str(node) or ""))
    for item in sequence_items(objective.get("additionalMetricNames")):
        if isinstance(item, Scalar) and as_str(item):
            found.append((item, as_str(item) or ""))
    return found


# Go's regexp/syntax rejects `\C` (any byte); C++ RE2 accepts it.
_BACKSLASH_C_RE = re.compile(r"(?<!\\)(?:\\\\)*\\C")


def compile_re2(pattern: str) -> tuple[object | None, str | None]:
    """Compile like Go's regexp (RE2); (compiled, None) or (None, error). Python `re` as fallback."""
    if _BACKSLASH_C_RE.search(pattern):
        return None, "invalid escape sequence: \\C"
    try:
        import re2  # google-re2: the same engine as Go's regexp
    except ImportError:  # pragma: no cover - depends on the environment
        re2 = None
    if re2 is not None:
        options = re2.Options()
        options.log_errors = False  # keep RE2's own logging off the user's terminal
        try:
            compiled = re2.compile(pattern, options)
        except Exception as error:  # re2.error
            detail = error.args[0] if error.args else ""
            if isinstance(detail, bytes):
                detail = detail.decode("utf-8", "replace")
            return None, str(detail) or "invalid RE2 syntax"
        return compiled, None
    try:
        return re.compile(pattern, re.ASCII), None
    except re.error as error:
        return None, str(error)


def re2_error(pattern: str) -> str | None:
    """Why Go's `regexp.Compile` rejects `pattern`, or None when it compiles."""
    return compile_re2(pattern)[1]


def _outside_classes(pattern: str, start: int) -> Iterator[tuple[int, str]]:
    """(index, character) of `pattern` from `start`, skipping escapes and `[...]` classes (where
    a `]` right after `[` or `[^` is literal, as in RE2)."""
    i, in_class = start, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern.startswith("[]", i) or pattern.startswith("[^]", i):
                i += 2 if pattern[i + 1] == "]" else 3
                continue
        else:
            yield i, c
        i += 1


def first_group(pattern: str) -> str | None:
    """The source text of the first capturing group of `pattern`, or None."""
    for i, c in _outside_classes(pattern, 0):
        if c != "(":
            continue
        start = i + 1
        if pattern.startswith("(?", i):
            named = re.match(r"\(\?P?<([A-Za-z_]\w*)>", pattern[i:])
            if not named:
                continue  # a non-capturing group or a flag
            start = i + named.end()
        end = _group_end(pattern, i)
        return pattern[start:end] if end is not None else None
    return None


def _group_end(pattern: str, open_at: int) -> int | None:
    depth = 0
    for i, c in _outside_classes(pattern, open_at):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def name_matches(pattern: str, name: str) -> bool | None:
    """Can the filter's first group capture exactly `name`? None when that cannot be told."""
    group = first_group(pattern)
    if group is None:
        return None
    try:
        return re.fullmatch(group, name, re.ASCII) is not None
    except re.error:
        return None


def mount_dir(c: Collector) -> tuple[Node, str] | None:
    """(node, directory) where the webhook mounts the metrics emptyDir, for file-based collectors."""
    if c.kind not in ("File", "TensorFlowEvent", "Custom") or c.file_path is None:
        return None
    node = c.file_path.get("path")
    path = as_str(node)
    if node is None or not path or not path.startswith("/"):
        return None
    kind = as_str(c.file_path.get("kind")) or ("Directory" if c.kind == "TensorFlowEvent" else "File")
    # utils.go: a File path mounts its parent directory, a Directory path itself
    directory = posixpath.dirname(path) if kind == "File" else path
    return node, posixpath.normpath(directory) if directory else "/"


_MASTER_ROLES = ("Master", "Chief", "Launcher", "master", "chief", "launcher")


def _role(pod: PodTemplate) -> str | None:
    head, _, role = pod.label.partition(".")
    return role if head.endswith("ReplicaSpecs") and role else None


def _is_primary(pod: PodTemplate, pods: list[PodTemplate], wanted: dict[str, str]) -> bool:
    if not wanted:
        return True
    labels = mapping(pod.metadata.get("labels")) if pod.metadata else None
    own = {k: as_str(v) or "" for k, _, v in labels.items()} if labels else {}
    if all(own.get(k) == v for k, v in wanted.items()):
        return True
    if wanted == {"training.kubeflow.org/job-role": "master"}:
        # the training operators label the master-like replica, else worker 0
        roles = [_role(p) for p in pods]
        if any(r in _MASTER_ROLES for r in roles):
            return _role(pod) in _MASTER_ROLES
        return _role(pod) in ("Worker", "worker")
    return False


def collector_pods(exp: Experiment) -> list[PodTemplate]:
    """The pod templates Katib's pod webhook injects the collector into, as far as the manifest tells.

    inject_webhook.go Mutate: pods that carry every primaryPodLabels entry (isPrimaryPod), all the
    trial's pods when there are none; and the primary container must be in them.
    """
    primary = exp.primary_container_name
    pods = [p for p in exp.pod_templates or [] if any(c.name == primary for c in p.containers)]
    _, wanted = effective_primary_pod_labels(exp)
    return [p for p in pods if _is_primary(p, pods, wanted)]

"""`--diff-base REF`: edits of an applied Experiment that the cluster will refuse.

Katib lets only `parallelTrialCount`, `maxTrialCount` and `maxFailedTrialCount` change on an
existing Experiment (validator.go, `only spec.parallelTrialCount, spec.maxTrialCount and
spec.maxFailedTrialCount are editable`). Each Experiment is compared with its version at the
git revision REF (same file, same name and namespace), after the defaults the webhook applies.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Iterator, Sequence

from katiblint.diagnostics import Diagnostic
from katiblint.engine import FileResult, Linter
from katiblint.errors import KatibLintError
from katiblint.facts import ImmutableChange, MaxTrialsLowered
from katiblint.yaml import Document, Mapping, Node, Sequence as SeqNode, load
from katiblint.katib.experiment import Experiment, as_str, is_experiment
from katiblint.registry import discover, parent_key
from katiblint.source import SourceFile, decode

EDITABLE = ("parallelTrialCount", "maxTrialCount", "maxFailedTrialCount")
IMMUTABLE_CHANGE = "KAT062"
MAX_TRIALS_LOWERED = "KAT063"
_MAX_PER_EXPERIMENT = 20


def check_ref(ref: str, cwd: str = ".") -> None:
    """Fail early, with a clear message, when REF is not a revision of this repository."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            cwd=cwd, capture_output=True, text=True, check=False,
        )
    except OSError as exc:
        raise KatibLintError(f"--diff-base needs git: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise KatibLintError(f"--diff-base: `{ref}` is not a git revision here")


def old_text(path: str, ref: str) -> bytes | None:
    """The file's content at REF, or None when it did not exist there (a new Experiment)."""
    file = Path(path)
    folder = file.parent if str(file.parent) else Path(".")
    try:
        proc = subprocess.run(
            ["git", "show", f"{ref}:./{file.name}"], cwd=folder, capture_output=True, check=False
        )
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def _key(exp: Experiment) -> tuple[str, str] | None:
    name = exp.name
    return None if name is None else (exp.namespace or "", name)


def _normalise(spec: dict[str, Any]) -> dict[str, Any]:
    """The webhook compares defaulted objects: apply the defaults a plain manifest relies on."""
    spec = dict(spec)
    spec.setdefault("resumePolicy", "Never")
    if spec.get("resumePolicy") in ("", None):
        spec["resumePolicy"] = "Never"
    return spec


def _differences(old: Any, new: Node | None, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Node | None]]:
    """Paths (below spec) whose values differ, with the new node there (None if removed)."""
    value = new.to_python() if new is not None else None
    if old == value:
        return
    if isinstance(old, dict) and isinstance(new, Mapping):
        for key in list(old) + [k for k in new.keys() if k not in old]:
            yield from _differences(old.get(key), new.get(key), path + (key,))
        return
    if isinstance(old, list) and isinstance(new, SeqNode) and len(old) == len(new.items):
        for i, (o, n) in enumerate(zip(old, new.items)):
            yield from _differences(o, n, path + (i,))
        return
    yield path, new


def _dotted(path: tuple[str | int, ...]) -> str:
    out = "spec"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def compare(new_doc: Document, old_docs: Sequence[Document]) -> Iterator[Diagnostic]:
    exp = Experiment(new_doc)
    key = _key(exp)
    if key is None or exp.spec is None:
        return
    old_exp = next((Experiment(d) for d in old_docs if is_experiment(d) and _key(Experiment(d)) == key), None)
    if old_exp is None or old_exp.spec is None:
        return
    rules = discover()
    old_spec = _normalise(old_exp.spec.to_python())
    new_spec_py = _normalise(exp.spec.to_python())
    changed = [k for k in set(old_spec) | set(new_spec_py) if k not in EDITABLE and old_spec.get(k) != new_spec_py.get(k)]
    count = 0
    for top in sorted(changed, key=lambda k: _line_of(exp, k)):
        for path, node in _differences(old_spec.get(top), exp.spec.get(top), (top,)):
            if count >= _MAX_PER_EXPERIMENT:
                return
            count += 1
            target = node if node is not None else _nearest(exp, path)
            what = "removed" if node is None else ("added" if _old_missing(old_spec, path) else "changed")
            rule = rules[IMMUTABLE_CHANGE]
            message, help = rule.describe(ImmutableChange(_dotted(path), what, key[1]))
            at = target if node is None or not isinstance(node, (Mapping, SeqNode)) else parent_key(node)
            yield rule.report(at, message, help=help, path=_dotted(path))
    old_max = old_spec.get("maxTrialCount")
    new_max_node = exp.spec.get("maxTrialCount")
    new_max = new_max_node.to_python() if new_max_node is not None else None
    if isinstance(old_max, int) and isinstance(new_max, int) and new_max < old_max:
        rule = rules[MAX_TRIALS_LOWERED]
        message, help = rule.describe(MaxTrialsLowered(old_max, new_max, key[1]))
        yield rule.report(new_max_node, message, help=help)  # type: ignore[arg-type]  # present: its value is an int


def _line_of(exp: Experiment, key: str) -> int:
    node = exp.spec.get(key) if exp.spec else None
    return node.span.start if node is not None else 1 << 30


def _old_missing(old: Any, path: tuple[str | int, ...]) -> bool:
    for part in path:
        if isinstance(old, dict) and isinstance(part, str) and part in old:
            old = old[part]
        elif isinstance(old, list) and isinstance(part, int) and part < len(old):
            old = old[part]
        else:
            return True
    return False


def _nearest(exp: Experiment, path: tuple[str | int, ...]) -> Node:
    node: Node = exp.spec  # type: ignore[assignment]  # compared Experiments have a spec
    for part in path:
        child = None
        if isinstance(node, Mapping) and isinstance(part, str):
            child = node.get(part)
        elif isinstance(node, SeqNode) and isinstance(part, int) and part < len(node.items):
            child = node.items[part]
        if child is None:
            return parent_key(node)
        node = child
    return parent_key(node)


def apply(linter: Linter, results: Sequence[FileResult], ref: str) -> None:
    """Add immutable-change findings to every linted file that existed at REF."""
    if not {IMMUTABLE_CHANGE, MAX_TRIALS_LOWERED} & linter.enabled:
        return
    check_ref(ref)
    for result in results:
        if result.source is None or result.path == "-" or not result.experiments:
            continue
        data = old_text(result.path, ref)
        if data is None:
            continue
        old_source, _, _ = decode(data, result.path)
        if old_source is None:
            continue
        added = changes(result, old_source)
        if added:
            linter.finish(result, added)  # selection, suppression, severity and order, as for any finding


def changes(result: FileResult, old_source: SourceFile) -> list[Diagnostic]:
    """The refused edits of every v1beta1 Experiment of `result` against its version in `old_source`.

    Shared by `--diff-base` (the file at a git revision) and the admission webhook (`oldObject`).
    """
    old_docs = [d for d in load(old_source).documents if d.root is not None]
    added = []
    for doc in result.documents:
        root = doc.root
        if not isinstance(root, Mapping) or not is_experiment(doc) or as_str(root.get("apiVersion")) != "kubeflow.org/v1beta1":
            continue
        for diag in compare(doc, old_docs):
            diag.document, diag.object_name = doc.index, Experiment(doc).name
            added.append(diag)
    return added

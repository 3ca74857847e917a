"""Placeholders that a script or tool substitutes before the Experiment is applied.

`envsubst` (`${NAME}`, `$NAME`), mustache-style generators (`{{ IMAGE }}`) and `sed` scripts
(`EXPERIMENT_NAME`) leave tokens where values belong. Such a document is a template: the rules
must not report the tokens themselves (a name `${NAME}` is not a bad name) nor rename them; KAT040
says once per document that it is unrendered. Helm's Go template actions are KAT040's own findings.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping, Node, Scalar
from katiblint.katib.experiment import Experiment, walk
from katiblint.source import Span

# `${VAR}` / `$VAR` (envsubst), not Katib's `${trialParameters.x}` / `${trialSpec.X}`
_ENV = re.compile(r"\$\{(?!trialParameters\.|trialSpec\.)[A-Za-z_][A-Za-z0-9_]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$")
_MUSTACHE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# A whole value such as `EXPERIMENT_NAME`: upper case with an underscore, where no real value is
_SCRIPT_TOKEN = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
# Where a script token can stand: names, namespaces, images (never valid in upper case)
_TOKEN_FIELDS = ("metadata.name", "metadata.namespace")
# What any token above contains, searched in the document's text before any node is visited.
# Each pattern starts with a literal character, which `re` finds at C speed; a pattern starting
# with a class or `\b` is tried at every position, 100 times slower on a typical Experiment.
_MAYBE_ENV = re.compile(r"\$(?!\{(?:trialParameters|trialSpec)\.)[{A-Za-z_]")
_MAYBE_SCRIPT = re.compile(r"_(?<=[A-Z0-9]_)[A-Z0-9]")
# Shell text, where `${VAR}` is the shell's own expansion
_SHELL_PARTS = re.compile(r"\.(command|args|script|source)\b|\.env\[\d+\]\.value$")


class Token(NamedTuple):
    node: Node
    text: str


def _is_shell(path: str) -> bool:
    return bool(_SHELL_PARTS.search(path))


def unrendered_tokens(exp: Experiment) -> list[Token]:
    """Unrendered placeholders among the Experiment's values, in document order."""
    return exp.memo("unrendered_tokens", lambda: _scan(exp))


def _scan(exp: Experiment) -> list[Token]:
    found: list[Token] = []
    text = exp.source.text
    start, end = exp.root.span
    maybe = (
        text.find("{{", start, end) >= 0
        or _MAYBE_ENV.search(text, start, end) is not None
        or _MAYBE_SCRIPT.search(text, start, end) is not None
    )
    if not maybe:
        return found  # most documents: nothing that could be a placeholder
    trial_spec = exp.trial_spec
    kind = trial_spec.get("kind") if trial_spec is not None else None
    argo = isinstance(kind, Scalar) and kind.raw == "Workflow"
    for node in walk(exp.root, keys=False):  # mapping keys are not values
        if isinstance(node, Mapping) and text.startswith("{{", node.span.start):
            # `image: {{IMAGE}}` parses as a flow mapping holding a flow mapping
            match = _MUSTACHE.match(text, node.span.start, node.span.end)
            if match is not None and not (argo and not match.group(1).isupper()):
                found.append(Token(node, match.group(0)))
            continue
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            continue
        value = node.value
        env = _ENV.search(value) if "$" in value else None
        mustache = _MUSTACHE.search(value) if "{{" in value else None
        if mustache is not None and argo and not mustache.group(1).isupper():
            mustache = None  # Argo's own `{{item}}`
        match = env or mustache
        if match is not None:
            if not _is_shell(node.path or ""):
                found.append(Token(node, match.group(0)))
        elif _SCRIPT_TOKEN.match(value):
            path = node.path or ""
            if path.endswith(_TOKEN_FIELDS) or path.endswith(".image"):
                found.append(Token(node, value))
    found.sort(key=lambda t: t.node.span.start)
    return found


def _token_spans(exp: Experiment) -> list[Span]:
    spans: list[Span] = []
    for token in unrendered_tokens(exp):
        spans.append(token.node.span)
        parent = token.node.parent
        if isinstance(parent, Mapping) and isinstance(token.node.key, str):
            key = parent.key_node(token.node.key)
            if key is not None:
                spans.append(key.span)
    return spans


def _within(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def drop_findings_on_tokens(exp: Experiment, diags: list[Diagnostic], keep: tuple[str, ...]) -> list[Diagnostic]:
    """Findings of other rules on unrendered tokens go; fixes that would edit a token are dropped."""
    spans = _token_spans(exp) if unrendered_tokens(exp) else []
    if not spans:
        return diags
    kept = []
    for diag in diags:
        if diag.code not in keep and any(_within(diag.span, s) for s in spans):
            continue
        if diag.fix is not None and any(_within(e.span, s) for e in diag.fix.edits for s in spans):
            diag.fix = None  # a rename of a placeholder would destroy the template
        kept.append(diag)
    return kept

"""YAML loading: one pass over libyaml's events (ruamel.yaml.clib) into the node tree of `nodes`.

Each event's start and end marks become a node's `Span`; plain scalars resolve the way Kubernetes
does (`scalars`); merge keys are applied, shared (aliased) nodes are walked once and excessive
aliasing or depth is refused. Problems found while loading (syntax errors, duplicate keys, odd
tags) are recorded as `LoadProblem` facts, never raised; the rules word them.
"""

from __future__ import annotations

import re
from typing import Any

from katiblint.source import SourceFile, Span
from katiblint.yaml.nodes import (
    DuplicateFact,
    Document,
    LoadProblem,
    LoadResult,
    Mapping,
    Node,
    Scalar,
    SelfAlias,
    Sequence,
    SyntaxFact,
    TagFact,
    TemplateActions,
    TooDeep,
    TooManyAliases,
    UndefinedAlias,
    key_text,
)
from katiblint.yaml.scalars import _KNOWN_TAGS, _STD_TAG, resolve_plain

# Codes of the engine rules that loading can produce (their docs live in rules/).
SYNTAX_ERROR = "KAT001"
DUPLICATE_KEY = "KAT002"
UNEXPECTED_TAG = "KAT007"
EXCESSIVE_ALIASING = "KAT009"
UNRENDERED_TEMPLATE = "KAT040"

# A Go template action as Helm writes them (`{{ .Values.x }}`, `{{- if ... }}`, `{{ include ... }}`),
# not Argo Workflows' `{{inputs.parameters.x}}` / `{{=expr}}` which are legitimate trial text.
GO_TEMPLATE_ACTION = re.compile(
    r"\{\{-?\s*(?:\.|\$|/\*|(?:if|else|end|range|with|define|template|include|block|toYaml|toJson|quote|squote"
    r"|default|printf|print|tpl|required|lookup|nindent|indent|trim|upper|lower|b64enc|fromYaml)\b)[^\n]*?\}\}"
)

MAX_DEPTH = 300
MAX_EXPANDED_NODES = 250_000


def has_c_parser() -> bool:
    """Whether libyaml's C parser (ruamel.yaml.clib) is installed; without it, the pure-Python
    parser of ruamel.yaml emits the same events, several times slower."""
    import importlib.util

    return importlib.util.find_spec("_ruamel_yaml") is not None


def _make_loader() -> Any:
    if not has_c_parser():
        return _pure_loader()
    from _ruamel_yaml import CParser

    class _Loader(CParser):  # type: ignore[misc]  # CParser is an untyped C extension class
        """libyaml's parser with resolution switched off: katiblint resolves scalars itself."""

        def descend_resolver(self, *args: Any) -> None:
            return None

        def ascend_resolver(self, *args: Any) -> None:
            return None

        def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
            return None

    return _Loader


def _pure_loader() -> Any:
    """ruamel.yaml's pure-Python parser (its composer is never called), held to libyaml's rules."""
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.events import ScalarEvent
    from ruamel.yaml.loader import SafeLoader

    surrogates = re.compile("[\ud800-\udfff]")

    class _PureLoader(SafeLoader):
        def get_event(self) -> Any:
            event = super().get_event()
            # libyaml refuses escapes of UTF-16 surrogates, which are no characters; this parser keeps them
            if type(event) is ScalarEvent and surrogates.search(event.value):
                raise MarkedYAMLError(
                    "while parsing a quoted scalar", None, "found invalid Unicode character escape code", event.start_mark
                )
            return event

    return _PureLoader


_LOADER: Any = None
_EVENTS: Any = None


def _event_types() -> Any:
    from ruamel.yaml import events

    return events


class _Stop(Exception):
    """Loading stops here: what was built so far is kept, `problem` says why the rest is not."""

    def __init__(self, problem: LoadProblem, in_document: bool) -> None:
        self.problem = problem
        self.in_document = in_document  # True: the document is kept, without a root, with the problem


class _Frame:
    """An open collection while its events arrive (an explicit stack: no recursion, any depth)."""

    __slots__ = ("node", "key", "merges")

    def __init__(self, node: Mapping | Sequence) -> None:
        self.node = node
        self.key: Node | None = None  # a mapping's key waiting for its value
        self.merges: list[Node] | None = None


_MERGE_TAG = _STD_TAG + "merge"
# How plain mapping keys resolve, kept across documents: Kubernetes manifests reuse a small
# vocabulary of keys (`name`, `spec`, ...), so most keys are resolved once per run. Bounded.
_KEYS: dict[str, tuple[str, Any]] = {}
_MAX_KEYS = 20_000
_new_span = tuple.__new__  # Span(start, end) without the named tuple's Python-level __new__


class _Builder:
    """Builds one document's positioned nodes straight from libyaml's events.

    libyaml's own composer recurses in C (a few thousand levels of `[` crash the process) and
    its scanner slows down quadratically with flow depth, so nesting is counted here and
    parsing stops as soon as a document goes deeper than MAX_DEPTH.

    This loop runs once per YAML node of every linted file, so it is written for speed: one
    pass per event, attachment inlined, plain mapping keys resolved in place.
    """

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.anchors: dict[str, Node] = {}
        self.stack: list[_Frame] = []
        self.aliased = 0  # nodes that expanding the aliases so far would add
        self.root: Node | None = None
        self.collections = doc.collections

    def run(self, get_event: Any, ev: Any) -> Any:
        """Consume events up to this document's end; returns the DocumentEndEvent."""
        scalar_t, alias_t = ev.ScalarEvent, ev.AliasEvent
        map_t, seq_t = ev.MappingStartEvent, ev.SequenceStartEvent
        map_end_t, seq_end_t = ev.MappingEndEvent, ev.SequenceEndEvent
        stack = self.stack
        anchors = self.anchors
        built = self.collections
        known_tags = _KNOWN_TAGS
        created = 0
        node: Node
        while True:
            event = get_event()
            etype = type(event)
            if etype is scalar_t:
                start = event.start_mark.index
                tag = event.ctag  # `.tag` is a property that only str()s this
                if tag is not None:
                    tag = str(tag)
                    if tag not in known_tags:
                        tag = self._tag(tag, start)
                node = Scalar(_new_span(Span, (start, event.end_mark.index)), tag, event.value, event.style)
                created += 1
                if event.anchor is not None:
                    anchors[event.anchor] = node
            elif etype is map_end_t or etype is seq_end_t:
                frame = stack.pop()
                node = frame.node
                node.span = _new_span(Span, (node.span.start, event.end_mark.index))
                if frame.merges:
                    self.doc.shared = True
                    _apply_merges(node, frame.merges)  # type: ignore[arg-type]  # merges are only recorded on mappings
            elif etype is map_t or etype is seq_t:
                start = event.start_mark.index
                if len(stack) >= MAX_DEPTH:
                    raise _Stop(LoadProblem(EXCESSIVE_ALIASING, Span(start, start + 1), TooDeep(MAX_DEPTH)), in_document=True)
                tag = event.ctag
                if tag is not None:
                    tag = str(tag)
                    if tag not in known_tags:
                        tag = self._tag(tag, start)
                span = _new_span(Span, (start, start))
                collection: Mapping | Sequence = Mapping(span, tag) if etype is map_t else Sequence(span, tag)
                built.append(collection)
                created += 1
                if event.anchor is not None:
                    anchors[event.anchor] = collection
                stack.append(_Frame(collection))
                continue
            elif etype is alias_t:
                node = self._alias(event, created)
            else:  # DocumentEndEvent
                return event
            # Attach the finished node to the open collection.
            if not stack:
                self.root = node
                continue
            frame = stack[-1]
            parent = frame.node
            if parent.__class__ is Sequence:
                if node.parent is None:
                    node.parent, node.key = parent, len(parent.items)
                parent.items.append(node)
                continue
            knode = frame.key
            if knode is None:
                frame.key = node
                continue
            frame.key = None
            if knode.__class__ is Scalar and knode.style is None:
                raw = knode.raw
                if raw == "<<" and (knode.tag is None or knode.tag == _MERGE_TAG):
                    if frame.merges is None:
                        frame.merges = []
                    frame.merges.append(node)
                    continue
                if knode.tag is None:
                    resolved = _KEYS.get(raw)
                    if resolved is None:
                        resolved = resolve_plain(raw)
                        if len(_KEYS) < _MAX_KEYS:
                            _KEYS[raw] = resolved
                    knode._resolved = resolved
                    key = raw if resolved[0] == "str" else key_text(knode)
                else:
                    key = key_text(knode)
            else:
                key = key_text(knode)
            index = parent._index  # type: ignore[union-attr]  # not a Sequence, so a Mapping: the only other frame kind
            if key in index:
                self._duplicate(index[key][0], knode, key)
            if knode.parent is None:
                knode.parent, knode.key = parent, key
            if node.parent is None:
                node.parent, node.key = parent, key
            pair = (knode, node)
            index[key] = pair
            parent.pairs.append(pair)  # type: ignore[union-attr]  # a Mapping (see above)

    def _tag(self, tag: str, start: int) -> str | None:
        # Tags are never constructed: an unknown one is reported and its value read as plain data.
        self.doc.problems.append(LoadProblem(UNEXPECTED_TAG, Span(start, start + 1), TagFact(tag.replace(_STD_TAG, "!!"))))
        return None

    def _duplicate(self, first: Node, knode: Node, key: str) -> None:
        line = self.doc.source.position(first.span.start)[0] + 1
        self.doc.problems.append(LoadProblem(DUPLICATE_KEY, knode.span, DuplicateFact(key, line)))

    def _alias(self, event: Any, created: int) -> Node:
        self.doc.shared = True
        start = event.start_mark.index
        known = self.anchors.get(event.anchor)
        if known is None:
            raise _Stop(LoadProblem(SYNTAX_ERROR, Span(start, start + 1), UndefinedAlias(event.anchor)), in_document=False)
        if any(frame.node is known for frame in self.stack):
            # go-yaml (kubectl) refuses it: "anchor '...' value contains itself"
            raise _Stop(LoadProblem(SYNTAX_ERROR, Span(start, start + 1), SelfAlias(event.anchor)), in_document=False)
        # Count what a naive expansion would cost; refuse alias bombs ("billion laughs").
        self.aliased += _weight(known)
        if created + self.aliased > MAX_EXPANDED_NODES:
            raise _TooManyAliases(known.span)
        return known


def release(documents: list[Document]) -> None:
    """Empty every collection of these documents once nothing will read their nodes again.

    A node tree is full of reference cycles (each node knows its parent), so a dropped tree
    waits for the cycle collector, which then traverses every node of it. Emptied collections
    leave no cycle: the nodes are freed at once by reference counting, and a run over many files
    costs no collector passes over them.
    """
    for doc in documents:
        for node in doc.collections:
            if node.__class__ is Mapping:
                node.pairs.clear()
                node._index.clear()
                node._entries = None
            else:
                node.items.clear()  # type: ignore[attr-defined]  # a Sequence: the other collection kind
        doc.collections.clear()
        doc.root = None


def _apply_merges(mapping: Mapping, merges: list[Node]) -> None:
    """`<<: *base` / `<<: [*a, *b]`: keys of the mapping win, then earlier merge sources."""
    for merge in merges:
        sources = merge.items if isinstance(merge, Sequence) else [merge]
        for source in sources:
            if not isinstance(source, Mapping):
                continue
            for key, knode, vnode in source.items():
                if key not in mapping._index:
                    mapping._index[key] = (knode, vnode)
                    mapping.pairs.append((knode, vnode))


class _TooManyAliases(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


def _weight(node: Node) -> int:
    """How many nodes an expansion of `node` would produce (bounded, shared nodes counted)."""
    total = 0
    stack = [node]
    while stack and total <= MAX_EXPANDED_NODES:
        current = stack.pop()
        total += 1
        if isinstance(current, Mapping):
            for k, v in current.pairs:
                stack.append(v)
        elif isinstance(current, Sequence):
            stack.extend(current.items)
    return total


def _skip_document(get_event: Any, ev: Any) -> Any:
    """Consume the rest of a document whose nodes are not kept (after an alias bomb)."""
    while True:
        event = get_event()
        if type(event) is ev.DocumentEndEvent:
            return event


_DOC_MARKER_RE = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.M)
_BLANK_RE = re.compile(r"[^\n]")


def load(source: SourceFile) -> LoadResult:
    """Parse every document of a source; problems are reported, never raised."""
    global _LOADER, _EVENTS
    if _LOADER is None:
        _LOADER = _make_loader()
        _EVENTS = _event_types()
    problems: list[LoadProblem] = []
    documents: list[Document] = []
    text = source.text
    resume = _parse(source, text, documents, problems)
    while resume is not None:
        # A too-deep document stops libyaml (whose scanner slows down quadratically with depth);
        # the next document marker at column 0 starts afresh, with the text before it blanked so
        # that offsets stay those of the file.
        marker = _DOC_MARKER_RE.search(text, resume)
        if marker is None:
            break
        head = text[: marker.start()]
        resume = _parse(source, _BLANK_RE.sub(" ", head) + text[marker.start() :], documents, problems)
    if problems and "{{" in text:
        action = GO_TEMPLATE_ACTION.search(text)
        if action is not None:
            problems.append(LoadProblem(UNRENDERED_TEMPLATE, Span(action.start(), action.end()), TemplateActions(action.group(0))))
    return LoadResult(documents, problems)


def _parse(source: SourceFile, text: str, documents: list[Document], problems: list[LoadProblem]) -> int | None:
    """Parse documents of `text` into `documents`; the offset to resume from after a too-deep one."""
    ev = _EVENTS
    doc: Document | None = None
    parser: Any = None
    try:
        parser = _LOADER(text)  # the pure-Python reader checks the characters here
        get_event = parser.get_event
        get_event()  # StreamStartEvent
        while True:
            event = get_event()
            if type(event) is not ev.DocumentStartEvent:  # StreamEndEvent
                break
            start = event.start_mark.index
            doc = Document(source, len(documents), None, Span(start, start))
            builder = _Builder(doc)
            try:
                end_event = builder.run(get_event, ev)
                doc.root = builder.root
            except _TooManyAliases as exc:
                doc.problems.append(
                    LoadProblem(EXCESSIVE_ALIASING, Span(exc.span.start, exc.span.start + 1), TooManyAliases(MAX_EXPANDED_NODES))
                )
                end_event = _skip_document(get_event, ev)
            root = doc.root
            doc.span = root.span if root is not None else Span(start, end_event.end_mark.index)
            documents.append(doc)
            doc = None
    except _Stop as stop:
        if stop.in_document and doc is not None:
            doc.root = None
            doc.problems.append(stop.problem)
            documents.append(doc)
            return stop.problem.span.end
        problems.append(stop.problem)  # like a syntax error: the document is dropped
        if doc is not None:
            release([doc])
    except Exception as exc:  # libyaml's scanner and parser errors
        problems.append(_syntax_problem(exc, source.text))
        if doc is not None:
            release([doc])  # the part built before the error
    finally:
        try:
            if parser is not None:
                parser.dispose()
        except Exception:
            pass
    return None


_UNACCEPTABLE_RE = re.compile(r"unacceptable character #x([0-9a-fA-F]+)")


def _syntax_problem(exc: Exception, text: str) -> LoadProblem:
    """libyaml's scanner or parser error as a fact, at the character it is about."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    if not problem:
        lines = str(exc).strip().splitlines()
        problem = lines[0] if lines else "invalid YAML"
    if mark is not None:
        offset = min(getattr(mark, "index", 0) or 0, len(text))
    else:
        offset = getattr(exc, "position", 0) or 0
    control_match = _UNACCEPTABLE_RE.search(problem)
    control = int(control_match.group(1), 16) if control_match is not None else None
    if control is not None:
        # The reader stops at the first such character, but its mark can be a few columns off.
        first = text.find(chr(control))
        offset = first if first >= 0 else offset
    at_tab = offset < len(text) and text[offset] == "\t"
    fact = SyntaxFact(problem, getattr(exc, "context", None), control, at_tab, "{{" in text)
    return LoadProblem(SYNTAX_ERROR, Span(offset, offset + 1), fact)

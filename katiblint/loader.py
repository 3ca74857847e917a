"""YAML loading: libyaml's C composer, then a small positioned node tree.

The C composer (ruamel.yaml.clib) builds nodes with start and end marks; this module turns
them into `Scalar`, `Mapping` and `Sequence` nodes that keep a `Span` each, resolve plain
scalars the way Kubernetes does (YAML 1.1, as go-yaml v2 in `kubectl`), apply merge keys,
walk shared (aliased) nodes once and refuse excessive aliasing. Problems found while loading
(syntax errors, duplicate keys, odd tags) are returned as `LoadProblem`s, never raised.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

from katiblint.source import SourceFile, Span

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

_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_TRUE = frozenset(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"])
_FALSE = frozenset(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"])
_INT_RE = re.compile(r"[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[1-9][0-9_]*|0)$")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF_RE = re.compile(r"[-+]?\.(?:inf|Inf|INF)$")
_NAN_RE = re.compile(r"\.(?:nan|NaN|NAN)$")
_STD_TAG = "tag:yaml.org,2002:"
_KNOWN_TAGS = frozenset(
    _STD_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "merge", "binary", "timestamp")
)


def resolve_plain(raw: str) -> tuple[str, Any]:
    """Resolve a plain scalar as go-yaml v2 does: (kind, value), kind in str/int/float/bool/null."""
    if raw in _NULLS:
        return "null", None
    first = raw[0]
    if first in "yYnNtTfFoO":
        if raw in _TRUE:
            return "bool", True
        if raw in _FALSE:
            return "bool", False
        return "str", raw
    if first in "0123456789+-.":
        if _INT_RE.match(raw):
            text = raw.replace("_", "")
            sign = -1 if text.startswith("-") else 1
            digits = text.lstrip("+-")
            try:
                if digits.startswith("0b"):
                    return "int", sign * int(digits[2:], 2)
                if digits.startswith("0x"):
                    return "int", sign * int(digits[2:], 16)
                if digits.startswith("0o"):
                    return "int", sign * int(digits[2:], 8)
                if len(digits) > 1 and digits.startswith("0"):
                    return "int", sign * int(digits[1:], 8)
                return "int", sign * int(digits)
            except ValueError:
                return "str", raw
        if _FLOAT_RE.match(raw):
            try:
                return "float", float(raw.replace("_", ""))
            except ValueError:
                return "str", raw
        if _INF_RE.match(raw):
            return "float", -math.inf if raw.startswith("-") else math.inf
        if _NAN_RE.match(raw):
            return "float", math.nan
    return "str", raw


class Node:
    """A positioned YAML node. `key` is this node's key (str) or index (int) in its parent.

    Each subclass sets these fields in its own `__init__` (one call per node, not two).
    """

    __slots__ = ("span", "tag", "parent", "key")

    span: Span
    tag: str | None
    parent: Mapping | Sequence | None
    key: str | int | None

    @property
    def path(self) -> str:
        """The Kubernetes-style field path, e.g. `spec.trialTemplate.trialParameters[1].name`."""
        parts: list[str] = []
        node: Node | None = self
        while node is not None and node.key is not None:
            key = node.key
            if isinstance(key, int):
                parts.append(f"[{key}]")
            elif _SIMPLE_KEY.match(key):
                parts.append("." + key)
            else:
                parts.append(f"[{key}]")
            node = node.parent
        return "".join(reversed(parts)).lstrip(".")

    @property
    def kind(self) -> str:
        raise NotImplementedError

    def to_python(self) -> Any:
        raise NotImplementedError


_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*$")


class Scalar(Node):
    __slots__ = ("raw", "style", "_resolved")

    def __init__(self, span: Span, tag: str | None, raw: str, style: str | None) -> None:
        self.span = span
        self.tag = tag
        self.parent: Mapping | Sequence | None = None
        self.key: str | int | None = None
        self.raw = raw
        self.style = style or None
        self._resolved: tuple[str, Any] | None = None

    def _resolve(self) -> tuple[str, Any]:
        if self._resolved is None:
            tag = self.tag
            if tag is not None and tag.startswith(_STD_TAG) and tag != _STD_TAG + "str":
                kind, value = resolve_plain(self.raw)
                wanted = tag[len(_STD_TAG) :]
                self._resolved = (kind, value) if kind == wanted else ("str", self.raw)
            elif self.style is None and tag is None:
                self._resolved = resolve_plain(self.raw)
            else:
                self._resolved = ("str", self.raw)
        return self._resolved

    @property
    def kind(self) -> str:
        """`str`, `int`, `float`, `bool` or `null`, as the value reaches the Kubernetes API."""
        return self._resolve()[0]

    @property
    def value(self) -> Any:
        return self._resolve()[1]

    @property
    def is_str(self) -> bool:
        return self._resolve()[0] == "str"

    @property
    def quoted(self) -> bool:
        return self.style in ("'", '"')

    def to_python(self) -> Any:
        return self._resolve()[1]

    def __repr__(self) -> str:
        return f"Scalar({self.raw!r})"


class Mapping(Node):
    __slots__ = ("pairs", "_index", "_entries")

    def __init__(self, span: Span, tag: str | None) -> None:
        self.span = span
        self.tag = tag
        self.parent: Mapping | Sequence | None = None
        self.key: str | int | None = None
        self.pairs: list[tuple[Node, Node]] = []
        self._index: dict[str, int] = {}
        self._entries: list[tuple[str, Node, Node]] | None = None

    @property
    def kind(self) -> str:
        return "map"

    def get(self, key: str) -> Node | None:
        i = self._index.get(key)
        return None if i is None else self.pairs[i][1]

    def key_node(self, key: str) -> Node | None:
        i = self._index.get(key)
        return None if i is None else self.pairs[i][0]

    def __contains__(self, key: str) -> bool:
        return key in self._index

    def keys(self) -> list[str]:
        return list(self._index)

    def items(self) -> list[tuple[str, Node, Node]]:
        """Effective entries (the last of duplicate keys wins), in document order.

        Made on first use, once the mapping is complete, and shared by every later caller.
        """
        entries = self._entries
        if entries is None:
            pairs = self.pairs
            entries = self._entries = [(key, *pairs[i]) for key, i in self._index.items()]  # type: ignore[misc]
        return entries

    def to_python(self) -> dict[str, Any]:
        return {key: v.to_python() for key, _, v in self.items()}

    def __repr__(self) -> str:
        return f"Mapping({self.keys()!r})"


class Sequence(Node):
    __slots__ = ("items",)

    def __init__(self, span: Span, tag: str | None) -> None:
        self.span = span
        self.tag = tag
        self.parent: Mapping | Sequence | None = None
        self.key: str | int | None = None
        self.items: list[Node] = []

    @property
    def kind(self) -> str:
        return "seq"

    def to_python(self) -> list[Any]:
        return [v.to_python() for v in self.items]

    def __repr__(self) -> str:
        return f"Sequence(len={len(self.items)})"


def key_text(node: Node) -> str:
    """The JSON key a YAML key becomes (non-string keys are stringified as Kubernetes does)."""
    if isinstance(node, Scalar):
        value = node.value
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value) if not isinstance(value, str) else value
    return "<complex key>"


# What the loader found wrong, as facts; the rule of each code words the finding (`Rule.describe`).
class SyntaxFact(NamedTuple):
    problem: str  # libyaml's words
    context: str | None
    control: int | None  # the code point of a control character YAML forbids, if that is the problem
    at_tab: bool  # the error points at a tab
    template: bool  # the text holds `{{`: likely an unrendered Helm or Go template


class UndefinedAlias(NamedTuple):
    anchor: str


class SelfAlias(NamedTuple):
    anchor: str


class DuplicateFact(NamedTuple):
    key: str
    first_line: int  # 1-based


class TagFact(NamedTuple):
    tag: str  # as written, `!!` for the standard prefix


class TooDeep(NamedTuple):
    limit: int


class TooManyAliases(NamedTuple):
    limit: int


class TemplateActions(NamedTuple):
    action: str  # the first Go template action


Fact = Union[SyntaxFact, UndefinedAlias, SelfAlias, DuplicateFact, TagFact, TooDeep, TooManyAliases, TemplateActions]


class LoadProblem(NamedTuple):
    code: str
    span: Span
    fact: Fact


@dataclass(slots=True)
class Document:
    """One YAML document of a stream: its root node (None if empty) and its index."""

    source: SourceFile
    index: int
    root: Node | None
    span: Span
    problems: list[LoadProblem] = field(default_factory=list)
    # Every mapping and sequence built for this document (for `release`).
    collections: list[Node] = field(default_factory=list, repr=False)

    def find(self, path: str) -> Node | None:
        """The node at a Kubernetes-style path (`spec.parameters[0].name`), if any."""
        node = self.root
        for part in _split_path(path):
            if isinstance(part, int):
                node = node.items[part] if isinstance(node, Sequence) and part < len(node.items) else None
            else:
                node = node.get(part) if isinstance(node, Mapping) else None
            if node is None:
                return None
        return node


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[([^\]]*)\]", path):
        if name:
            parts.append(name)
        elif index.isdigit():
            parts.append(int(index))
        else:
            parts.append(index)
    return parts


@dataclass(slots=True)
class LoadResult:
    documents: list[Document]
    problems: list[LoadProblem]


def _make_loader() -> Any:
    from _ruamel_yaml import CParser

    class _Loader(CParser):  # type: ignore[misc, valid-type]
        """libyaml's parser with resolution switched off: katiblint resolves scalars itself."""

        def descend_resolver(self, *args: Any) -> None:
            return None

        def ascend_resolver(self, *args: Any) -> None:
            return None

        def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
            return None

    return _Loader


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
                    _apply_merges(node, frame.merges)  # type: ignore[arg-type]
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
                    node.parent, node.key = parent, len(parent.items)  # type: ignore[union-attr]
                parent.items.append(node)  # type: ignore[union-attr]
                continue
            knode = frame.key
            if knode is None:
                frame.key = node
                continue
            frame.key = None
            if knode.__class__ is Scalar and knode.style is None:  # type: ignore[attr-defined]
                raw = knode.raw  # type: ignore[attr-defined]
                if raw == "<<" and (knode.tag is None or knode.tag == _MERGE_TAG):
                    if frame.merges is None:
                        frame.merges = []
                    frame.merges.append(node)
                    continue
                if knode.tag is None:
                    resolved = knode._resolved = resolve_plain(raw)  # type: ignore[attr-defined]
                    key = raw if resolved[0] == "str" else key_text(knode)
                else:
                    key = key_text(knode)
            else:
                key = key_text(knode)
            index = parent._index  # type: ignore[union-attr]
            if key in index:
                self._duplicate(parent.pairs[index[key]][0], knode, key)  # type: ignore[union-attr]
            if knode.parent is None:
                knode.parent, knode.key = parent, key
            if node.parent is None:
                node.parent, node.key = parent, key
            index[key] = len(parent.pairs)  # type: ignore[union-attr]
            parent.pairs.append((knode, node))  # type: ignore[union-attr]

    def _tag(self, tag: str, start: int) -> str | None:
        # Tags are never constructed: an unknown one is reported and its value read as plain data.
        self.doc.problems.append(LoadProblem(UNEXPECTED_TAG, Span(start, start + 1), TagFact(tag.replace(_STD_TAG, "!!"))))
        return None

    def _duplicate(self, first: Node, knode: Node, key: str) -> None:
        line = self.doc.source.position(first.span.start)[0] + 1
        self.doc.problems.append(LoadProblem(DUPLICATE_KEY, knode.span, DuplicateFact(key, line)))

    def _alias(self, event: Any, created: int) -> Node:
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
                node.pairs.clear()  # type: ignore[attr-defined]
                node._index.clear()  # type: ignore[attr-defined]
                node._entries = None  # type: ignore[attr-defined]
            else:
                node.items.clear()  # type: ignore[attr-defined]
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
                    mapping._index[key] = len(mapping.pairs)
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
    parser = _LOADER(text)
    get_event = parser.get_event
    doc: Document | None = None
    try:
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

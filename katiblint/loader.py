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
from typing import Any, Iterator, Union

from katiblint.source import SourceFile, Span

# Codes of the engine rules that loading can produce (their docs live in rules/).
SYNTAX_ERROR = "KAT001"
DUPLICATE_KEY = "KAT002"
UNEXPECTED_TAG = "KAT007"
EXCESSIVE_ALIASING = "KAT009"

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
    """A positioned YAML node. `key` is this node's key (str) or index (int) in its parent."""

    __slots__ = ("span", "tag", "parent", "key", "anchor_span")

    def __init__(self, span: Span, tag: str | None) -> None:
        self.span = span
        self.tag = tag
        self.parent: Mapping | Sequence | None = None
        self.key: str | int | None = None

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
        super().__init__(span, tag)
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
    __slots__ = ("pairs", "_index")

    def __init__(self, span: Span, tag: str | None) -> None:
        super().__init__(span, tag)
        self.pairs: list[tuple[Node, Node]] = []
        self._index: dict[str, int] = {}

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

    def items(self) -> Iterator[tuple[str, Node, Node]]:
        """Effective entries (the last of duplicate keys wins), in document order."""
        for key, i in self._index.items():
            k, v = self.pairs[i]
            yield key, k, v

    def to_python(self) -> dict[str, Any]:
        return {key: v.to_python() for key, _, v in self.items()}

    def __repr__(self) -> str:
        return f"Mapping({self.keys()!r})"


class Sequence(Node):
    __slots__ = ("items",)

    def __init__(self, span: Span, tag: str | None) -> None:
        super().__init__(span, tag)
        self.items: list[Node] = []

    @property
    def kind(self) -> str:
        return "seq"

    def to_python(self) -> list[Any]:
        return [v.to_python() for v in self.items]

    def __repr__(self) -> str:
        return f"Sequence(len={len(self.items)})"


AnyNode = Union[Scalar, Mapping, Sequence]


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


@dataclass(slots=True)
class LoadProblem:
    code: str
    message: str
    span: Span
    help: str | None = None


@dataclass(slots=True)
class Document:
    """One YAML document of a stream: its root node (None if empty) and its index."""

    source: SourceFile
    index: int
    root: Node | None
    span: Span
    problems: list[LoadProblem] = field(default_factory=list)

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
        """libyaml's composer with resolution switched off: katiblint resolves scalars itself."""

        def descend_resolver(self, *args: Any) -> None:
            return None

        def ascend_resolver(self, *args: Any) -> None:
            return None

        def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
            return None

    return _Loader


_LOADER: Any = None


class _TooDeep(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


class _TooManyAliases(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


class _Builder:
    """Turns composed libyaml nodes into katiblint nodes for one document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.memo: dict[int, Node] = {}
        self.expanded = 0

    def build(self, cnode: Any, depth: int = 0) -> Node:
        memo_key = id(cnode)
        known = self.memo.get(memo_key)
        if known is not None:
            # An alias: count what a naive expansion would cost, refuse alias bombs.
            self.expanded += _weight(known)
            if self.expanded > MAX_EXPANDED_NODES:
                raise _TooManyAliases(known.span)
            return known
        if depth > MAX_DEPTH:
            raise _TooDeep(Span(cnode.start_mark.index, cnode.end_mark.index))
        self.expanded += 1
        span = Span(cnode.start_mark.index, cnode.end_mark.index)
        tag = cnode.tag
        if tag == "None":  # implicit: the resolver is off, so libyaml reports no tag
            tag = None
        if tag is not None and tag not in _KNOWN_TAGS:
            self.doc.problems.append(
                LoadProblem(
                    UNEXPECTED_TAG,
                    f"YAML tag `{tag.replace(_STD_TAG, '!!')}` is not understood by Kubernetes; "
                    "its value is read as plain data",
                    Span(span.start, span.start + 1),
                    "remove the tag",
                )
            )
            tag = None
        value = cnode.value
        if isinstance(value, str):
            node: Node = Scalar(span, tag, value, cnode.style)
            self.memo[memo_key] = node
            return node
        if type(cnode).__name__ == "MappingNode":
            return self._mapping(cnode, span, tag, depth)
        seq = Sequence(span, tag)
        self.memo[memo_key] = seq
        for i, item in enumerate(value):
            child = self.build(item, depth + 1)
            if child.parent is None:
                child.parent, child.key = seq, i
            seq.items.append(child)
        return seq

    def _mapping(self, cnode: Any, span: Span, tag: str | None, depth: int) -> Mapping:
        mapping = Mapping(span, tag)
        self.memo[id(cnode)] = mapping
        merges: list[Node] = []
        for kc, vc in cnode.value:
            knode = self.build(kc, depth + 1)
            if (
                isinstance(knode, Scalar)
                and knode.raw == "<<"
                and knode.style is None
                and (knode.tag is None or knode.tag == _STD_TAG + "merge")
            ):
                merges.append(self.build(vc, depth + 1))
                continue
            vnode = self.build(vc, depth + 1)
            key = key_text(knode)
            if key in mapping._index:
                first = mapping.pairs[mapping._index[key]][0]
                line = self.doc.source.position(first.span.start)[0] + 1
                self.doc.problems.append(
                    LoadProblem(
                        DUPLICATE_KEY,
                        f"duplicate key `{key}` (first defined on line {line}); "
                        "Kubernetes rejects the manifest or keeps only one of the values",
                        knode.span,
                        "remove one of the two entries",
                    )
                )
            if knode.parent is None:
                knode.parent, knode.key = mapping, key
            if vnode.parent is None:
                vnode.parent, vnode.key = mapping, key
            mapping._index[key] = len(mapping.pairs)
            mapping.pairs.append((knode, vnode))
        for merge in merges:
            sources = merge.items if isinstance(merge, Sequence) else [merge]
            for source in sources:
                if not isinstance(source, Mapping):
                    continue
                for key, knode, vnode in source.items():
                    if key not in mapping._index:
                        mapping._index[key] = len(mapping.pairs)
                        mapping.pairs.append((knode, vnode))
        return mapping


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


def load(source: SourceFile) -> LoadResult:
    """Parse every document of a source; problems are reported, never raised."""
    global _LOADER
    if _LOADER is None:
        _LOADER = _make_loader()
    text = source.text
    problems: list[LoadProblem] = []
    documents: list[Document] = []
    parser = _LOADER(text)
    try:
        index = 0
        while True:
            try:
                if not parser.check_node():
                    break
                cnode = parser.get_node()
            except Exception as exc:  # libyaml's scanner, parser and composer errors
                problems.append(_syntax_problem(exc, text))
                break
            doc = Document(source, index, None, Span(cnode.start_mark.index, cnode.end_mark.index))
            try:
                doc.root = _Builder(doc).build(cnode)
            except _TooManyAliases as exc:
                doc.problems.append(
                    LoadProblem(
                        EXCESSIVE_ALIASING,
                        "document expands to more than "
                        f"{MAX_EXPANDED_NODES:,} nodes through aliases; Kubernetes refuses such "
                        "excessive aliasing and katiblint does not lint it",
                        Span(exc.span.start, exc.span.start + 1),
                        "write the repeated content out, or use fewer nested aliases",
                    )
                )
                doc.root = None
            except _TooDeep as exc:
                doc.problems.append(
                    LoadProblem(
                        EXCESSIVE_ALIASING,
                        f"document is nested more than {MAX_DEPTH} levels deep; katiblint does not lint it",
                        Span(exc.span.start, exc.span.start + 1),
                        None,
                    )
                )
                doc.root = None
            documents.append(doc)
            index += 1
    finally:
        try:
            parser.dispose()
        except Exception:
            pass
    return LoadResult(documents, problems)


def _syntax_problem(exc: Exception, text: str) -> LoadProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    if not problem:
        lines = str(exc).strip().splitlines()
        problem = lines[0] if lines else "invalid YAML"
    context = getattr(exc, "context", None)
    if mark is not None:
        offset = min(getattr(mark, "index", 0) or 0, len(text))
    else:
        offset = getattr(exc, "position", 0) or 0
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    helptext = None
    if "\t" in text and "tab" in message.lower():
        helptext = "indent with spaces; YAML does not allow tabs for indentation"
    elif "{{" in text:
        helptext = "this looks like a Helm or Go template: render it first, e.g. `helm template ... | katiblint -`"
    return LoadProblem(SYNTAX_ERROR, message, Span(offset, offset + 1), helptext)

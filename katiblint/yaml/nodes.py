"""The positioned node tree: `Scalar`, `Mapping`, `Sequence`, each with its `Span`; documents,
and the facts the loader records about what is wrong with the YAML (worded by the rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

from katiblint.source import SourceFile, Span
from katiblint.yaml.scalars import _STD_TAG, resolve_plain

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

    # The accessors below run for most values every rule reads: once resolved, no second call.
    @property
    def kind(self) -> str:
        """`str`, `int`, `float`, `bool` or `null`, as the value reaches the Kubernetes API."""
        return (self._resolved or self._resolve())[0]

    @property
    def value(self) -> Any:
        return (self._resolved or self._resolve())[1]

    @property
    def is_str(self) -> bool:
        return (self._resolved or self._resolve())[0] == "str"

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
        self.pairs: list[tuple[Node, Node]] = []  # every (key, value) as written, duplicates included
        self._index: dict[str, tuple[Node, Node]] = {}  # key -> its effective (last) pair
        self._entries: list[tuple[str, Node, Node]] | None = None

    @property
    def kind(self) -> str:
        return "map"

    def get(self, key: str) -> Node | None:
        pair = self._index.get(key)
        return None if pair is None else pair[1]

    def key_node(self, key: str) -> Node | None:
        pair = self._index.get(key)
        return None if pair is None else pair[0]

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
            entries = self._entries = [(key, k, v) for key, (k, v) in self._index.items()]
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
    # Some node is reachable by two paths (an alias, a merge key): walks must visit each node once.
    shared: bool = False

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

"""The YAML layer: positioned nodes (`nodes`), Kubernetes' scalar resolution (`scalars`), the
event-driven loader (`loader`) and strict reading of configuration files (`file`)."""

from katiblint.yaml.loader import GO_TEMPLATE_ACTION, MAX_DEPTH, MAX_EXPANDED_NODES, load, release
from katiblint.yaml.nodes import (
    Document,
    DuplicateFact,
    Fact,
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
from katiblint.yaml.scalars import resolve_plain

__all__ = [
    "GO_TEMPLATE_ACTION",
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "Document",
    "DuplicateFact",
    "Fact",
    "LoadProblem",
    "LoadResult",
    "Mapping",
    "Node",
    "Scalar",
    "SelfAlias",
    "Sequence",
    "SyntaxFact",
    "TagFact",
    "TemplateActions",
    "TooDeep",
    "TooManyAliases",
    "UndefinedAlias",
    "key_text",
    "load",
    "release",
    "resolve_plain",
]

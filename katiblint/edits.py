"""Building blocks for fixes: text edits computed from node spans, never a YAML re-dump.

Edits splice the original text, so comments, quoting, indentation and line endings outside
the edited spans stay byte-for-byte as they were.
"""

from __future__ import annotations

import json

from katiblint.diagnostics import Edit
from katiblint.loader import Mapping, Node, Scalar
from katiblint.source import SourceFile, Span


def quote(text: str) -> str:
    """A double-quoted YAML scalar for `text` (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def replace_scalar(node: Scalar, new_value: str) -> Edit:
    """Replace a scalar's value, keeping its quoting style where that is possible."""
    if node.style == "'" and "\n" not in new_value:
        return Edit.replace(node.span, "'" + new_value.replace("'", "''") + "'")
    if node.style == '"' or node.style in ("|", ">") or not _plain_safe(new_value):
        return Edit.replace(node.span, quote(new_value))
    return Edit.replace(node.span, new_value)


def quote_scalar(node: Scalar) -> Edit:
    """Make a plain scalar a string without changing its text (`10` -> `"10"`)."""
    return Edit.replace(node.span, quote(node.raw))


def _plain_safe(value: str) -> bool:
    from katiblint.loader import resolve_plain

    if not value or value != value.strip() or any(c in value for c in ":#{}[],&*!|>'\"%@`\n"):
        return False
    return resolve_plain(value)[0] == "str"


def line_indent(source: SourceFile, offset: int) -> int:
    line, _ = source.position(offset)
    text = source.line_text(line)
    return len(text) - len(text.lstrip(" "))


def is_block(mapping: Mapping, source: SourceFile) -> bool:
    return bool(mapping.pairs) and source.text[mapping.span.start] not in "{["


def key_column(source: SourceFile, node: Node) -> int:
    return source.position(node.span.start)[1]


def insert_entry(source: SourceFile, mapping: Mapping, lines: list[str]) -> Edit | None:
    """Insert `lines` (already relative-indented YAML) as the first entries of a block mapping.

    Returns None when the mapping is a flow mapping or shares its first line with a parent
    sequence dash in a way that cannot be edited safely.
    """
    if not mapping.pairs or source.text[mapping.span.start] in "{":
        return None
    first_key = mapping.pairs[0][0]
    column = key_column(source, first_key)
    line, _ = source.position(first_key.span.start)
    line_start = source.line_starts[line]
    prefix = source.text[line_start : first_key.span.start]
    nl = source.newline
    pad = " " * column
    body = "".join(pad + text + nl for text in lines)
    if prefix.strip() == "":
        return Edit.insert(line_start, body)
    # `- key: v` : the first key shares its line with a dash; insert after the dash.
    return Edit.insert(first_key.span.start, body.lstrip(" ") + pad)


def indent_step(source: SourceFile, mapping: Mapping) -> int:
    """The indentation step the file uses below `mapping` (2 when it cannot be told)."""
    for _, key, value in mapping.items():
        if isinstance(value, Mapping) and value.pairs and source.text[value.span.start] not in "{":
            step = key_column(source, value.pairs[0][0]) - key_column(source, key)
            if step > 0:
                return step
    return 2


def span_of_line(source: SourceFile, offset: int) -> Span:
    line, _ = source.position(offset)
    start = source.line_starts[line]
    end = source.line_starts[line + 1] if line + 1 < len(source.line_starts) else len(source.text)
    return Span(start, end)

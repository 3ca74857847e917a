"""Building blocks for fixes: text edits computed from node spans, never a YAML re-dump.

Edits splice the original text, so comments, quoting, indentation and line endings outside
the edited spans stay byte-for-byte as they were.
"""

from __future__ import annotations

import json
from typing import Sequence

from katiblint.diagnostics import Edit, Fix
from katiblint.yaml import Mapping, Node, Scalar
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
    from katiblint.yaml import resolve_plain

    if not value or value != value.strip() or any(c in value for c in ":#{}[],&*!|>'\"%@`\n"):
        return False
    return resolve_plain(value)[0] == "str"


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


def plain_or_quoted(value: str) -> str:
    """`value` as a plain scalar when it reads back as that string, else double-quoted."""
    return value if _plain_safe(value) else quote(value)


def line_end(source: SourceFile, offset: int) -> int:
    """The offset just after the line break of the line holding `offset` (or the end of text)."""
    line, _ = source.position(offset)
    starts = source.line_starts
    return starts[line + 1] if line + 1 < len(starts) else len(source.text)


def content_end(source: SourceFile, node: Node) -> int:
    """Just past the last non-blank character of `node` itself.

    A block collection's span runs on over the comments and blank lines that follow it; its
    last leaf does not.
    """
    from katiblint.yaml import Sequence

    end = node.span.end
    if isinstance(node, Mapping) and node.pairs and source.text[node.span.start] not in "{":
        end = content_end(source, node.pairs[-1][1])
        end = max(end, node.pairs[-1][0].span.end)
    elif isinstance(node, Sequence) and node.items and source.text[node.span.start] not in "[":
        end = content_end(source, node.items[-1])
    text = source.text
    while end > node.span.start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _dash_before(source: SourceFile, node: Node) -> int | None:
    """The offset of the `- ` that introduces block sequence item `node`, when it starts its line."""
    text = source.text
    pos = node.span.start - 1
    while pos >= 0 and text[pos] in " \t\r\n":
        pos -= 1
    if pos < 0 or text[pos] != "-":
        return None
    line_start = source.line_starts[source.position(pos)[0]]
    return pos if text[line_start:pos].strip() == "" else None


def append_sequence_item(source: SourceFile, seq: Node | None, lines: list[str]) -> Edit | None:
    """Add an item after the last item of a block sequence, indented like the first item.

    `lines[0]` follows the dash; the other lines are indented to the item's content column.
    Returns None for flow sequences and layouts that cannot be edited line by line.
    """
    from katiblint.yaml import Sequence

    if not isinstance(seq, Sequence) or not seq.items or source.text[seq.span.start] == "[":
        return None
    first, last = seq.items[0], seq.items[-1]
    dash = _dash_before(source, first)
    if dash is None or _dash_before(source, last) is None:
        return None
    dash_col = source.position(dash)[1]
    first_line = source.position(dash)[0]
    content_col = dash_col + 2
    if source.position(first.span.start)[0] == first_line:
        content_col = source.position(first.span.start)[1]
    nl = source.newline
    body = " " * dash_col + "-" + " " * (content_col - dash_col - 1) + lines[0] + nl
    body += "".join(" " * content_col + text + nl for text in lines[1:])
    at = line_end(source, content_end(source, last))
    if at == len(source.text) and not source.text.endswith("\n"):
        body = nl + body
    return Edit.insert(at, body)


def delete_sequence_item(source: SourceFile, seq: Node | None, item: Node) -> Edit | None:
    """Delete the whole lines of a block sequence item, from its dash to its last line.

    Returns None when the item is not on lines of its own, is shared through an alias, or
    when a comment lies in those lines (a fix must never drop a comment).
    """
    from katiblint.yaml import Sequence

    if not isinstance(seq, Sequence) or source.text[seq.span.start] == "[":
        return None
    if not any(i is item for i in seq.items) or not (seq.span.start <= item.span.start <= seq.span.end):
        return None
    dash = _dash_before(source, item)
    if dash is None:
        return None
    start = source.line_starts[source.position(dash)[0]]
    end = line_end(source, content_end(source, item))
    text = source.text
    # The next item, or the next key, must start on a later line than the deleted ones.
    rest = text[content_end(source, item) : end]
    if rest.strip() and not rest.lstrip().startswith("#"):
        return None
    if _has_comment(text, start, end, item):
        return None
    return Edit.delete(Span(start, end))


def _has_comment(text: str, start: int, end: int, item: Node) -> bool:
    """A `#` comment between `start` and `end` outside the item's scalars (and their quotes)."""
    from katiblint.katib.experiment import walk

    scalars = [n.span for n in walk(item) if isinstance(n, Scalar)]
    for pos in range(start, end):
        if text[pos] != "#" or (pos > start and text[pos - 1] not in " \t\n"):
            continue
        if not any(s.start <= pos < s.end for s in scalars):
            return True
    return False


def rename_fix(node: Scalar, word: str, candidates: Sequence[str], verb: str = "use") -> tuple[str | None, Fix | None]:
    """The nearest candidate (for a "did you mean" hint) and, when that candidate is the only
    one as near, a safe fix replacing the scalar with it (ruff's "unambiguous rename" rule)."""
    from katiblint.suggest import closest, unique_closest

    guess = closest(word, candidates)
    safe = unique_closest(word, candidates)
    fix = Fix.safe(f"{verb} `{safe}`", replace_scalar(node, safe)) if safe else None
    return guess, fix

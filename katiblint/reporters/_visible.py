"""Text from manifests made safe for a terminal: invisible and control characters shown escaped.

A manifest can hold any character: an ANSI escape in a description, a right-to-left override
in a parameter name, a NUL in a binary file. Printed raw, these recolour or clear the terminal,
reorder what the reader sees, or break a line-based format. Every human-readable reporter passes
echoed text through `visible`; code frames use `frame_line`, which also keeps carets under the
right characters (escapes and tabs are wider than one column, East Asian wide characters take
two) and cuts long lines around the span, as rustc and ruff do.
"""

from __future__ import annotations

import re

# What is escaped: C0 and C1 controls and DEL (category Cc), format characters (Cf: the bidi
# embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, zero-width characters,
# the soft hyphen, the byte-order mark, tag characters), the line and paragraph separators
# U+2028/U+2029 (Zl, Zp), and lone surrogates (Cs), which cannot even be encoded as UTF-8.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_ASCII_CONTROL = re.compile("[\x00-\x1f\x7f]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
TAB_WIDTH = 4
# Code-frame lines wider than this (in terminal columns) are cut around the span.
MAX_WIDTH = 120
ELLIPSIS = "..."


def hidden(ch: str) -> bool:
    """Whether a character is escaped rather than printed."""
    if ch < "\x7f":
        return ch < " "
    if ch < "\xa0":
        return True  # DEL and the C1 controls
    import unicodedata

    return unicodedata.category(ch) in _HIDDEN_CATEGORIES


def escape_char(ch: str) -> str:
    """The visible form of one hidden character: `\\t`, `\\x1b`, `\\u202e`, `\\U000e0041`."""
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str, keep: str = "") -> str:
    """`text` with every control or invisible formatting character escaped, except those in
    `keep` (the GitHub reporter keeps line breaks, which workflow commands encode themselves)."""
    if text.isascii() and _ASCII_CONTROL.search(text) is None:
        return text
    return "".join(escape_char(ch) if hidden(ch) and ch not in keep else ch for ch in text)


def _width(ch: str) -> int:
    """Terminal columns of one printable character (0 for combining marks, 2 for wide ones)."""
    if ch < "\u0300":
        return 1
    import unicodedata

    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _pieces(text: str) -> list[tuple[str, int]]:
    """Each character of a source line as (what is printed, its width in columns)."""
    out: list[tuple[str, int]] = []
    for ch in text:
        if ch == "\t":
            out.append((" " * TAB_WIDTH, TAB_WIDTH))
        elif hidden(ch):
            shown = escape_char(ch)
            out.append((shown, len(shown)))
        else:
            out.append((ch, _width(ch)))
    return out


def frame_line(text: str, start: int, end: int, max_width: int = MAX_WIDTH) -> tuple[str, int, int]:
    """A source line for a code frame, and where the carets for characters `[start, end)` go.

    Returns (printed line, first caret column, caret count), columns counted from the start
    of the printed line. Escapes and tabs widen the line and the carets with them. A line wider
    than `max_width` is cut around `start`, and `...` marks each cut.
    """
    # Only characters near the span can be shown: a megabyte-long line is not walked whole.
    lo = max(0, start - max_width) if len(text) > 4 * max_width else 0
    hi = min(len(text), max(start, lo) + 2 * max_width) if len(text) > 4 * max_width else len(text)
    pieces = _pieces(text[lo:hi])
    columns = [0]
    for _, width in pieces:
        columns.append(columns[-1] + width)
    start = max(0, min(start - lo, len(pieces)))
    end = max(start, min(end - lo, len(pieces)))
    caret_start, caret_end = columns[start], columns[end]
    carets = max(1, caret_end - caret_start)
    if columns[-1] <= max_width and lo == 0 and hi == len(text):
        return "".join(shown for shown, _ in pieces), caret_start, carets
    # Keep a little context before the span, then as much of the span and what follows as fits.
    budget = max_width - 2 * len(ELLIPSIS)
    left_col = max(0, caret_start - min(budget // 4, 24))
    if columns[-1] - left_col < budget:  # near the end of the line: fill the width with what precedes
        left_col = max(0, min(left_col, columns[-1] - budget))
    first = next(i for i in range(len(pieces) + 1) if columns[i] >= left_col)
    shown: list[str] = []
    width = 0
    last = first
    while last < len(pieces) and width + pieces[last][1] <= budget:
        shown.append(pieces[last][0])
        width += pieces[last][1]
        last += 1
    prefix = ELLIPSIS if first > 0 or lo > 0 else ""
    suffix = ELLIPSIS if last < len(pieces) or hi < len(text) else ""
    offset = len(prefix) - columns[first]
    caret_col = caret_start + offset
    visible_end = min(caret_start + carets, columns[last]) + offset
    return prefix + "".join(shown) + suffix, caret_col, max(1, visible_end - caret_col)

"""Source text and positions.

Every position inside katiblint is a code-point offset into `SourceFile.text`. Offsets are
turned into (line, column) pairs here, 0-based; reporters add 1 at the output boundary.
"""

from __future__ import annotations

import bisect
from itertools import accumulate
from dataclasses import dataclass, field
from typing import NamedTuple


class Span(NamedTuple):
    """A half-open range `[start, end)` of code-point offsets into a source text.

    A named tuple: the loader makes one per node, so it must be cheap to create. Build spans
    with `start <= end` (`Span.clamped` when unsure).
    """

    start: int
    end: int

    @classmethod
    def clamped(cls, start: int, end: int) -> Span:
        return cls(start, max(start, end))


@dataclass(slots=True)
class SourceFile:
    """A decoded file: its display path, its text (BOM removed) and a lazy line index."""

    path: str
    text: str
    had_bom: bool = False
    newline: str = "\n"
    _line_starts: list[int] | None = field(default=None, repr=False)

    # Sent between processes without the line index: the receiver rebuilds it if it needs it.
    def __getstate__(self) -> tuple[str, str, bool, str]:
        return (self.path, self.text, self.had_bom, self.newline)

    def __setstate__(self, state: tuple[str, str, bool, str]) -> None:
        self.path, self.text, self.had_bom, self.newline = state
        self._line_starts = None

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            # Running sums of the lines' lengths (each plus its `\n`), all done in C.
            starts = list(accumulate(map((1).__add__, map(len, self.text.split("\n"))), initial=0))
            starts.pop()  # the offset past the end of the text is not a line start
            self._line_starts = starts
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """The 0-based (line, column) of `offset`; columns count code points, CR excluded."""
        offset = max(0, min(offset, len(self.text)))
        starts = self.line_starts
        line = bisect.bisect_right(starts, offset) - 1
        col = offset - starts[line]
        # A column that lands on the CR of a CRLF pair belongs to the end of its line.
        return line, col

    def offset(self, line: int, column: int) -> int:
        """The offset of a 0-based (line, column); the inverse of `position`."""
        starts = self.line_starts
        line = max(0, min(line, len(starts) - 1))
        return min(starts[line] + column, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 0-based line, without its line break."""
        starts = self.line_starts
        if line < 0 or line >= len(starts):
            return ""
        end = starts[line + 1] - 1 if line + 1 < len(starts) else len(self.text)
        return self.text[starts[line] : end].rstrip("\r")

    @property
    def line_count(self) -> int:
        return len(self.line_starts)


def decode(data: bytes, path: str) -> tuple[SourceFile | None, str | None, int]:
    """Decode raw bytes as Kubernetes does (UTF-8, or UTF-16/32 with a BOM).

    Returns the source, or an error message and the byte offset where decoding failed.
    """
    had_bom = False
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        had_bom = True
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
        had_bom = True
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        had_bom = True
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return None, f"the file is not valid {encoding.upper()} ({exc.reason})", exc.start
    if text.startswith("\ufeff"):
        text = text[1:]
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    return SourceFile(path=path, text=text, had_bom=had_bom, newline=newline), None, 0


def byte_offset_position(data: bytes, offset: int) -> tuple[int, int]:
    """0-based (line, column) of a byte offset in undecodable data (column in bytes)."""
    head = data[:offset]
    line = head.count(b"\n")
    col = offset - (head.rfind(b"\n") + 1)
    return line, col

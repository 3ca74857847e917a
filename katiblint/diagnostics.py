"""Findings, and the fixes they may carry."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from katiblint.source import Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Applicability(str, enum.Enum):
    """How safe a fix is (ruff's model): safe fixes keep meaning, unsafe ones may change it."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class FixAvailability(str, enum.Enum):
    """What a rule declares about its fixes, shown by `katiblint rules`."""

    NEVER = "never"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


class Edit(NamedTuple):
    """Replace the text in `span` with `content` (an insertion when the span is empty)."""

    span: Span
    content: str

    @classmethod
    def replace(cls, span: Span, content: str) -> Edit:
        return cls(span, content)

    @classmethod
    def insert(cls, offset: int, content: str) -> Edit:
        return cls(Span(offset, offset), content)

    @classmethod
    def delete(cls, span: Span) -> Edit:
        return cls(span, "")


class Fix(NamedTuple):
    edits: tuple[Edit, ...]
    applicability: Applicability
    title: str

    @classmethod
    def safe(cls, title: str, *edits: Edit) -> Fix:
        return cls(tuple(sorted(edits, key=lambda e: (e.span.start, e.span.end))), Applicability.SAFE, title)

    @classmethod
    def unsafe(cls, title: str, *edits: Edit) -> Fix:
        return cls(tuple(sorted(edits, key=lambda e: (e.span.start, e.span.end))), Applicability.UNSAFE, title)

    @property
    def span(self) -> Span:
        return Span(min(e.span.start for e in self.edits), max(e.span.end for e in self.edits))


@dataclass(slots=True)
class Diagnostic:
    """One finding. `span` is in code-point offsets of the file; reporters make it 1-based."""

    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    help: str | None = None
    fix: Fix | None = None
    field_path: str | None = None
    document: int | None = None
    object_name: str | None = None
    path: str = ""
    # Filled by the engine when the diagnostic is placed in its file.
    start: tuple[int, int] = (0, 0)
    end: tuple[int, int] = (0, 0)
    # A finding about the cluster rather than one manifest (e.g. a trial kind the stock katib-config
    # does not list): the engine keeps the first of each (code, message) in the run, within a file
    # and across files.
    once_per_run: bool = False

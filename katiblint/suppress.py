"""Suppressions: `# katiblint: disable=CODE[,CODE]` comments and `ignore.katiblint.io/*` annotations.

- At the end of a line, `disable=` covers that line; on a line of its own it covers the next
  line that is not blank or a comment.
- `# katiblint: disable-file=CODE[,CODE]` covers the whole file.
- `ignore.katiblint.io/<code-or-name>: "<reason>"` in an Experiment's `metadata.annotations`
  covers that Experiment (it survives Helm and Kustomize rendering, which drop comments).
- A `#` inside a YAML scalar is text, never a directive. Unused suppressions are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from katiblint.diagnostics import Edit
from katiblint.yaml import Document, Mapping, Scalar
from katiblint.katib.experiment import walk
from katiblint.selector import Selector
from katiblint.source import SourceFile, Span

_DIRECTIVE = re.compile(r"#\s*katiblint:\s*(?P<kind>disable-file|disable)\s*=\s*(?P<codes>[A-Za-z0-9_,\- ]+)")
ANNOTATION_PREFIX = "ignore.katiblint.io/"


@dataclass
class Directive:
    kind: str  # line | file | annotation
    codes: list[str]
    span: Span  # of the comment (or annotation key)
    lines: tuple[int, int] = (0, 0)  # 0-based covered lines, inclusive; file/annotation: ignored
    doc_span: Span | None = None  # annotation: the document it covers
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, name: str) -> str | None:
        for entry in self.codes:
            if Selector(entry).matches(code, name):
                return entry
        return None


def _scalar_spans(documents: list[Document]) -> list[Span]:
    spans = []
    for doc in documents:
        for node in walk(doc.root):
            if isinstance(node, Scalar) and node.style is not None:
                spans.append(node.span)
            elif isinstance(node, Scalar) and "\n" in node.raw:
                spans.append(node.span)
    return spans


def find_directives(source: SourceFile, documents: list[Document]) -> list[Directive]:
    text = source.text
    directives: list[Directive] = []
    if "katiblint:" in text:
        inside = _scalar_spans(documents)
        for match in _DIRECTIVE.finditer(text):
            start = match.start()
            if any(s.start <= start < s.end for s in inside):
                continue
            codes = [c.strip() for c in match.group("codes").split(",") if c.strip()]
            span = Span(start, match.end())
            if match.group("kind") == "disable-file":
                directives.append(Directive("file", codes, span))
                continue
            line, _ = source.position(start)
            before = source.line_text(line)[: source.position(start)[1]]
            if before.strip():
                covered = line
            else:
                covered = line + 1
                while covered < source.line_count and (
                    not source.line_text(covered).strip() or source.line_text(covered).lstrip().startswith("#")
                ):
                    covered += 1
            directives.append(Directive("line", codes, span, (covered, covered)))
    if ANNOTATION_PREFIX in text:
        for doc in documents:
            root = doc.root
            meta = root.get("metadata") if isinstance(root, Mapping) else None
            notes = meta.get("annotations") if isinstance(meta, Mapping) else None
            if not isinstance(notes, Mapping):
                continue
            for key, knode, _ in notes.items():
                if key.startswith(ANNOTATION_PREFIX):
                    directives.append(
                        Directive("annotation", [key[len(ANNOTATION_PREFIX) :]], knode.span, doc_span=doc.span)
                    )
    return directives


def is_suppressed(directives: list[Directive], code: str, name: str, line: int, offset: int) -> bool:
    for directive in directives:
        entry = directive.covers(code, name)
        if entry is None:
            continue
        if directive.kind == "file":
            pass
        elif directive.kind == "line":
            if not directive.lines[0] <= line <= directive.lines[1]:
                continue
        elif directive.doc_span is not None:
            if not directive.doc_span.start <= offset <= directive.doc_span.end:
                continue
        directive.used.add(entry)
        return True
    return False


def disable_edit(source: SourceFile, line: int, code: str) -> Edit:
    """The edit that suppresses `code` on a 0-based `line`: an end-of-line `disable=` comment.

    A line that already ends with such a directive gets the code added to it. Whether the comment
    takes effect (not inside a multi-line scalar, say) is for the caller to check by linting again.
    """
    text = source.line_text(line)
    start = source.line_starts[min(line, source.line_count - 1)]
    for match in _DIRECTIVE.finditer(text):
        if match.group("kind") == "disable" and text[: match.start()].strip():
            codes_end = match.start("codes") + len(match.group("codes").rstrip())
            return Edit.insert(start + codes_end, f",{code}")
    gap = "  " if text and not text.endswith((" ", "\t")) else ""
    return Edit.insert(start + len(text), f"{gap}# katiblint: disable={code}")

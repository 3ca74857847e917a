"""A small GJSON path reader for Katib's success and failure conditions.

Katib evaluates `trialTemplate.successCondition` / `failureCondition` with tidwall/gjson on
the deployed job (job_util.go `GetDeployedJobStatus`). GJSON never reports a bad path: it
returns an empty result, so a typo reads as "not yet finished" and the Trial stays Running.
This module covers the subset Katib users write: dotted keys (with `\\` escapes and `*`/`?`
wildcards), array indexes, `#` (length, or map over an array), `#(...)` / `#(...)#` queries
with `==`, `!=`, `<`, `<=`, `>`, `>=`, `%`, `!%` (nested queries too), `|` pipes, `@modifiers`
with optional `:arg`, and `[...]` / `{...}` multipaths (Argo's `status.[@this]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# tidwall/gjson modifiers (gjson.go `modifiers`).
MODIFIERS = (
    "this", "reverse", "ugly", "pretty", "valid", "flatten", "join", "keys", "values",
    "tostr", "fromstr", "group", "dig",
)
_OPERATORS = ("==", "!=", "<=", ">=", "!%", "<", ">", "%", "=")


@dataclass
class Comparison:
    """One `key op value` inside a query: `type=="Complete"` -> ("type", "==", "Complete")."""

    key: str
    op: str
    value: str | None  # the compared text (quotes removed), None for an existence test


@dataclass
class Segment:
    """One component of a path: a key, `#`, a query, a modifier or a multipath."""

    kind: str  # key | count | query | query-all | modifier | multipath | literal
    text: str
    comparisons: list[Comparison] = field(default_factory=list)


@dataclass
class Path:
    segments: list[Segment]


class GJSONError(ValueError):
    """A path GJSON cannot evaluate the way the author meant; `offset` is where it goes wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _closing(text: str, start: int, open_char: str, close_char: str) -> int:
    """The index of the bracket closing the one at `start`, skipping string literals."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            if i >= len(text):
                raise GJSONError("unterminated string literal", start)
        elif c == open_char:
            depth += 1
        elif c == close_char:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise GJSONError(f"`{open_char}` is never closed with `{close_char}`", start)


def _query(body: str, offset: int) -> list[Comparison]:
    """Check the inside of `#(...)`: `key`, `key op value`, `op value`, or a nested query."""
    text = body.strip()
    if not text:
        raise GJSONError("empty query `#()`", offset)
    # A nested query `#(nets.#(=="fb"))`: check the inner one, the outer matches by existence.
    inner_at = text.find("#(")
    if inner_at != -1 and not text.startswith('"'):
        end = _closing(text, inner_at + 1, "(", ")")
        found = _query(text[inner_at + 2 : end], offset + inner_at + 2)
        rest = text[end + 1 :].lstrip("#").strip()
        if rest:
            _comparison(text[:inner_at] + "x" + rest, offset)
        return found
    return [_comparison(text, offset)]


def _comparison(text: str, offset: int) -> Comparison:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            raise GJSONError(f"a string literal before the operator in `{text}`", offset + i)
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            # gjson parseQuery: `=` and `==` are the same operator; values may be bare words
            key, value = text[:i].strip(), text[i + len(op) :].strip()
            if not value:
                raise GJSONError(f"`{text}` compares with nothing", offset + i)
            if value.startswith('"') and (len(value) < 2 or not value.endswith('"')):
                raise GJSONError(f"unterminated string literal in `{text}`", offset + i + len(op))
            literal = value[1:-1] if value.startswith('"') else value
            return Comparison(key, "==" if op == "=" else op, literal)
        i += 1
    return Comparison(text, "exists", None)


@lru_cache(maxsize=256)
def parse(path: str) -> Path:
    """Parse a GJSON path, raising GJSONError where GJSON would not do what the text says.

    Cached: a few condition strings recur in every file, and three rules read each. The result
    is shared, so callers must not change it.
    """
    if not path.strip():
        raise GJSONError("the path is empty", 0)
    if path != path.strip():
        raise GJSONError("the path has leading or trailing spaces, which GJSON reads as part of a key", 0)
    segments: list[Segment] = []
    i = 0
    expect_component = True
    while i < len(path):
        c = path[i]
        if c in ".|":
            if expect_component:
                raise GJSONError(f"empty path component before `{c}`", i)
            expect_component = True
            i += 1
            continue
        if not expect_component:
            raise GJSONError(f"`{c}` must follow a `.` or `|`", i)
        expect_component = False
        if c == "#" and path.startswith("#(", i):
            end = _closing(path, i + 1, "(", ")")
            comps = _query(path[i + 2 : end], i + 2)
            every = end + 1 < len(path) and path[end + 1] == "#"
            segments.append(Segment("query-all" if every else "query", path[i : end + (2 if every else 1)], comps))
            i = end + (2 if every else 1)
            continue
        if c == "#":
            segments.append(Segment("count", "#"))
            i += 1
            continue
        if c in "[{":
            end = _closing(path, i, c, "]" if c == "[" else "}")
            for part in _split_top(path[i + 1 : end]):
                if part.strip():
                    parse(part.strip())
            segments.append(Segment("multipath", path[i : end + 1]))
            i = end + 1
            continue
        if c == "@":
            m = re.match(r"@([A-Za-z_]\w*)", path[i:])
            if not m:
                raise GJSONError("`@` must start a modifier such as `@this`", i)
            if m.group(1) not in MODIFIERS:
                raise GJSONError(f"unknown modifier `@{m.group(1)}`", i)
            j = i + m.end()
            if j < len(path) and path[j] == ":":
                j += 1
                if j < len(path) and path[j] in '{["':
                    close = {"{": "}", "[": "]", '"': '"'}[path[j]]
                    j = (path.index('"', j + 1) if close == '"' else _closing(path, j, path[j], close)) + 1
                else:
                    while j < len(path) and path[j] not in ".|":
                        j += 1
            segments.append(Segment("modifier", path[i:j]))
            i = j
            continue
        if c == "!" and re.match(r"!(true|false|null|-?\d)", path[i:]):
            j = i + 1
            while j < len(path) and path[j] not in ".|":
                j += 1
            segments.append(Segment("literal", path[i:j]))
            i = j
            continue
        if c in "()":
            raise GJSONError(f"`{c}` outside a `#(...)` query", i)
        j = i
        while j < len(path) and path[j] not in ".|":
            if path[j] == "\\":
                j += 1
            elif path[j] in "()":
                raise GJSONError(f"`{path[j]}` inside the key `{path[i:j + 1]}`; queries are written `#(...)`", j)
            elif path[j] in '"=' :
                raise GJSONError(f"`{path[j]}` inside the key `{path[i:j + 1]}`; comparisons belong in `#(...)`", j)
            j += 1
        segments.append(Segment("key", path[i:j]))
        i = j
    if expect_component:
        raise GJSONError("the path ends with a separator", len(path) - 1)
    return Path(segments)


def _split_top(text: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    # multipath members may be named: `"name":path`
    return [re.sub(r'^\s*"[^"]*"\s*:', "", p) for p in parts]


# Status fields that hold a string, number or timestamp in the job kinds Katib runs.
SCALAR_FIELDS = frozenset(
    {
        "phase", "succeeded", "failed", "active", "ready", "terminating", "startTime", "completionTime",
        "lastReconcileTime", "message", "reason", "type", "status", "lastTransitionTime", "lastUpdateTime",
        "startedAt", "finishedAt", "progress", "completedIndexes", "failedIndexes", "restartCount",
        "podName", "observedGeneration",
    }
)


def shape(path: Path) -> str:
    """What the path selects on a job: `match`, `scalar`, `scalars`, `conditions` or `unknown`.

    `match` is a query result (an object, or an array of objects): what Katib expects.
    `scalars` is an array of plain values (`status.conditions.#.type`), which Katib cannot
    unmarshal; `conditions` is the whole list, non-empty as soon as the job has any condition.
    """
    segs = path.segments
    if not segs:
        return "unknown"
    last = segs[-1]
    if last.kind in ("query", "query-all"):
        return "match"
    if last.kind == "count":
        return "scalar"
    if last.kind == "literal":
        return "scalar"
    if last.kind == "key":
        name = last.text
        mapped = len(segs) >= 2 and segs[-2].kind in ("count", "query-all")
        if name in SCALAR_FIELDS:
            return "scalars" if mapped else "scalar"
        if name == "conditions" and not mapped:
            return "conditions"
    return "unknown"


def comparisons(path: Path) -> list[Comparison]:
    return [c for s in path.segments for c in s.comparisons]

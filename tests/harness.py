"""Fixture harness: `tests/fixtures/<CODE>-<name>.yaml` with expectations written inline.

Each `---` document is one case. Expectations are comments:

- `# expect: [KAT302]` at the end of a line: a KAT302 finding starts on this line;
- `# expect: 23 [KAT302] "learnigRate"`: ... at 1-based column 23, with that text in its message;
- on a line of its own, an `expect:` comment applies to the next line that is not an expectation;
- `# expect-at: 3:7 [KAT302]` anywhere in a document: line 3 *of that document* (line 1 is its
  first line), column 7; for positions inside block scalars, where a comment would be text;
- `# options: {"istio-inject": "false"}` in a document: configuration (as in `.katiblint.toml`)
  for that case.

Only findings of the fixture's own code are compared; a document without expectations must
have none of them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from katiblint.config import Settings, parse
from katiblint.diagnostics import Diagnostic
from katiblint.engine import Linter

FIXTURES = Path(__file__).parent / "fixtures"
_EXPECT = re.compile(r"#\s*expect:\s*(?:(?P<col>\d+)\s+)?\[(?P<code>KAT\d{3})\](?:\s+\"(?P<text>[^\"]*)\")?")
_EXPECT_AT = re.compile(r"#\s*expect-at:\s*(?P<line>\d+):(?P<col>\d+)\s+\[(?P<code>KAT\d{3})\](?:\s+\"(?P<text>[^\"]*)\")?")
_OPTIONS = re.compile(r"#\s*options:\s*(?P<json>\{.*\})\s*$")
_SEPARATOR = re.compile(r"^---\s*(#.*)?$")


@dataclass(frozen=True)
class Expectation:
    line: int  # 1-based, in the file
    code: str
    column: int | None = None
    text: str | None = None


@dataclass
class Case:
    index: int
    first_line: int  # 1-based file line of the document's first line
    lines: list[str]
    expectations: list[Expectation] = field(default_factory=list)
    options: dict[str, object] = field(default_factory=dict)


def split_cases(text: str) -> list[Case]:
    """The documents of a fixture that hold YAML (a comment-only header is not a case)."""
    chunks: list[tuple[int, list[str]]] = []
    start, buffer = 1, []
    for number, line in enumerate(text.split("\n"), start=1):
        if _SEPARATOR.match(line):
            chunks.append((start, buffer))
            start, buffer = number + 1, []
        else:
            buffer.append(line)
    chunks.append((start, buffer))
    cases = []
    for first, lines in chunks:
        if any(l.strip() and not l.lstrip().startswith("#") for l in lines):
            case = Case(len(cases), first, lines)
            _read_expectations(case)
            cases.append(case)
    return cases


def _read_expectations(case: Case) -> None:
    pending: list[re.Match[str]] = []
    for offset, line in enumerate(case.lines):
        number = case.first_line + offset
        options = _OPTIONS.search(line)
        if options:
            case.options.update(json.loads(options.group("json")))
        for at in _EXPECT_AT.finditer(line):
            case.expectations.append(
                Expectation(case.first_line + int(at.group("line")) - 1, at.group("code"), int(at.group("col")), at.group("text"))
            )
        found = list(_EXPECT.finditer(line))
        stripped = line.lstrip()
        own_line = stripped.startswith("#")
        if own_line and (found or _EXPECT_AT.search(line) or _OPTIONS.search(line)):
            pending.extend(found)
            continue
        if own_line or not stripped:
            continue
        for match in pending + found:
            case.expectations.append(
                Expectation(number, match.group("code"), int(match.group("col")) if match.group("col") else None, match.group("text"))
            )
        pending = []


def case_text(text: str, case: Case) -> str:
    """The file with every other case blanked out, so line numbers stay those of the file."""
    lines = text.split("\n")
    out = []
    start, end = case.first_line, case.first_line + len(case.lines)
    for number, line in enumerate(lines, start=1):
        out.append(line if start <= number < end else "")
    return "\n".join(out)


def settings_for(code: str, case: Case) -> Settings:
    options = dict(case.options)
    options.setdefault("select", [code])
    return parse(options, f"fixture case {case.index}")


def run_case(path: Path, case: Case) -> list[Diagnostic]:
    code = path.name.split("-", 1)[0]
    text = path.read_text(encoding="utf-8")
    linter = Linter(settings_for(code, case))
    result = linter.lint_text(case_text(text, case), path.name)
    return [d for d in result.diagnostics if d.code == code]


def compare(path: Path, case: Case, diagnostics: list[Diagnostic]) -> list[str]:
    """Human-readable mismatches; empty when the case behaves as its comments say."""
    code = path.name.split("-", 1)[0]
    expected = [e for e in case.expectations if e.code == code]
    actual = Counter((d.start[0] + 1, d.code) for d in diagnostics)
    wanted = Counter((e.line, e.code) for e in expected)
    problems = []
    for (line, c), n in (wanted - actual).items():
        problems.append(f"-expected {c} on line {line} (x{n})")
    for (line, c), n in (actual - wanted).items():
        msgs = [d.message for d in diagnostics if d.start[0] + 1 == line]
        problems.append(f"+unexpected {c} on line {line} (x{n}): {msgs}")
    for e in expected:
        on_line = [d for d in diagnostics if d.start[0] + 1 == e.line]
        if e.column is not None and on_line and not any(d.start[1] + 1 == e.column for d in on_line):
            problems.append(f"-expected {e.code} at {e.line}:{e.column}, got columns {[d.start[1] + 1 for d in on_line]}")
        if e.text is not None and on_line and not any(e.text in d.message for d in on_line):
            problems.append(f"-expected {e.code} on line {e.line} with {e.text!r} in: {[d.message for d in on_line]}")
    return problems

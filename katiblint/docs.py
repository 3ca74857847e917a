"""Rule documentation: `rules/<CODE>-<name>.md`, the single source for `explain`, SARIF and docs.

A doc starts with `# <name> (<CODE>)` and has the sections What it does / Why it matters /
Example / Fix (plus optional Fix safety, Options, References).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from katiblint.resources import rules_dir

REQUIRED_SECTIONS = ("What it does", "Why it matters", "Example", "Fix")
_H1 = re.compile(r"^# (?P<name>[a-z0-9-]+) \((?P<code>KAT\d{3})\)\s*$")


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    path: Path
    text: str
    sections: dict[str, str]

    @property
    def what(self) -> str:
        return self.sections.get("What it does", "").strip()

    @property
    def why(self) -> str:
        return self.sections.get("Why it matters", "").strip()

    @property
    def first_sentence(self) -> str:
        text = " ".join(self.what.split())
        match = re.match(r"(.+?[.!?])(\s|$)", text)
        return match.group(1) if match else text

    def yaml_blocks(self, section: str) -> list[str]:
        return re.findall(r"```ya?ml\n(.*?)```", self.sections.get(section, ""), re.S)


def parse_doc(path: Path) -> RuleDoc:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    match = _H1.match(lines[0]) if lines else None
    if not match:
        raise ValueError(f"{path}: the first line must be `# <name> (<CODE>)`")
    sections: dict[str, str] = {}
    current: str | None = None
    buffer: list[str] = []
    in_code = False
    for line in lines[1:]:
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(buffer).strip("\n")
            current, buffer = line[3:].strip(), []
        else:
            buffer.append(line)
    if current is not None:
        sections[current] = "\n".join(buffer).strip("\n")
    return RuleDoc(match.group("code"), match.group("name"), path, text, sections)


@lru_cache(maxsize=None)
def all_docs() -> dict[str, RuleDoc]:
    docs: dict[str, RuleDoc] = {}
    for path in sorted(rules_dir().glob("KAT*-*.md")):
        doc = parse_doc(path)
        docs[doc.code] = doc
    return docs


def doc_for(code: str) -> RuleDoc | None:
    return all_docs().get(code)

"""Every rule doc's first `## Example` block triggers its rule, and its first `## Fix` block does not.

A doc whose example cannot be written as YAML (an internal error, undecodable bytes) opts out
with the HTML comment `<!-- example: not runnable -->` and a prose explanation (rules that need
more than one file to show, such as a comparison with an earlier revision, may too); its Fix
block must still be clean.
"""

from __future__ import annotations

import re

import pytest

from katiblint.config import parse
from katiblint.docs import all_docs
from katiblint.engine import Linter

NOT_RUNNABLE = "<!-- example: not runnable -->"


def _codes_found(code: str, text: str) -> list[str]:
    linter = Linter(parse({"select": [code]}, f"doc example of {code}"))
    result = linter.lint_text(text, f"{code}.yaml")
    return [d.code for d in result.diagnostics if d.code == code]


@pytest.mark.parametrize("code", sorted(all_docs()))
def test_example_triggers_the_rule(code: str) -> None:
    doc = all_docs()[code]
    blocks = doc.yaml_blocks("Example")
    if NOT_RUNNABLE in doc.sections["Example"]:
        return
    assert blocks, f"{doc.path.name}: `## Example` has no yaml block (or opt out with {NOT_RUNNABLE})"
    assert _codes_found(code, blocks[0]), f"{doc.path.name}: the example does not trigger {code}"


@pytest.mark.parametrize("code", sorted(all_docs()))
def test_fix_is_clean(code: str) -> None:
    doc = all_docs()[code]
    blocks = doc.yaml_blocks("Fix")
    assert blocks, f"{doc.path.name}: `## Fix` has no yaml block"
    found = _codes_found(code, blocks[0])
    assert not found, f"{doc.path.name}: the fix still triggers {code}"


def test_opt_out_explains_itself() -> None:
    """An example that is not runnable says in prose what would trigger the rule."""
    for code, doc in all_docs().items():
        section = doc.sections.get("Example", "")
        if NOT_RUNNABLE not in section:
            continue
        prose = re.sub(r"```.*?```", "", section.replace(NOT_RUNNABLE, ""), flags=re.S).strip()
        assert len(prose) >= 40, f"{doc.path.name}: an example opted out with {NOT_RUNNABLE} must explain why in prose"

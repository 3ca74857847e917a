"""`katiblint examples/` (the README's first command) reports exactly what each example's header says.

Every example starts with a comment header containing `# katiblint reports: KAT123, KAT456`
(or `nothing`); the codes reported for the file must be exactly those.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from katiblint.cli import main_group

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
_HEADER = re.compile(r"^#\s*katiblint reports:\s*(?P<codes>.+?)\s*$", re.M)


def announced(path: Path) -> set[str]:
    header = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    match = _HEADER.search("\n".join(header))
    assert match, f"{path.name}: no `# katiblint reports:` line in the comment header"
    text = match.group("codes")
    if text.strip().lower() == "nothing":
        return set()
    codes = {c.strip() for c in text.split(",")}
    assert all(re.fullmatch(r"KAT\d{3}", c) for c in codes), f"{path.name}: malformed codes {text!r}"
    return codes


def reported() -> dict[str, set[str]]:
    result = CliRunner().invoke(main_group, ["check", str(EXAMPLES), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    data = json.loads(result.stdout)
    found: dict[str, set[str]] = {}
    for diag in data["diagnostics"]:
        found.setdefault(Path(diag["path"]).name, set()).add(diag["code"])
    return found


def test_examples_exist_and_vary() -> None:
    paths = sorted(EXAMPLES.glob("*.yaml"))
    assert 4 <= len(paths) <= 6
    codes = set().union(*(announced(p) for p in paths))
    assert any(not announced(p) for p in paths), "one example should be clean"
    assert len(codes) >= 6, f"the examples should show a varied report, not only {sorted(codes)}"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_reports_what_its_header_says(path: Path) -> None:
    assert reported().get(path.name, set()) == announced(path)

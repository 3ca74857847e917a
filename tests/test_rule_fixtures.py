"""Every rule's fixture behaves as its inline `# expect:` comments say."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import FIXTURES, compare, run_case, split_cases

# Rules whose finding cannot be written as a YAML fixture; each is tested elsewhere.
NO_TRIGGER_IN_FIXTURE = {
    "KAT006": "internal errors are provoked by a failing rule in test_engine.py",
    "KAT008": "undecodable bytes and unreadable files are tested in test_engine.py",
    "KAT062": "needs git history (--diff-base); tested with real repositories in test_diffbase.py",
    "KAT063": "needs git history (--diff-base); tested with real repositories in test_diffbase.py",
}


def _cases() -> list[tuple[Path, int]]:
    out = []
    for path in sorted(FIXTURES.glob("KAT*-*.yaml")):
        if path.name.endswith(".fixed.yaml"):
            continue
        for case in split_cases(path.read_text(encoding="utf-8")):
            out.append((path, case.index))
    return out


@pytest.mark.parametrize(("path", "index"), _cases(), ids=lambda v: v.name if isinstance(v, Path) else f"case{v}")
def test_fixture_case(path: Path, index: int) -> None:
    case = split_cases(path.read_text(encoding="utf-8"))[index]
    problems = compare(path, case, run_case(path, case))
    assert not problems, f"{path.name} case {index} (line {case.first_line}):\n" + "\n".join(problems)


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.glob("KAT*-*.yaml") if not p.name.endswith(".fixed.yaml")), ids=lambda p: p.name)
def test_fixture_has_failing_and_passing_cases(path: Path) -> None:
    code = path.name.split("-", 1)[0]
    cases = split_cases(path.read_text(encoding="utf-8"))
    flagged = [c for c in cases if any(e.code == code for e in c.expectations)]
    clean = [c for c in cases if not c.expectations]
    if code not in NO_TRIGGER_IN_FIXTURE:
        assert flagged, f"{path.name}: no case expects {code}"
    assert clean, f"{path.name}: no clean case (a document without expectations)"


def findings_snapshot(path: Path) -> str:
    """Every finding of the fixture's own code, whole: span, severity, message, help and fix."""
    out = [f"# {path.name}: whole findings per case; `pytest tests/test_rule_fixtures.py --update-goldens` rewrites"]
    for case in split_cases(path.read_text(encoding="utf-8")):
        for d in run_case(path, case):
            (sl, sc), (el, ec) = d.start, d.end
            out.append(f"case {case.index}: {sl + 1}:{sc + 1}-{el + 1}:{ec + 1} {d.severity.value} {d.code} {d.message}")
            if d.help:
                out.append(f"    help: {d.help}")
            if d.fix is not None:
                out.append(f"    fix ({d.fix.applicability.value}): {d.fix.title}")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.glob("KAT*-*.yaml") if not p.name.endswith(".fixed.yaml")), ids=lambda p: p.name)
def test_fixture_findings_match_their_snapshot(path: Path, update_goldens: bool) -> None:
    """The inline expectations pin where findings are; the snapshot pins what a user reads."""
    snapshot = path.with_suffix(".findings.txt")
    text = findings_snapshot(path)
    if update_goldens:
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.is_file(), f"{snapshot.name} is missing; run `pytest tests/test_rule_fixtures.py --update-goldens`"
    assert snapshot.read_text(encoding="utf-8") == text, f"{path.name}: findings changed; review and --update-goldens"

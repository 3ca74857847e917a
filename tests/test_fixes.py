"""`--fix`, `--unsafe-fixes` and `--diff`: what fixing does to a user's files.

Golden files: for every fixture of a fixable rule, `tests/fixtures/<CODE>-<name>.fixed.yaml` is
the fixture with all of that rule's fixes applied (unsafe ones included), case by case with the
case's options. Regenerate them with `pytest tests/test_fixes.py --update-goldens`.
"""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path

import pytest

from clirun import GOOD, katiblint
from harness import FIXTURES, case_text, settings_for, split_cases
from katiblint.config import Settings
from katiblint.diagnostics import Diagnostic, Edit, Fix
from katiblint.engine import Linter
from katiblint.fix.apply import choose, encode_like, fix_result, fix_text, parses
from katiblint.registry import discover
from katiblint.source import Span


def _fixable_fixtures() -> list[Path]:
    rules = discover()
    out = []
    for path in sorted(FIXTURES.glob("KAT*-*.yaml")):
        if path.name.endswith(".fixed.yaml"):
            continue
        rule = rules.get(path.name.split("-", 1)[0])
        if rule is not None and rule.fixable.value != "never":
            out.append(path)
    return out


def _golden(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".yaml") + ".fixed.yaml")


def fix_fixture(path: Path, unsafe: bool = True) -> str:
    """The fixture with its rule's fixes applied case by case (each with its own options)."""
    code = path.name.split("-", 1)[0]
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    total = len(lines)
    # Replace cases from the last one up, so earlier line numbers stay valid.
    for case in reversed(split_cases(text)):
        linter = Linter(settings_for(code, case))
        outcome = fix_text(linter, case_text(text, case), path.name, unsafe=unsafe)
        fixed = outcome.text.split("\n")
        before = case.first_line - 1
        after = total - (before + len(case.lines))  # in the blanked original, like `fixed`
        lines[before : before + len(case.lines)] = fixed[before : len(fixed) - after]
    return "\n".join(lines)


def _comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


@pytest.mark.parametrize("path", _fixable_fixtures(), ids=lambda p: p.name)
def test_fixture_fixes_match_golden(path: Path, update_goldens: bool) -> None:
    fixed = fix_fixture(path)
    golden = _golden(path)
    if update_goldens:
        golden.write_text(fixed, encoding="utf-8", newline="")
    assert golden.exists(), f"{golden.name} is missing; run `pytest tests/test_fixes.py --update-goldens`"
    assert golden.read_text(encoding="utf-8") == fixed, f"{path.name}: fixes changed; review and --update-goldens"


@pytest.mark.parametrize("path", _fixable_fixtures(), ids=lambda p: p.name)
def test_fixed_fixture_is_clean_keeps_comments_and_is_stable(path: Path, tmp_path: Path) -> None:
    code = path.name.split("-", 1)[0]
    original = path.read_text(encoding="utf-8")
    fixed = fix_fixture(path)
    assert _is_subsequence(_comment_lines(original), _comment_lines(fixed)), "a comment line was lost"
    assert parses(fixed) == parses(original), "the fixed fixture does not read back as the same documents"
    assert fix_fixture_text(path, fixed, tmp_path) == fixed, "a second --fix run changed the text again"
    for case in split_cases(fixed):
        linter = Linter(settings_for(code, case))
        remaining = [d for d in linter.lint_text(case_text(fixed, case), path.name).diagnostics if d.code == code]
        assert not [d for d in remaining if d.fix is not None], f"case at line {case.first_line}: fixable finding left"


def fix_fixture_text(path: Path, text: str, folder: Path) -> str:
    copy = folder / path.name  # same name: the code prefix selects the rule
    copy.write_text(text, encoding="utf-8", newline="")
    return fix_fixture(copy)


@pytest.mark.parametrize("path", _fixable_fixtures(), ids=lambda p: p.name)
def test_fixes_change_only_the_fixed_spans(path: Path) -> None:
    code = path.name.split("-", 1)[0]
    original = path.read_text(encoding="utf-8")
    fixed = fix_fixture(path)
    allowed: set[int] = set()  # 0-based lines of the original that some fix edits (or inserts at)
    for case in split_cases(original):
        result = Linter(settings_for(code, case)).lint_text(case_text(original, case), path.name)
        source = result.source
        if source is None:
            assert not result.judged and not result.diagnostics  # a case that holds no Experiment
            continue
        for d in result.diagnostics:
            for edit in d.fix.edits if d.fix else ():
                first, last = source.position(edit.span.start)[0], source.position(edit.span.end)[0]
                allowed.update(range(first - 1, last + 2))
    matcher = difflib.SequenceMatcher(a=original.split("\n"), b=fixed.split("\n"), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            continue
        touched = set(range(i1, i2)) or {i1}
        assert touched <= allowed, f"{path.name}: lines {sorted(touched - allowed)} changed with no fix there"


# -- the applier ----------------------------------------------------------------------------------


def _linter(*select: str, **options: object) -> Linter:
    return Linter(Settings(select=select or ("ALL",), **options))  # type: ignore[arg-type]


USES_LR = GOOD.replace("${trialParameters.learningRate}", "${trialParameters.lr}")
QUOTE_ME = GOOD.replace('min: "0.01"', "min: 0.01").replace('max: "0.05"', "max: 0.05")


def test_safe_fixes_quote_numbers_and_keep_everything_else() -> None:
    outcome = fix_text(_linter("KAT005"), QUOTE_ME)
    assert outcome.text == GOOD
    assert outcome.fixed == 2
    assert outcome.result.diagnostics == []


def test_unsafe_fixes_need_opting_in() -> None:
    text = GOOD.replace("name: random\n", "name: Random_Search\n", 1)
    safe = fix_text(_linter("KAT101"), text)
    assert safe.text == text and safe.fixed == 0
    unsafe = fix_text(_linter("KAT101"), text, unsafe=True)
    assert "name: random-search\n" in unsafe.text and unsafe.fixed == 1


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    a = Diagnostic("KAT999", "x", discover()["KAT005"].severity, "a", Span(0, 4), fix=Fix.safe("a", Edit.replace(Span(0, 4), "A")))
    b = Diagnostic("KAT999", "x", a.severity, "b", Span(2, 6), fix=Fix.safe("b", Edit.replace(Span(2, 6), "B")))
    c = Diagnostic("KAT999", "x", a.severity, "c", Span(9, 9), fix=Fix.safe("c", Edit.insert(9, "C")))
    twin = Diagnostic("KAT999", "x", a.severity, "twin", Span(9, 9), fix=Fix.safe("c", Edit.insert(9, "C")))
    chosen = choose([b, c, a, twin], unsafe=False)
    assert [(f.title, [d.message for d in group]) for f, group in chosen] == [("a", ["a"]), ("c", ["c", "twin"])]


def test_a_fix_that_breaks_yaml_is_not_applied() -> None:
    linter = _linter("KAT005")
    result = linter.lint_text(QUOTE_ME)
    broken = Diagnostic(
        "KAT005", "non-string-value", result.diagnostics[0].severity, "bad", Span(0, 0),
        fix=Fix.safe("break it", Edit.insert(0, "apiVersion: [\n")),
    )
    result.diagnostics.insert(0, broken)
    outcome = fix_result(linter, result)
    assert outcome.text == GOOD  # the two good fixes still applied
    assert broken in outcome.rejected


def test_a_file_that_does_not_parse_is_never_fixed() -> None:
    text = QUOTE_ME + "---\nkey: [unclosed\n"
    outcome = fix_text(_linter("KAT001", "KAT005"), text)
    assert outcome.text == text and outcome.fixed == 0


def test_crlf_kept_in_inserted_lines() -> None:
    text = USES_LR.replace("reference: lr", "reference: other").replace("\n", "\r\n")
    outcome = fix_text(_linter("KAT302"), text, unsafe=True)
    assert outcome.fixed == 1
    assert "\n" not in outcome.text.replace("\r\n", "")
    assert "      - name: lr\r\n        reference: lr\r\n" in outcome.text


def test_encode_like_keeps_boms() -> None:
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        original = bom + "a: 1\n".encode(enc)
        assert encode_like(original, "a: 2\n") == bom + "a: 2\n".encode(enc)
    assert encode_like(b"a: 1\n", "a: 2\n") == b"a: 2\n"


# -- KAT302 and KAT303 fixes ----------------------------------------------------------------------

def test_declare_appends_to_the_existing_list_with_sibling_indentation() -> None:
    outcome = fix_text(_linter("KAT302"), USES_LR.replace("reference: lr", "reference: other"), unsafe=True)
    assert (
        "      - name: learningRate\n        reference: other\n      - name: lr\n        reference: lr\n    trialSpec:"
        in outcome.text
    )


def test_declare_prefers_renaming_to_the_entry_that_already_references_it() -> None:
    outcome = fix_text(_linter("KAT302"), USES_LR)
    assert outcome.text == GOOD  # safe: `learningRate` takes its value from `lr`


@pytest.mark.parametrize(
    "replacement",
    ["", "    trialParameters:\n", "    trialParameters: []\n", "    trialParameters: ~  # none yet\n"],
    ids=["missing", "empty", "flow", "null"],
)
def test_declare_creates_the_list(replacement: str) -> None:
    text = USES_LR.replace("    trialParameters:\n      - name: learningRate\n        reference: lr\n", replacement)
    outcome = fix_text(_linter("KAT302"), text, unsafe=True)
    assert outcome.fixed == 1 and not outcome.result.diagnostics
    assert "    trialParameters:" in outcome.text and "      - name: lr\n        reference: lr\n" in outcome.text
    if "#" in replacement:
        assert "# none yet" in outcome.text
    assert fix_text(_linter("KAT302"), text).text == text  # unsafe: not without --unsafe-fixes


UNUSED = GOOD.replace(
    "        reference: lr\n", "        reference: lr\n      - name: momentum\n        reference: lr\n"
)


def test_remove_unused_trial_parameter_deletes_the_item_lines() -> None:
    outcome = fix_text(_linter("KAT303"), UNUSED, unsafe=True)
    assert outcome.text == GOOD
    assert fix_text(_linter("KAT303"), UNUSED).text == UNUSED


def test_remove_is_not_offered_when_it_would_drop_a_comment() -> None:
    text = UNUSED.replace("      - name: momentum\n", "      - name: momentum  # for later\n")
    result = _linter("KAT303").lint_text(text)
    assert [d.code for d in result.diagnostics] == ["KAT303"] and result.diagnostics[0].fix is None


def test_remove_is_not_offered_while_a_placeholder_is_undeclared() -> None:
    text = UNUSED.replace("${trialParameters.learningRate}", "${trialParameters.learningRat}")
    result = _linter("KAT303").lint_text(text)
    assert all(d.fix is None for d in result.diagnostics if d.code == "KAT303")


# -- the command line -----------------------------------------------------------------------------


def test_fix_writes_the_file_and_reports_what_is_left(tmp_path: Path) -> None:
    f = tmp_path / "exp.yaml"
    f.write_text(QUOTE_ME.replace("name: random\n", "name: Random\n", 1))
    run = katiblint("--fix", "--select", "KAT005,KAT101", f)
    assert run.code == 1
    assert 'min: "0.01"' in f.read_text() and "name: Random\n" in f.read_text()
    assert "Fixed 2 findings (1 remaining)" in run.out
    assert "1 more fixable with `--fix --unsafe-fixes` (KAT101)" in run.out
    run = katiblint("--fix", "--unsafe-fixes", "--select", "KAT005,KAT101", f)
    assert run.code == 0 and "Fixed 1 finding." in run.out and "name: random\n" in f.read_text()


def test_diff_prints_changes_and_writes_nothing(tmp_path: Path) -> None:
    f = tmp_path / "exp.yaml"
    f.write_text(QUOTE_ME)
    run = katiblint("--diff", "--select", "KAT005", f)
    assert run.code == 1
    assert '-        min: 0.01\n-        max: 0.05\n+        min: "0.01"\n+        max: "0.05"\n' in run.out
    assert run.out.startswith(f"--- {f}\n+++ {f}\n@@ ")
    assert f.read_text() == QUOTE_ME
    f.write_text(GOOD)
    run = katiblint("--diff", "--select", "KAT005", f)
    assert run.code == 0 and run.out == ""


def test_fix_on_stdin_writes_the_document_to_stdout() -> None:
    run = katiblint("--fix", "--select", "KAT005,KAT101", "-", stdin=QUOTE_ME.replace("name: random\n", "name: Random\n", 1))
    assert run.out == GOOD.replace("name: random\n", "name: Random\n", 1)
    assert "KAT101" in run.err and "Fixed 2 findings" in run.err
    assert run.code == 1


def test_crlf_and_bom_files_keep_their_bytes(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.yaml"
    crlf.write_bytes(b"\xef\xbb\xbf" + QUOTE_ME.replace("\n", "\r\n").encode())
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes(b"\xff\xfe" + QUOTE_ME.encode("utf-16-le"))
    run = katiblint("--fix", "--select", "KAT005", crlf, utf16)
    assert run.code == 0, run.both
    assert crlf.read_bytes() == b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()
    assert utf16.read_bytes() == b"\xff\xfe" + GOOD.encode("utf-16-le")


def test_fix_keeps_permissions(tmp_path: Path) -> None:
    f = tmp_path / "exp.yaml"
    f.write_text(QUOTE_ME)
    f.chmod(0o640)
    assert katiblint("--fix", "--select", "KAT005", f).code == 0
    assert stat.S_IMODE(f.stat().st_mode) == 0o640 and f.read_text() == GOOD
    assert [p.name for p in tmp_path.iterdir()] == ["exp.yaml"]  # no temporary file left


def test_fix_through_a_symlink_fixes_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real" / "exp.yaml"
    target.parent.mkdir()
    target.write_text(QUOTE_ME)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    assert katiblint("--fix", "--select", "KAT005", link).code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == GOOD


def test_unparsable_file_is_untouched(tmp_path: Path) -> None:
    f = tmp_path / "exp.yaml"
    text = QUOTE_ME + "---\nbroken: [\n"
    f.write_text(text)
    run = katiblint("--fix", "--select", "KAT001,KAT005", f)
    assert run.code == 1 and "KAT001" in run.out
    assert f.read_text() == text


def test_read_only_file_is_reported_and_kept(tmp_path: Path) -> None:
    f = tmp_path / "exp.yaml"
    f.write_text(QUOTE_ME)
    f.chmod(0o444)
    run = katiblint("--fix", "--select", "KAT005", f)
    assert run.code == 2
    assert "read-only" in run.err and "nothing was changed" in run.err
    assert f.read_text() == QUOTE_ME
    assert "KAT005" in run.out  # its findings are still reported


def test_read_only_folder_is_reported_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    f = folder / "exp.yaml"
    f.write_text(QUOTE_ME)
    folder.chmod(0o555)
    try:
        run = katiblint("--fix", "--select", "KAT005", f)
    finally:
        folder.chmod(0o755)
    assert run.code == 2 and "read-only" in run.err
    assert f.read_text() == QUOTE_ME and [p.name for p in folder.iterdir()] == ["exp.yaml"]

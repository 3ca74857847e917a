"""Suppressions: `# katiblint: disable=...` comments, `disable-file=`, and `ignore.katiblint.io/*` annotations."""

from __future__ import annotations

from clirun import BAD, BAD_LINE, GOOD, katiblint
from katiblint.config import Settings
from katiblint.engine import Linter

PLACEHOLDER_LINE = '                  - "--bs=${trialParameters.batchSize}"\n'
assert PLACEHOLDER_LINE in BAD


# The rules these cases exercise; other rules' opinions of the sample manifests are not the point here.
SELECT = ("KAT003", "KAT101", "KAT302", "KAT303")


def lint(text: str, **settings: object) -> list[tuple[str, int, str]]:
    """(code, 1-based line, severity) of every finding of the selected rules."""
    settings.setdefault("select", SELECT)
    result = Linter(Settings().with_overrides(**settings)).lint_text(text, "exp.yaml")
    return [(d.code, d.start[0] + 1, d.severity.value) for d in result.diagnostics]


def codes(text: str, **settings: object) -> list[str]:
    return [code for code, _, _ in lint(text, **settings)]


def with_line(text: str, replacement: str) -> str:
    return text.replace(PLACEHOLDER_LINE, replacement)


def test_the_unsuppressed_manifest_has_the_finding() -> None:
    assert lint(BAD) == [("KAT302", BAD_LINE, "error")]


def test_disable_at_the_end_of_the_line() -> None:
    text = with_line(BAD, PLACEHOLDER_LINE.rstrip("\n") + "  # katiblint: disable=KAT302\n")
    assert codes(text) == []


def test_disable_on_the_line_before() -> None:
    text = with_line(BAD, "                  # katiblint: disable=KAT302\n" + PLACEHOLDER_LINE)
    assert codes(text) == []


def test_disable_on_the_line_before_skips_blank_and_comment_lines() -> None:
    text = with_line(BAD, "                  # katiblint: disable=KAT302\n\n                  # why: legacy\n" + PLACEHOLDER_LINE)
    assert codes(text) == []


def test_disable_on_the_line_before_covers_only_the_next_line() -> None:
    text = with_line(BAD, "                  # katiblint: disable=KAT302\n                  - --epochs=1\n" + PLACEHOLDER_LINE)
    assert sorted(codes(text)) == ["KAT003", "KAT302"]


def test_disable_by_name_and_in_a_list() -> None:
    by_name = with_line(BAD, PLACEHOLDER_LINE.rstrip("\n") + "  # katiblint: disable=undefined-trial-parameter\n")
    assert codes(by_name) == []
    in_list = with_line(BAD, PLACEHOLDER_LINE.rstrip("\n") + "  # katiblint: disable=KAT101, KAT302\n")
    # KAT101 is in the list but has nothing to suppress there.
    assert codes(in_list) == ["KAT003"]


def test_disable_other_code_does_not_suppress() -> None:
    text = with_line(BAD, PLACEHOLDER_LINE.rstrip("\n") + "  # katiblint: disable=KAT303\n")
    assert sorted(codes(text)) == ["KAT003", "KAT302"]


def test_disable_file() -> None:
    assert codes("# katiblint: disable-file=KAT302\n" + BAD) == []
    assert codes(BAD + "# katiblint: disable-file=undefined-trial-parameter\n") == []


def test_hash_inside_a_quoted_scalar_is_not_a_directive() -> None:
    double = with_line(BAD, '                  - "--bs=${trialParameters.batchSize} # katiblint: disable=KAT302"\n')
    single = with_line(BAD, "                  - '--bs=${trialParameters.batchSize} # katiblint: disable=KAT302'\n")
    for text in (double, single):
        assert codes(text) == ["KAT302"]


def test_hash_inside_a_block_scalar_is_not_a_directive() -> None:
    block = with_line(
        BAD,
        "                  - |\n"
        "                    python3 train.py --bs=${trialParameters.batchSize}  # katiblint: disable=KAT302\n",
    )
    assert codes(block) == ["KAT302"]
    assert codes("# katiblint: disable-file=KAT302\n" + block) == []


def test_unused_suppression_is_a_warning_at_the_comment() -> None:
    text = GOOD.replace("  name: random\n", "  name: random  # katiblint: disable=KAT302\n")
    line = text.splitlines().index("  name: random  # katiblint: disable=KAT302") + 1
    result = Linter(Settings(select=SELECT)).lint_text(text, "exp.yaml")
    [diag] = result.diagnostics
    assert (diag.code, diag.severity.value, diag.start[0] + 1) == ("KAT003", "warning", line)
    assert diag.start[1] == len("  name: random  ")
    assert "`KAT302`" in diag.message and "no such finding here" in diag.message


def test_unknown_code_in_a_suppression_is_reported() -> None:
    text = "# katiblint: disable-file=KAT999\n" + GOOD
    result = Linter(Settings(select=SELECT)).lint_text(text, "exp.yaml")
    [diag] = result.diagnostics
    assert diag.code == "KAT003" and "unknown rule" in diag.message


def test_suppressing_a_disabled_rule_is_not_stale() -> None:
    text = with_line(BAD, PLACEHOLDER_LINE.rstrip("\n") + "  # katiblint: disable=KAT302\n")
    assert codes(text, ignore=("KAT302",)) == []


def test_kat003_can_be_suppressed_or_ignored() -> None:
    text = GOOD.replace("  name: random\n", "  name: random  # katiblint: disable=KAT302\n")
    assert codes(text, ignore=("KAT003",)) == []


def _annotated(text: str, annotations: str) -> str:
    return text.replace("  namespace: kubeflow\n", "  namespace: kubeflow\n  annotations:\n" + annotations, 1)


def test_annotation_suppresses_in_that_experiment() -> None:
    by_code = _annotated(BAD, '    ignore.katiblint.io/KAT302: "batchSize is filled by our wrapper"\n')
    by_name = _annotated(BAD, '    ignore.katiblint.io/undefined-trial-parameter: "ok"\n')
    assert codes(by_code) == []
    assert codes(by_name) == []


def test_annotation_covers_only_its_own_document() -> None:
    annotated = _annotated(BAD, '    ignore.katiblint.io/KAT302: "ok"\n')
    stream = annotated + "---\n" + BAD
    second_start = annotated.count("\n") + 1
    assert lint(stream) == [("KAT302", second_start + BAD_LINE, "error")]


def test_unused_annotation_is_reported() -> None:
    text = _annotated(GOOD, '    ignore.katiblint.io/KAT302: "ok"\n')
    result = Linter(Settings(select=SELECT)).lint_text(text, "exp.yaml")
    [diag] = result.diagnostics
    assert diag.code == "KAT003"
    assert result.source is not None and result.source.line_text(diag.start[0]).strip().startswith("ignore.katiblint.io/")


def test_suppression_through_the_command_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "exp.yaml").write_text(with_line(BAD, PLACEHOLDER_LINE.rstrip("\n") + "  # katiblint: disable=KAT302\n"))
    run = katiblint("exp.yaml", cwd=tmp_path)
    assert run.code == 0 and "All checks passed" in run.out

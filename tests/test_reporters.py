"""Output formats as users and CI systems read them: full, concise, github, sarif."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirun import BAD, BAD_COLUMN, BAD_LINE, GOOD, ROOT, katiblint
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.engine import FileResult
from katiblint.reporters import ReportOptions
from katiblint.reporters import concise as concise_reporter
from katiblint.reporters import full as full_reporter
from katiblint.reporters import github as github_reporter
from katiblint.source import SourceFile, Span

PLACEHOLDER = "${trialParameters.batchSize}"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def bad_dir(tmp_path: Path) -> Path:
    (tmp_path / "bad.yaml").write_text(BAD)
    return tmp_path


# -- full ---------------------------------------------------------------------------------------


def test_full_shows_a_code_frame_with_a_caret_under_the_span(bad_dir: Path) -> None:
    run = katiblint("bad.yaml", "--select", "KAT302", cwd=bad_dir)
    lines = run.out.splitlines()
    assert lines[0].startswith("error KAT302")
    assert PLACEHOLDER in lines[0]
    assert lines[1] == f"  --> bad.yaml:{BAD_LINE}:{BAD_COLUMN}"
    source_line = next(line for line in lines if line.startswith(f"{BAD_LINE} |"))
    assert source_line.endswith(BAD.splitlines()[BAD_LINE - 1])
    caret_line = lines[lines.index(source_line) + 1]
    carets = re.search(r"\^+", caret_line)
    assert carets is not None
    assert carets.start() == source_line.index(PLACEHOLDER)
    assert carets.group() == "^" * len(PLACEHOLDER)
    assert caret_line.endswith(" undefined-trial-parameter")
    help_line = next(line for line in lines if line.startswith("help: "))
    assert help_line.endswith("(katiblint explain KAT302)")
    assert lines[-1].startswith("Found 1 error in 1 file (1 checked).")


def test_full_frame_of_a_span_over_several_lines(tmp_path: Path) -> None:
    # A duplicate key spans one line; a block mapping under a bad key spans several: the frame
    # shows the first lines of the span, never more than five.
    text = GOOD.replace("  objective:\n", "  objective:\n    type: maximize\n", 1)
    (tmp_path / "dup.yaml").write_text(text)
    run = katiblint("dup.yaml", "--select", "KAT002", cwd=tmp_path)
    assert run.code == 1
    assert "duplicate key `type`" in run.out
    frame = [line for line in run.out.splitlines() if re.match(r"^\s*\d* \|", line)]
    assert len([line for line in frame if re.match(r"^\s*\d+ \|", line)]) <= 5
    assert any("^^^^" in line for line in frame)


def test_full_summary_when_clean(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    assert katiblint("good.yaml", cwd=tmp_path).out == "All checks passed (1 file checked).\n"


# -- concise ------------------------------------------------------------------------------------

CONCISE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>KAT\d{3})(?: \[\*\])? \[(?P<sev>error|warning|info)\] (?P<msg>.+) \[(?P<name>[a-z0-9-]+)\]$")


def test_concise_shape(bad_dir: Path) -> None:
    (bad_dir / "other.yaml").write_text(BAD)
    run = katiblint(".", "--format", "concise", "--select", "KAT302", cwd=bad_dir)
    *findings, summary = run.out.splitlines()
    assert len(findings) == 2
    for line in findings:
        match = CONCISE.match(line)
        assert match, line
        assert (match["line"], match["col"], match["code"], match["sev"], match["name"]) == (
            str(BAD_LINE), str(BAD_COLUMN), "KAT302", "error", "undefined-trial-parameter"
        )
    assert [CONCISE.match(line)["path"] for line in findings] == ["bad.yaml", "other.yaml"]  # type: ignore[index]
    assert summary.startswith("Found 2 errors in 2 files (2 checked).")


# -- github -------------------------------------------------------------------------------------

ANNOTATION = re.compile(r"^::(?P<level>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def _props(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(","))


def _unescape(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_annotations(bad_dir: Path) -> None:
    run = katiblint("bad.yaml", "--format", "github", "--select", "KAT302", cwd=bad_dir)
    lines = run.out.splitlines()
    assert lines[0] == "::group::bad.yaml" and lines[-1] == "::endgroup::"
    match = ANNOTATION.match(lines[1])
    assert match, lines[1]
    props = _props(match["props"])
    assert match["level"] == "error"
    assert props["file"] == "bad.yaml"
    assert (props["line"], props["col"]) == (str(BAD_LINE), str(BAD_COLUMN))
    assert props["endLine"] == str(BAD_LINE)
    assert _unescape(props["title"]) == "KAT302 undefined-trial-parameter"
    message = _unescape(match["message"])
    assert PLACEHOLDER in message.splitlines()[0]
    assert message.splitlines()[1].startswith("help: ")
    assert "\n" not in match["message"]


def test_github_is_the_default_under_github_actions(bad_dir: Path) -> None:
    run = katiblint("bad.yaml", "--select", "KAT302", cwd=bad_dir, env={"GITHUB_ACTIONS": "true"})
    assert run.out.startswith("::group::bad.yaml\n::error ")


def test_github_escapes_properties_and_message() -> None:
    source = SourceFile("dir,1/a:b%.yaml", "kind: Experiment\n")
    diag = Diagnostic("KAT101", "invalid-experiment-name", Severity.WARNING, "100% wrong,\r\nsecond: line", Span(0, 4))
    diag.help = "do: this"
    diag.start, diag.end = (0, 0), (0, 4)
    result = FileResult(source.path, source, [diag])
    out = github_reporter.render([result], ReportOptions())
    line = out.splitlines()[1]
    match = ANNOTATION.match(line)
    assert match, line
    props = _props(match["props"])
    assert props["file"] == "dir%2C1/a%3Ab%25.yaml"
    assert _unescape(props["file"]) == "dir,1/a:b%.yaml"
    assert match["level"] == "warning"
    assert match["message"] == "100%25 wrong,%0D%0Asecond: line%0Ahelp: do: this"
    info = Diagnostic("KAT101", "invalid-experiment-name", Severity.INFO, "x", Span(0, 1))
    out = github_reporter.render([FileResult(source.path, source, [info])], ReportOptions())
    assert out.splitlines()[1].startswith("::notice ")


def test_github_is_silent_when_clean(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    assert katiblint("good.yaml", "--format", "github", cwd=tmp_path).out == ""


# -- control characters and long lines ---------------------------------------------------------

# Characters that must never reach a terminal raw: controls (Cc), format characters such as bidi
# overrides (Cf), line and paragraph separators (Zl, Zp) and lone surrogates (Cs).
RAW = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in text if ch != "\n" and unicodedata.category(ch) in RAW]


def test_control_characters_in_values_are_shown_escaped(tmp_path: Path) -> None:
    # `\e` is YAML's escape for ESC; U+202E (right-to-left override) may appear raw in YAML.
    (tmp_path / "esc.yaml").write_text(GOOD.replace("name: random\n", 'name: "ra\\e[2JOM\u202ex"\n'), encoding="utf-8")
    quoted = "`ra\\x1b[2JOM\\u202ex`"
    for fmt in ("full", "concise", "github"):
        run = katiblint("esc.yaml", "--select", "KAT101", "--format", fmt, cwd=tmp_path)
        assert run.code == 1, run.err
        assert not _raw_controls(run.out), (fmt, run.out)
        assert f"Experiment name {quoted} contains upper-case letters" in run.out, (fmt, run.out)
    lines = katiblint("esc.yaml", "--select", "KAT101", cwd=tmp_path).out.splitlines()
    assert lines[2:5] == [
        "  |",
        '4 |   name: "ra\\e[2JOM\\u202ex"',
        "  |         ^^^^^^^^^^^^^^^^^^ invalid-experiment-name",
    ]


def test_full_frame_keeps_carets_under_escaped_and_wide_characters() -> None:
    text = "a:\n  b: \"\u4e2d\x07\tx\u202ey\"\n"
    source = SourceFile("f.yaml", text)
    start = text.index("x")
    diag = Diagnostic("KAT101", "invalid-experiment-name", Severity.ERROR, "bad", Span(start, start + 3), help="fix it")
    diag.start, diag.end = source.position(start), source.position(start + 3)
    out = full_reporter.render([FileResult("f.yaml", source, [diag])], ReportOptions()).splitlines()
    # The wide character takes two columns, `\x07` four, the tab four spaces, `\u202e` six.
    assert out[2:5] == [
        "  |",
        '2 |   b: "\u4e2d\\x07    x\\u202ey"',
        "  |                 ^^^^^^^^ invalid-experiment-name",
    ]


def test_full_frame_cuts_long_lines_around_the_span(tmp_path: Path) -> None:
    long_line = "x" * 300 + PLACEHOLDER + "y" * 300
    (tmp_path / "long.yaml").write_text(BAD.replace(PLACEHOLDER, long_line))
    run = katiblint("long.yaml", "--select", "KAT302", cwd=tmp_path)
    assert run.code == 1
    lines = run.out.splitlines()
    source_line = next(line for line in lines if line.startswith(f"{BAD_LINE} | "))
    shown = source_line[len(f"{BAD_LINE} | ") :]
    assert shown.startswith("...x") and shown.endswith("y...")
    assert len(shown) == 120
    carets = re.search(r"\^+", lines[lines.index(source_line) + 1])
    assert carets is not None
    assert source_line[carets.start() : carets.end()] == PLACEHOLDER
    assert f"  --> long.yaml:{BAD_LINE}:{BAD_COLUMN + 300}" in lines


def test_full_frame_of_a_span_at_the_end_of_a_long_line_fills_the_width() -> None:
    text = "k: " + "x" * 997 + "END\n"
    source = SourceFile("f.yaml", text)
    diag = Diagnostic("KAT101", "invalid-experiment-name", Severity.ERROR, "bad", Span(1000, 1003), help="fix it")
    diag.start, diag.end = source.position(1000), source.position(1003)
    out = full_reporter.render([FileResult("f.yaml", source, [diag])], ReportOptions()).splitlines()
    assert out[3] == "1 | ..." + "x" * 111 + "END"
    assert out[4] == "  | " + " " * 114 + "^^^ invalid-experiment-name"


def test_undecodable_file_is_one_line_without_a_frame(tmp_path: Path) -> None:
    # A file that says it is an Experiment, then binary bytes (one with no such line is not read at all)
    data = b"kind: Experiment\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20
    (tmp_path / "image.yaml").write_bytes(data)
    run = katiblint("image.yaml", cwd=tmp_path)
    assert run.code == 1
    assert run.out.splitlines() == [
        "error KAT008 the file is not valid UTF-8 (invalid start byte) at byte 17 (line 2); Kubernetes reads manifests as UTF-8",
        "  --> image.yaml:2:1",
        "help: save the file as UTF-8; if it is not a manifest (an image, an archive), leave it out with `--exclude` "
        "(katiblint explain KAT008)",
        "",
        "Found 1 error in 1 file (1 checked).",
    ]


def test_a_finding_without_help_points_to_its_documentation() -> None:
    source = SourceFile("f.yaml", "a: b\n")
    diag = Diagnostic("KAT009", "excessive-aliasing", Severity.ERROR, "too deep", Span(0, 1))
    out = full_reporter.render([FileResult("f.yaml", source, [diag])], ReportOptions())
    assert "help:" not in out
    assert "note: see `katiblint explain KAT009`" in out.splitlines()


HOSTILE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(["\x1b", "\x00", "\x85", "\x9b", "\u202e", "\u2066", "\u2028", "\u2029", "\ufeff", "\t", "\r", "\n", "\ud800"]),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(text=HOSTILE_TEXT, message=HOSTILE_TEXT, path=HOSTILE_TEXT, data=st.data())
def test_no_raw_control_character_reaches_human_readable_output(text: str, message: str, path: str, data: Any) -> None:
    source = SourceFile(path, text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    diag = Diagnostic("KAT101", "invalid-experiment-name", Severity.ERROR, message, Span(start, end), help=message)
    diag.start, diag.end = source.position(start), source.position(end)
    result = FileResult(path, source, [diag])
    for reporter in (full_reporter, concise_reporter, github_reporter):
        out = reporter.render([result], ReportOptions())
        assert not _raw_controls(out), (reporter.__name__, out)
        out.encode("utf-8")  # a lone surrogate would make writing the report fail
    assert len(concise_reporter.render([result], ReportOptions()).splitlines()) == 2  # one finding, one summary


# -- sarif --------------------------------------------------------------------------------------


def _validate_sarif(log: dict[str, Any]) -> list[dict[str, Any]]:
    """The official schema, then what GitHub code scanning requires on top. Returns the results."""
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    assert "results" in run
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["shortDescription"]["text"].strip(), rule["id"]
        assert rule["fullDescription"]["text"].strip(), rule["id"]
        assert rule["help"]["text"].strip(), rule["id"]
    for result in run["results"]:
        assert result["ruleId"] in ids
        if "ruleIndex" in result:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"].strip()
        [location] = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert "://" not in uri and not uri.startswith("/"), uri
        assert ".." not in uri.split("/"), uri
        region = physical["region"]
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            assert region[key] >= 1, (uri, region)
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"]), (uri, region)
        assert re.fullmatch(r"[0-9a-f]+:[0-9]+", result["partialFingerprints"]["primaryLocationLineHash"])
    return run["results"]


def test_sarif_of_the_project_fixtures_validates(tmp_path: Path) -> None:
    run = katiblint("tests/fixtures", "--format", "sarif", "-o", tmp_path / "out.sarif", cwd=ROOT)
    assert run.code == 1, run.both  # the fixtures hold findings; no internal error (that is exit 2)
    log = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    results = _validate_sarif(log)
    assert len(results) > 10
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert all(uri.startswith("tests/fixtures/KAT") for uri in uris), uris
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["exitCode"] == run.code


def test_sarif_of_a_single_finding(bad_dir: Path) -> None:
    run = katiblint("bad.yaml", "--format", "sarif", "--select", "KAT302", cwd=bad_dir)
    log = json.loads(run.out)
    [result] = _validate_sarif(log)
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {
        "startLine": BAD_LINE,
        "startColumn": BAD_COLUMN,
        "endLine": BAD_LINE,
        "endColumn": BAD_COLUMN + len(PLACEHOLDER),
    }
    assert result["ruleId"] == "KAT302" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.yaml"


def test_sarif_of_a_clean_run_has_empty_results(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    log = json.loads(katiblint("good.yaml", "--format", "sarif", cwd=tmp_path).out)
    assert _validate_sarif(log) == []


def test_sarif_line_hash_is_stable_when_lines_move(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BAD)
    (tmp_path / "b.yaml").write_text("# a comment pushes every line down\n\n" + BAD)
    log = json.loads(katiblint(".", "--format", "sarif", "--select", "KAT302", cwd=tmp_path).out)
    first, second = _validate_sarif(log)
    assert first["partialFingerprints"] == {
        **second["partialFingerprints"],
        "katiblint/v1": first["partialFingerprints"]["katiblint/v1"],
    }
    assert first["partialFingerprints"]["primaryLocationLineHash"] == second["partialFingerprints"]["primaryLocationLineHash"]


def test_sarif_of_the_shared_corpus_validates(shared_dir: Path, tmp_path: Path) -> None:
    corpus = shared_dir / "corpus"
    run = katiblint(".", "--format", "sarif", "-o", tmp_path / "corpus.sarif", cwd=corpus)
    assert run.code == 1, run.both  # the corpus holds broken manifests; no internal error (exit 2)
    log = json.loads((tmp_path / "corpus.sarif").read_text(encoding="utf-8"))
    results = _validate_sarif(log)
    assert results
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert any(uri.startswith("wild/") for uri in uris) and any(uri.startswith("katib-examples/") for uri in uris)

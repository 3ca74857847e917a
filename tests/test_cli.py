"""The command line as a user runs it: arguments, files, standard input, exit codes and output."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from clirun import BAD, BAD_COLUMN, BAD_LINE, CONFIGMAP, GOOD, ROOT, katiblint
from katiblint.registry import discover

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """good.yaml, bad.yaml, nested/deeper/bad.yml, skip/bad.yaml, notes.txt (a bad manifest, but not *.yaml)."""
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(BAD)
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "deeper" / "bad.yml").write_text(BAD)
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "bad.yaml").write_text(BAD)
    (tmp_path / "notes.txt").write_text(BAD)
    return tmp_path


def _paths(output: str) -> set[str]:
    return {line.split(":", 1)[0] for line in output.splitlines() if ": KAT" in line}


# -- invocation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [(), ("check",)], ids=["bare", "check"])
def test_bare_and_check_invocations_lint_a_file(tmp_path: Path, prefix: tuple[str, ...]) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint(*prefix, "bad.yaml", "--format", "concise", cwd=tmp_path)
    assert run.code == 1, run.both
    assert f"bad.yaml:{BAD_LINE}:{BAD_COLUMN}: KAT302" in run.out


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    run = katiblint("good.yaml", cwd=tmp_path)
    assert run.code == 0, run.both
    assert "All checks passed (1 file checked)" in run.out


def test_directories_are_walked_recursively_for_yaml_and_yml(tree: Path) -> None:
    run = katiblint(".", "--format", "concise", cwd=tree)
    assert run.code == 1
    assert _paths(run.out) == {"bad.yaml", "nested/deeper/bad.yml", "skip/bad.yaml"}
    assert "(5 checked)" not in run.out and "(4 checked)" in run.out  # notes.txt is not a manifest


@pytest.mark.parametrize("pattern", ["skip", "skip/", "skip/*", "./skip", "**/skip/bad.yaml", "**/skip"])
def test_exclude_globs(tree: Path, pattern: str) -> None:
    run = katiblint(".", "--format", "concise", "--exclude", pattern, cwd=tree)
    assert _paths(run.out) == {"bad.yaml", "nested/deeper/bad.yml"}, pattern


def test_exclude_by_file_name_everywhere(tree: Path) -> None:
    run = katiblint(".", "--format", "concise", "--exclude", "bad.y*ml", cwd=tree)
    assert run.code == 0, run.out
    assert "(1 file checked)" in run.out


def test_stdin_with_stdin_filename(tmp_path: Path) -> None:
    run = katiblint("-", "--stdin-filename", "manifests/exp.yaml", "--format", "concise", stdin=BAD, cwd=tmp_path)
    assert run.code == 1
    assert f"manifests/exp.yaml:{BAD_LINE}:{BAD_COLUMN}: KAT302" in run.out


def test_stdin_without_a_name_is_reported_as_dash(tmp_path: Path) -> None:
    run = katiblint("-", "--format", "concise", stdin=BAD, cwd=tmp_path)
    assert f"-:{BAD_LINE}:{BAD_COLUMN}: KAT302" in run.out
    assert katiblint("-", stdin=GOOD, cwd=tmp_path).code == 0


def test_non_experiment_documents_are_skipped_silently(tmp_path: Path) -> None:
    (tmp_path / "stream.yaml").write_text(CONFIGMAP + "---\n" + GOOD + "---\n" + "kind: Service\napiVersion: v1\n")
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)
    run = katiblint(".", cwd=tmp_path)
    assert run.code == 0, run.both
    assert run.err == ""
    assert "All checks passed (2 files checked)" in run.out


def test_an_experiment_after_other_documents_is_still_linted(tmp_path: Path) -> None:
    (tmp_path / "stream.yaml").write_text(CONFIGMAP + "---\n" + BAD)
    run = katiblint("stream.yaml", "--format", "concise", cwd=tmp_path)
    assert run.code == 1
    offset = CONFIGMAP.count("\n") + 1
    assert f"stream.yaml:{BAD_LINE + offset}:{BAD_COLUMN}: KAT302" in run.out


def test_no_paths_is_a_usage_error(tmp_path: Path) -> None:
    run = katiblint(cwd=tmp_path)
    assert run.code == 2
    assert "no paths given" in run.err


def test_missing_file_is_reported_not_crashed(tmp_path: Path) -> None:
    run = katiblint("nope.yaml", "--format", "concise", cwd=tmp_path)
    assert run.code == 1
    assert "nope.yaml:1:1: KAT008" in run.out
    assert "Traceback" not in run.err


# -- exit codes ---------------------------------------------------------------------------------

# An unused suppression (KAT003) is a warning: the file has a warning and no error.
WARNING_ONLY = GOOD.replace("kind: Experiment\n", "kind: Experiment  # katiblint: disable=KAT302\n")


def test_a_warning_does_not_fail_by_default(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(WARNING_ONLY)
    run = katiblint("w.yaml", "--format", "concise", cwd=tmp_path)
    assert "KAT003 [warning]" in run.out
    assert run.code == 0


def test_fail_on_warning_fails_on_a_warning(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(WARNING_ONLY)
    assert katiblint("w.yaml", "--fail-on", "warning", cwd=tmp_path).code == 1
    assert katiblint("w.yaml", "--fail-on", "info", cwd=tmp_path).code == 1
    assert katiblint("w.yaml", "--fail-on", "error", cwd=tmp_path).code == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--bogus",), "No such option"),
        (("--format", "xml"), "Invalid value for '--format'"),
        (("--fail-on", "fatal"), "Invalid value for '--fail-on'"),
        (("--select", "KAT999"), "`KAT999` is not a rule code, prefix or name"),
        (("--ignore", "no-such-rule"), "`no-such-rule` is not a rule code, prefix or name"),
        (("--extend-select", "XYZ"), "`XYZ` is not a rule code"),
        (("--config", "missing.toml"), "missing.toml: configuration file not found"),
        (
            ("--katib-version", "banana"),
            "--katib-version: `banana` is not a Katib release katiblint knows; expected 0.10 to 0.19 "
            "(e.g. `0.17` or `v0.17.0`), `latest` (0.19) or `master`",
        ),
        (("--katib-version", "0.9"), "`0.9` is not a Katib release katiblint knows"),
        (
            ("--kubernetes-version", "banana"),
            "--kubernetes-version: `banana` is not a Kubernetes version; expected 1.MINOR, e.g. `1.30` or `v1.30.2`",
        ),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint("bad.yaml", *args, cwd=tmp_path)
    assert run.code == 2, run.both
    assert needle in run.err
    assert "Traceback" not in run.err
    assert "KAT302" not in run.out  # nothing was linted


@pytest.mark.parametrize(
    "args",
    [("--katib-version", "0.17"), ("--katib-version", "v0.15.0"), ("--katib-version", "latest"),
     ("--katib-version", "master"), ("--kubernetes-version", "1.30"), ("--kubernetes-version", "v1.29.4")],
)
def test_valid_versions_are_accepted(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint("bad.yaml", "--format", "concise", "--select", "KAT302", *args, cwd=tmp_path)
    assert run.code == 1, run.err
    assert f"bad.yaml:{BAD_LINE}:{BAD_COLUMN}: KAT302" in run.out


def test_bad_config_file_exits_2_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text("selct = ['KAT3']\n")
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint("bad.yaml", cwd=tmp_path)
    assert run.code == 2
    assert ".katiblint.toml" in run.err and "selct" in run.err


# -- explain and rules --------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["KAT302", "kat302", "undefined-trial-parameter"])
def test_explain_by_code_or_name(rule: str) -> None:
    run = katiblint("explain", rule)
    assert run.code == 0, run.both
    first = run.out.splitlines()[0]
    assert first.startswith("KAT302 undefined-trial-parameter")
    doc = next((ROOT / "rules").glob("KAT302-*.md"), None)
    if doc is not None:
        # The whole rule document is printed, sections and examples included.
        assert doc.read_text(encoding="utf-8").strip() in run.out
    else:
        assert discover()["KAT302"].summary in run.out


def test_explain_prints_the_rule_document() -> None:
    run = katiblint("explain", "invalid-experiment-name")
    assert run.code == 0
    text = (ROOT / "rules" / "KAT101-invalid-experiment-name.md").read_text(encoding="utf-8")
    assert text.strip() in run.out
    assert "## What it does" in run.out and "```yaml" in run.out


def test_explain_json() -> None:
    run = katiblint("explain", "KAT101", "--format", "json")
    data = json.loads(run.out)
    assert data["code"] == "KAT101" and data["name"] == "invalid-experiment-name"
    assert "## Why it matters" in data["explanation"]


@pytest.mark.parametrize(
    ("typo", "guess"),
    [("undefined-trial-paramter", "undefined-trial-parameter"), ("KAT3020", "KAT302"), ("istio-sidecar", "istio-sidecar-injection")],
)
def test_explain_unknown_rule_exits_2_with_a_suggestion(typo: str, guess: str) -> None:
    run = katiblint("explain", typo)
    assert run.code == 2
    assert f"unknown rule `{typo}`" in run.err
    assert f"did you mean `{guess}`?" in run.err


def test_rules_lists_every_rule() -> None:
    run = katiblint("rules")
    assert run.code == 0
    rules = discover()
    listed = {line.split()[0]: line.split()[1] for line in run.out.splitlines()[1:] if line.strip()}
    assert listed == {code: rule.name for code, rule in rules.items()}
    data = json.loads(katiblint("rules", "--format", "json").out)
    assert [r["code"] for r in data] == sorted(rules)
    assert {"code", "name", "severity", "fix", "default_enabled", "summary"} <= set(data[0])


def test_version_and_help() -> None:
    from katiblint import __version__

    assert __version__ in katiblint("--version").out
    run = katiblint("--help")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[:2] == ["Usage: katiblint [OPTIONS] PATH...", "       katiblint COMMAND [ARGS]..."]
    # A bare `katiblint PATH` is the main use: its options are on the first help page ...
    options = [line.split()[0] for line in lines if line.startswith("  -")]
    for option in ("--format", "--select", "--ignore", "--fail-on", "--fix", "--katib-version", "--statistics", "--version"):
        assert option in options, run.out
    assert options.count("-h,") == 1
    # ... and the other commands stay discoverable.
    commands = lines[lines.index("Commands:") + 1 :]
    assert [line.split()[0] for line in commands] == ["check", "explain", "rules", "new", "schema", "webhook", "server"]
    assert katiblint("-h").out == run.out


# -- output -------------------------------------------------------------------------------------


def test_json_format_has_the_documented_structure(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    (tmp_path / "good.yaml").write_text(GOOD)
    run = katiblint(".", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    data = json.loads(run.out)
    assert set(data) == {"version", "tool", "files_checked", "diagnostics"}
    assert data["version"] == 1
    assert data["tool"]["name"] == "katiblint"
    assert data["files_checked"] == 2
    [diag] = data["diagnostics"]
    assert set(diag) == {
        "path", "code", "name", "severity", "message", "help", "start", "end", "field", "document", "object", "fix"
    }
    assert diag["path"] == "bad.yaml"
    assert (diag["code"], diag["name"], diag["severity"]) == ("KAT302", "undefined-trial-parameter", "error")
    assert diag["start"] == {"line": BAD_LINE, "column": BAD_COLUMN}
    assert diag["end"] == {"line": BAD_LINE, "column": BAD_COLUMN + len("${trialParameters.batchSize}")}
    assert diag["field"] == "spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command[3]"
    assert (diag["document"], diag["object"]) == (0, "random")
    assert "batchSize" in diag["message"]


def test_json_of_a_clean_run(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    data = json.loads(katiblint("good.yaml", "--format", "json", cwd=tmp_path).out)
    assert data["diagnostics"] == [] and data["files_checked"] == 1


def test_statistics_counts_per_rule(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BAD)
    (tmp_path / "b.yaml").write_text(BAD)
    (tmp_path / "w.yaml").write_text(WARNING_ONLY)
    run = katiblint(".", "--statistics", cwd=tmp_path)
    assert run.code == 1
    rows = [line.split() for line in run.out.splitlines()]
    assert rows == [["2", "KAT302", "undefined-trial-parameter"], ["1", "KAT003", "unused-suppression"]]


def test_statistics_as_json(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BAD)
    (tmp_path / "b.yaml").write_text(BAD)
    (tmp_path / "w.yaml").write_text(WARNING_ONLY)
    (tmp_path / "f.yaml").write_text(GOOD.replace("algorithmName: random", "algorithmName: Random"))
    run = katiblint(".", "--statistics", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    assert json.loads(run.out) == [
        {"code": "KAT302", "name": "undefined-trial-parameter", "count": 2, "fixable": 0},
        {"code": "KAT003", "name": "unused-suppression", "count": 1, "fixable": 0},
        {"code": "KAT201", "name": "unknown-algorithm", "count": 1, "fixable": 1},  # a safe fix: `random`
    ]
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    (tmp_path / "w.yaml").write_text(GOOD)
    (tmp_path / "f.yaml").write_text(GOOD)
    clean = katiblint(".", "--statistics", "--format", "json", cwd=tmp_path)
    assert (clean.code, clean.out) == (0, "[]\n")


def test_output_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint("bad.yaml", "--format", "json", "-o", "report.json", "--color", "always", cwd=tmp_path)
    assert run.code == 1
    assert run.out == ""
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["diagnostics"][0]["code"] == "KAT302"
    katiblint("bad.yaml", "--output", "report.txt", "--color", "always", cwd=tmp_path)
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "KAT302" in text and not ANSI.search(text)  # a file never gets colour codes


def test_output_file_in_a_new_folder_and_an_unwritable_one(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint("bad.yaml", "--format", "json", "-o", "reports/katiblint.json", cwd=tmp_path)
    assert (run.code, run.out, run.err) == (1, "", "")
    assert json.loads((tmp_path / "reports" / "katiblint.json").read_text(encoding="utf-8"))["diagnostics"]
    (tmp_path / "file").write_text("")
    run = katiblint("bad.yaml", "-o", "file/report.txt", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("katiblint: error: file/report.txt: cannot write the report: ")
    assert "Traceback" not in run.err and "internal error" not in run.err


def test_color_always_and_never(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    coloured = katiblint("bad.yaml", "--color", "always", cwd=tmp_path).out
    assert ANSI.search(coloured)
    plain = katiblint("bad.yaml", "--color", "never", cwd=tmp_path).out
    assert not ANSI.search(plain)
    assert ANSI.sub("", coloured) == plain
    # Not a terminal: no colour unless asked for.
    assert not ANSI.search(katiblint("bad.yaml", cwd=tmp_path).out)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    assert ANSI.search(_on_a_terminal(tmp_path, {}))
    assert not ANSI.search(_on_a_terminal(tmp_path, {"NO_COLOR": "1"}))


def _on_a_terminal(cwd: Path, env: dict[str, str]) -> str:
    """The output of `katiblint bad.yaml` written to a pseudo-terminal."""
    import pty
    import subprocess

    primary, secondary = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environ["PYTHONPATH"] = str(ROOT)
    environ.update(env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "katiblint", "bad.yaml"], cwd=cwd, stdout=secondary, stderr=secondary, env=environ
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(primary)
    return b"".join(chunks).decode("utf-8", "replace")


# -- syntax errors ------------------------------------------------------------------------------


def test_a_tab_in_indentation_is_named_as_a_tab(tmp_path: Path) -> None:
    (tmp_path / "tab.yaml").write_text("apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata:\n\tname: x\n")
    run = katiblint("tab.yaml", cwd=tmp_path)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[:6] == [
        "error KAT001 YAML syntax error: found a tab character, which cannot start any token "
        "(while scanning for the next token)",
        "  --> tab.yaml:4:1",
        "  |",
        "4 |     name: x",
        "  | ^^^^ yaml-syntax-error",
        "  |",
    ]
    assert lines[6] == "help: indent with spaces; YAML does not allow tabs for indentation (katiblint explain KAT001)"


def test_a_control_character_is_named_and_pointed_at(tmp_path: Path) -> None:
    # YAML forbids raw control characters; the parser's own column for them can be off.
    (tmp_path / "ctl.yaml").write_text(GOOD.replace("name: random", "name: r\u00e9\u202e\x1b[2Jx"), encoding="utf-8")
    run = katiblint("ctl.yaml", "--format", "concise", cwd=tmp_path)
    assert run.code == 1
    assert run.out.splitlines()[0] == (
        "ctl.yaml:4:12: KAT001 [error] YAML syntax error: the control character U+001B (`\\x1b`) "
        "is not allowed in YAML [yaml-syntax-error]"
    )
    full = katiblint("ctl.yaml", cwd=tmp_path).out
    assert 'help: remove it, or write it as an escape inside a double-quoted string (`"\\x1b"`)' in full
    assert "indent with spaces" not in full  # `unacceptable` is not about tabs

"""The severity of each finding, by fixture line: guaranteed failures are errors, likely ones
warnings, facts worth knowing infos (the fixture comments cannot say severities)."""

from __future__ import annotations

import pytest

from harness import FIXTURES, run_case, split_cases

EXPECTED = {
    "KAT414-shell-wrapped-command.yaml": {
        131: "error",  # python -c code split into words
        173: "warning",  # a flag value split in two
        174: "warning",  # `;` inside a word
        218: "error",  # unmatched quote: syntax error
        259: "error",  # /bin/sh -c re-wrapped
        303: "error",  # StdOut script ending in a line break: no metrics
        356: "error",  # File script ending in a line break: syntax error
        400: "warning",  # last command is `echo`
        482: "info",  # no command, public image
        521: "warning",  # no command, ECR image without pull secrets
        564: "error",  # command indented out of its container
        630: "error",  # script ends in a comment: no completion marker
        657: "error",  # script ends with exec: no completion marker
        680: "error",  # script ends with exit: no completion marker
        728: "warning",  # pipeline with early stopping: fails only when a stop rule is met
    },
    "KAT411-semicolon-in-metrics-format.yaml": {21: "warning", 102: "error"},
    "KAT270-early-stopping-collector.yaml": {10: "error", 37: "warning", 47: "warning"},
    "KAT250-pbt-configuration.yaml": {6: "error", 7: "warning", 17: "error", 51: "warning"},
    "KAT413-metrics-path-shadows-files.yaml": {22: "error", 70: "warning", 214: "error"},
    "KAT352-unsupported-trial-kind.yaml": {31: "info", 70: "error"},
    "KAT040-unrendered-template.yaml": {},
    # wrong types: the API server refuses the job; unknown fields: pruned, the job runs without them
    "KAT341-invalid-training-job.yaml": {24: "error", 45: "error", 46: "error", 56: "error", 57: "error",
                                         81: "error", 142: "warning", 148: "warning"},
    # the objective metric of a stock algorithm: its service fails on the empty value; else a warning
    "KAT416-unknown-metric-strategy.yaml": {16: "error", 103: "warning", 105: "warning"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_severities(name: str) -> None:
    path = FIXTURES / name
    found: dict[int, str] = {}
    for case in split_cases(path.read_text(encoding="utf-8")):
        for diag in run_case(path, case):
            found[diag.start[0] + 1] = diag.severity.value
    expected = EXPECTED[name]
    if not expected:  # placeholders: infos; Helm actions: errors
        infos = {line for line, severity in found.items() if severity == "info"}
        assert infos and all(found[line] == "error" for line in found if line not in infos)
        return
    assert found == expected

"""Break valid Experiments the ways that pass admission but fail at runtime; each break is reported
at the line where it was made.

Sources: Katib's own v1beta1 examples from the shared corpus (skipped when absent) and the clean
cases of this project's runtime-rule fixtures (always present).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from harness import FIXTURES, case_text, split_cases
from katiblint.config import parse
from katiblint.engine import Linter

Break = Callable[[str], "tuple[str, int] | None"]  # new text and the 1-based line of the break


@dataclass(frozen=True)
class Breakage:
    id: str
    code: str
    apply: Break
    help_has: str | None = None  # text the finding's help must contain ("did you mean")
    skip: str | None = None  # sources this break does not apply to (regex, multiline)


def _sub_line(pattern: str, repl: Callable[[re.Match[str]], str], *, after: str | None = None) -> Break:
    """Replace the first line matching `pattern` (after a line matching `after`, if given)."""

    def apply(text: str) -> tuple[str, int] | None:
        lines = text.split("\n")
        armed = after is None
        for i, line in enumerate(lines):
            if not armed:
                armed = re.search(after, line) is not None  # type: ignore[arg-type]
                continue
            match = re.search(pattern, line)
            if match:
                new = line[: match.start()] + repl(match) + line[match.end() :]
                if new == line:
                    return None
                lines[i] = new
                return "\n".join(lines), i + 1
        return None

    return apply


def _insert_after(pattern: str, make: Callable[[re.Match[str]], str], unless_near: str | None = None) -> Break:
    """Insert a line after the first line matching `pattern`; the break is the inserted line."""

    def apply(text: str) -> tuple[str, int] | None:
        lines = text.split("\n")
        for i, line in enumerate(lines):
            match = re.search(pattern, line)
            near = "\n".join(lines[max(0, i - 3) : i + 4])
            if match and not (unless_near and re.search(unless_near, near)):
                lines.insert(i + 1, make(match))
                return "\n".join(lines), i + 2
        return None

    return apply


def _drop_budget(text: str) -> tuple[str, int] | None:
    if not re.search(r"algorithmName: (random|tpe|bayesianoptimization|cmaes|sobol|multivariate-tpe)\s*$", text, re.M):
        return None
    lines = [l for l in text.split("\n") if not re.match(r"\s+(maxTrialCount|goal):", l)]
    spec = next((i for i, l in enumerate(lines) if re.match(r"spec:\s*(#.*)?$", l)), None)
    return ("\n".join(lines), spec + 1) if spec is not None and len(lines) < len(text.split("\n")) else None


def _duplicate_name(text: str) -> tuple[str, int] | None:
    lines = text.split("\n")
    names = [(i, m.group(1)) for i, l in enumerate(lines) if (m := re.match(r"\s+- name: (\S+)\s*$", l))]
    start = next((i for i, l in enumerate(lines) if re.match(r"  parameters:\s*$", l)), None)
    end = next((i for i, l in enumerate(lines) if start is not None and i > start and re.match(r"  \S", l)), len(lines))
    inside = [(i, n) for i, n in names if start is not None and start < i < end and lines[i].startswith("    - ")]
    if len(inside) < 2:
        return None
    (_, first), (second, _) = inside[0], inside[1]
    lines[second] = re.sub(r"name: \S+", f"name: {first}", lines[second])
    return "\n".join(lines), second + 1


BREAKAGES = [
    Breakage("typo-container", "KAT301", _sub_line(r"(?<=primaryContainerName: )(\w[\w-]*)", lambda m: m.group(1) + "x"),
             help_has="did you mean", skip=r"kind: (TrainJob|Workflow|MPIJob|PipelineRun)\s*$|^    configMap:"),
    Breakage("swapped-range", "KAT213", _sub_line(
        r'min: "?([0-9.]+)"?(\s*)$', lambda m: f'min: "{float(m.group(1)) + 1e6:g}"{m.group(2)}', after=r"parameterType: (int|double)"), skip=r"^  nasConfig:"),
    Breakage("slash-metric", "KAT410", _sub_line(r"(?<=objectiveMetricName: )([\w-]+)\s*$", lambda m: "val/" + m.group(1)),
             skip=r"kind: (TensorFlowEvent|Custom|PrometheusMetric|Push)|format: JSON"),
    Breakage("restart-always", "KAT351", _sub_line(r"(?<=restartPolicy: )(Never|OnFailure)", lambda m: "Always"), skip=r"kind: (TFJob|PyTorchJob|MPIJob|XGBoostJob)\s*$"),
    Breakage("scalar-condition", "KAT354", _sub_line(r"(?<=successCondition: ).+$", lambda m: "status.succeeded")),
    Breakage("condition-syntax", "KAT353", _sub_line(r"(?<=successCondition: )(.*?)#\((.+)$", lambda m: m.group(1) + "(" + m.group(2))),
    Breakage("job-type-on-kubeflow", "KAT355", _sub_line(
        r'(?<=successCondition: status\.conditions\.#\(type==")Succeeded(?=")', lambda m: "Complete")),
    Breakage("pod-labels", "KAT350", _insert_after(
        r"^(\s+)primaryContainerName:", lambda m: f"{m.group(1)}primaryPodLabels: {{katib-demo-role: nowhere}}"),
        skip=r"primaryPodLabels:|kind: TrainJob\s*$|^    configMap:"),
    Breakage("kind-version", "KAT352", _sub_line(r"(?<=apiVersion: )(batch/v1|kubeflow\.org/v1)\s*$", lambda m: m.group(1)[:-1] + "2"),
             help_has="did you mean"),
    Breakage("duplicate-parameter", "KAT576", _duplicate_name),
    Breakage("unknown-type", "KAT577", _sub_line(r"(?<=parameterType: )double", lambda m: "unknown")),
    Breakage("wide-step", "KAT572", _insert_after(
        r'^(\s+)max: "?(\d+)"?\s*$', lambda m: f'{m.group(1)}step: "{int(m.group(2)) * 1000 + 1000}"', unless_near=r"step:")),
    Breakage("semicolon-filter", "KAT411", _sub_line(r'(?<=- ")\(', lambda m: ";(", after=r"metricsFormat:")),
    Breakage("shadowed-path", "KAT413", _sub_line(r"(?<=path: )\"?/(var/log/)?katib/[^\s\"]*\"?", lambda m: "/home/metrics.log")),
    Breakage("unbounded", "KAT640", _drop_budget),
]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
BROKEN_EXAMPLES = {"test__e2e__v1beta1__testdata__invalid-experiment.yaml"}


def _fixture_sources() -> list[tuple[str, str]]:
    """Clean Experiment cases of the runtime rules' fixtures, as whole-file texts."""
    out = []
    for code in ("KAT350", "KAT351", "KAT352", "KAT355", "KAT572", "KAT413"):
        for path in FIXTURES.glob(f"{code}-*.yaml"):
            text = path.read_text(encoding="utf-8")
            for case in split_cases(text):
                if not case.expectations and not case.options:
                    out.append((f"{path.name}#{case.index}", case_text(text, case)))
    return out


def _corpus_sources() -> list[tuple[str, str]]:
    folder = SHARED / "corpus" / "katib-examples"
    if not folder.is_dir():
        return []
    return [
        (p.name, p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.yaml"))
        if not p.name.startswith("v1alpha3") and p.name not in BROKEN_EXAMPLES
    ]


def _findings(code: str, text: str) -> list:
    linter = Linter(parse({"select": [code]}, "runtime breakage"))
    return [d for d in linter.lint_text(text, "broken.yaml").diagnostics if d.code == code]


def _check(source: str, text: str, breakage: Breakage) -> bool:
    """Apply the break; assert it is reported on its line. False when it does not apply."""
    broken = None if breakage.skip and re.search(breakage.skip, text, re.M) else breakage.apply(text)
    if broken is None:
        return False
    new_text, line = broken
    before = [d for d in _findings(breakage.code, text) if d.start[0] + 1 == line]
    assert not before, f"{source}: {breakage.code} already reported on line {line} before the break"
    found = _findings(breakage.code, new_text)
    lines = [d.start[0] + 1 for d in found]
    assert line in lines, f"{source} / {breakage.id}: expected {breakage.code} on line {line}, got lines {lines}"
    if breakage.help_has:
        helps = [d.help or "" for d in found if d.start[0] + 1 == line]
        assert any(breakage.help_has in h for h in helps), f"{source} / {breakage.id}: help {helps}"
    return True


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: b.id)
def test_breaks_of_the_project_fixtures_are_reported(breakage: Breakage) -> None:
    applied = [s for s, text in _fixture_sources() if _check(s, text, breakage)]
    if breakage.code in ("KAT410", "KAT577", "KAT640", "KAT301", "KAT213", "KAT354", "KAT350", "KAT352", "KAT351"):
        assert applied, f"{breakage.id} applied to no fixture case"


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: b.id)
def test_breaks_of_katib_examples_are_reported(breakage: Breakage, shared_dir: Path) -> None:
    applied = [s for s, text in _corpus_sources() if _check(s, text, breakage)]
    assert applied, f"{breakage.id} applied to no Katib example"


def test_katib_examples_get_no_runtime_errors(shared_dir: Path) -> None:
    """Katib's own valid examples trip none of the runtime errors (warnings may apply)."""
    codes = [b.code for b in BREAKAGES if b.code.startswith(("KAT14", "KAT35", "KAT41", "KAT57", "KAT64"))]
    codes += ["KAT140", "KAT356", "KAT415", "KAT574", "KAT578"]
    # Argo and Tekton need a katib-config change their README describes: not stock kinds
    needs_config = {"argo__argo-workflow.yaml", "tekton__pipeline-run.yaml"}
    # really broken for a runtime rule; tests/test_corpus.py BROKEN_EXAMPLES says why
    really_broken = {"kubeflow-training-operator__mpijob-horovod.yaml": {"KAT350"}}
    linter = Linter(parse({"select": sorted(set(codes))}, "runtime codes"))
    for name, text in _corpus_sources():
        errors = [d for d in linter.lint_text(text, name).diagnostics if d.severity.value == "error"]
        if name in needs_config:
            errors = [d for d in errors if d.code != "KAT352"]
        errors = [d for d in errors if d.code not in really_broken.get(name, set())]
        assert not errors, f"{name}: {[(d.code, d.start[0] + 1, d.message) for d in errors]}"


def test_a_katib_config_linted_alongside_replaces_the_stock_trial_resources() -> None:
    """An Argo trial is an error on a stock install, and fine next to a katib-config that lists it."""
    experiment = """apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: argo-demo
spec:
  trialTemplate:
    trialSpec:
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
"""
    config = """apiVersion: v1
kind: ConfigMap
metadata:
  name: katib-config
  namespace: kubeflow
data:
  katib-config.yaml: |
    apiVersion: config.kubeflow.org/v1beta1
    kind: KatibConfig
    init:
      controller:
        trialResources:
          - Job.v1.batch
          - Workflow.v1alpha1.argoproj.io
"""
    assert [d.start[0] + 1 for d in _findings("KAT352", experiment)] == [9]
    assert _findings("KAT352", config + "---\n" + experiment) == []
    # A katib-config that Katib cannot read (KAT060: no KatibConfig apiVersion) routes nothing.
    unreadable = config.replace("    apiVersion: config.kubeflow.org/v1beta1\n    kind: KatibConfig\n", "")
    assert [d.start[0] + 1 for d in _findings("KAT352", unreadable + "---\n" + experiment)] == [22]

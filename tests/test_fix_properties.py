"""Properties of `--fix` over real and generated manifests with mistakes injected.

Whatever the input, fixing never writes something that does not read back as the same number
of YAML documents, never loses a comment or another document, and a second run changes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from katiblint.config import Settings
from katiblint.engine import Linter
from katiblint.fix.apply import fix_files, fix_text, parses

TEMPLATE = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: {name}
  namespace: kubeflow
spec:
  objective:
    type: maximize
    goal: 0.99
    objectiveMetricName: accuracy
  algorithm:
    algorithmName: {algorithm}
    algorithmSettings:
      - name: {setting}
        value: {setting_value}
  maxTrialCount: 12
  parallelTrialCount: 3
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace:
        min: {min}
        max: {max}
    - name: momentum
      parameterType: double
      feasibleSpace:
        min: "0.5"
        max: "0.9"
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: learningRate
        reference: lr
      - name: momentum
        reference: momentum
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          metadata:
            labels:
              sidecar.istio.io/inject: "false"
          spec:
            containers:
              - name: training-container
                image: docker.io/kubeflowkatib/pytorch-mnist:latest
                command:
                  - "python3"
                  - "--lr={lr_placeholder}"
                  - "--momentum={m_placeholder}"
            restartPolicy: Never
"""

OTHER = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: untouched  # c-other
data:
  value: 10
"""


def _typo(draw: st.DrawFn, word: str) -> str:
    i = draw(st.integers(0, len(word) - 2))
    how = draw(st.sampled_from(["swap", "drop", "double", "upper"]))
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == "drop":
        return word[:i] + word[i + 1 :]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i].upper() + word[i + 1 :]


@st.composite
def manifests(draw: st.DrawFn) -> str:
    placeholder = st.sampled_from(["${{trialParameters.{}}}", "$(trialParameters.{})", "{{trialParameters.{}}}", "${{ trialParameters.{} }}"])
    lr_name = draw(st.sampled_from(["learningRate", "lr", "learningRat", "learnigRate", "momentum"]))
    values = {
        "name": draw(st.sampled_from(["mnist", "Mnist_Tune", "mnist.v2", "1abc", "tune-"])),
        "algorithm": draw(st.sampled_from(["random", "tpe", "randm", "bayesianoptimization", "Random"])),
        "setting": draw(st.sampled_from(["random_state", "n_EI_candidates"])),
        "setting_value": draw(st.sampled_from(['"10"', "10", "true", '"x"'])),
        "min": draw(st.sampled_from(['"0.01"', "0.01", "1e-3", "'0.01'"])),
        "max": draw(st.sampled_from(['"0.05"', "0.05", "5"])),
        "lr_placeholder": draw(placeholder).format(lr_name),
        "m_placeholder": draw(placeholder).format(draw(st.sampled_from(["momentum", "momentun", "m"]))),
    }
    if draw(st.booleans()):
        values["setting"] = _typo(draw, values["setting"])
    text = TEMPLATE.format(**values)
    lines = text.split("\n")
    for n in draw(st.lists(st.integers(0, len(lines) - 1), max_size=6, unique=True)):
        line = lines[n]
        if line.strip() and not line.rstrip().endswith(("|", ">")):
            indent = len(line) - len(line.lstrip())
            lines[n] = " " * indent + f"# c{n}\n" + line if draw(st.booleans()) else line + f"  # c{n}"
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = OTHER + "---\n" + text
    if draw(st.booleans()):
        text = text + "---\n" + OTHER
    return text


def _comments(text: str) -> list[str]:
    return re.findall(r"# c[\w-]+", text)


def _check(original: str, fixed: str) -> None:
    assert parses(fixed) == parses(original), "the fixed text does not read back as the same documents"
    assert _comments(fixed) == _comments(original), "a comment was lost or moved out of order"
    for other in re.findall(re.escape(OTHER), original):
        assert other in fixed, "another document changed"


ALL = Linter(Settings())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.booleans())
def test_fix_reads_back_keeps_comments_and_is_idempotent(text: str, unsafe: bool) -> None:
    outcome = fix_text(ALL, text, unsafe=unsafe)
    _check(text, outcome.text)
    again = fix_text(ALL, outcome.text, unsafe=unsafe)
    assert again.text == outcome.text, "a second --fix run changed the text"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(manifests(), st.booleans(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_fixed_files_keep_bom_and_line_endings(tmp_path: Path, text: str, unsafe: bool, newline: str, bom: bool) -> None:
    path = tmp_path / "exp.yaml"
    data = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode()
    path.write_bytes(data)
    fix_files(ALL, [str(path)], None, unsafe=unsafe, write=True)
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == bom
    decoded = after.decode("utf-8-sig")
    if newline == "\r\n":
        assert "\n" not in decoded.replace("\r\n", ""), "a bare LF in a CRLF file"
    _check(text.replace("\n", newline), decoded)


def _examples(shared: Path) -> list[Path]:
    return sorted((shared / "corpus" / "katib-examples").glob("*.yaml"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_katib_examples_with_injected_mistakes(shared_dir: Path, data: st.DataObject) -> None:
    files = _examples(shared_dir)
    if not files:
        pytest.skip("no Katib examples in the shared corpus")
    text = data.draw(st.sampled_from(files)).read_text(encoding="utf-8")
    mutations = data.draw(st.lists(st.sampled_from(["number", "placeholder", "setting", "comment"]), max_size=4))
    for mutation in mutations:
        if mutation == "number":
            text = re.sub(r'(min|max|value): "([0-9.]+)"', r"\1: \2", text, count=1)
        elif mutation == "placeholder":
            match = re.search(r"\$\{trialParameters\.(\w{3,})\}", text)
            if match:
                text = text[: match.start(1)] + _typo(data.draw, match.group(1)) + text[match.end(1) :]
        elif mutation == "setting":
            match = re.search(r"- name: (\w{3,})\n(\s+)value:", text)
            if match:
                text = text[: match.start(1)] + _typo(data.draw, match.group(1)) + text[match.end(1) :]
        else:
            text = text.replace("\nspec:\n", "\n# c-spec\nspec:  # c-trailing\n", 1)
    unsafe = data.draw(st.booleans())
    outcome = fix_text(ALL, text, unsafe=unsafe)
    if parses(text) is None:
        assert outcome.text == text
        return
    _check(text, outcome.text)
    assert fix_text(ALL, outcome.text, unsafe=unsafe).text == outcome.text


def test_every_katib_example_fixes_cleanly(shared_dir: Path) -> None:
    for path in _examples(shared_dir):
        text = path.read_text(encoding="utf-8")
        outcome = fix_text(ALL, text, path.name, unsafe=True)
        if parses(text) is None:
            assert outcome.text == text
            continue
        assert parses(outcome.text) == parses(text), path.name
        assert [l for l in text.splitlines() if l.lstrip().startswith("#")] == [
            l for l in outcome.text.splitlines() if l.lstrip().startswith("#")
        ], path.name
        assert fix_text(ALL, outcome.text, path.name, unsafe=True).text == outcome.text, path.name

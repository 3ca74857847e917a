"""Fuzzing: mutated Katib examples and generated Experiment-shaped documents never crash katiblint.

Every input must lint without an exception and without KAT006 (a rule failure), and its SARIF
report must validate against the SARIF 2.1.0 schema. The budget is fixed for CI (about 200
examples in all). Seeds are the project's own rule fixtures, plus Katib's examples when the shared
corpus is next to the checkout. A failure found here is kept in `tests/hostile/regressions/`.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from katiblint.config import Settings
from katiblint.engine import FileResult, Linter
from katiblint.reporters import ReportOptions, renderer

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "katib-examples"
REGRESSIONS = TESTS / "hostile" / "regressions"
# KATIBLINT_FUZZ_EXAMPLES raises the budget for a longer local run.
EXAMPLES = int(os.environ.get("KATIBLINT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _seed_texts() -> list[str]:
    paths = sorted((TESTS / "fixtures").glob("KAT*.yaml"))
    if CORPUS.is_dir():
        paths += sorted(CORPUS.glob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    return [t for t in texts if t.strip()] or ["apiVersion: kubeflow.org/v1beta1\nkind: Experiment\n"]


SEEDS = _seed_texts()


@lru_cache(maxsize=1)
def _linter() -> Linter:
    return Linter(Settings().with_overrides(select=("ALL",)))


@lru_cache(maxsize=1)
def _sarif_validator() -> Any:
    for candidate in (TESTS / "data" / "sarif-schema-2.1.0.json", ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"):
        if candidate.is_file():
            import jsonschema

            schema = json.loads(candidate.read_text(encoding="utf-8"))
            cls = jsonschema.validators.validator_for(schema)
            return cls(schema)
    return None


def check(data: bytes, name: str = "fuzz.yaml") -> FileResult:
    """Lint `data`: no exception, no rule failure, valid SARIF."""
    result = _linter().lint_bytes(data, name)
    failures = [d.message for d in result.diagnostics if d.code == "KAT006"]
    assert not failures, failures
    for diag in result.diagnostics:
        assert diag.start is not None and diag.start[0] >= 0 and diag.start[1] >= 0
    text = renderer("sarif")([result], ReportOptions(files_checked=1))
    report = json.loads(text)
    validator = _sarif_validator()
    if validator is not None:
        errors = sorted(validator.iter_errors(report), key=str)
        assert not errors, errors[0].message
    return result


# --- mutations of real manifests -----------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(SEEDS))
    data = bytearray(text.encode("utf-8"))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["byte", "insert", "delete", "drop-line", "indent", "dup-line"]))
        lines = bytes(data).split(b"\n")
        if kind == "byte" and data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.sampled_from([b"[", b"{", b"}", b"]", b"'", b'"', b"&a ", b"*a", b"<<: ", b": ", b"- ", b"\t", b"!!str ", b"{{ .Values.x }}", b"\xff", b"#", b"---\n", b"${trialParameters."]))
        elif kind == "delete" and data:
            at = draw(st.integers(0, len(data) - 1))
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "drop-line" and len(lines) > 1:
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = bytearray(b"\n".join(lines))
        elif kind == "dup-line" and lines:
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(at, lines[at])
            data = bytearray(b"\n".join(lines))
        elif kind == "indent" and lines:
            at = draw(st.integers(0, len(lines) - 1))
            line = lines[at]
            body = line.lstrip(b" ")
            lines[at] = draw(st.sampled_from([b"", b" ", b"  ", b"    ", b"\t"])) * draw(st.integers(0, 4)) + body
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutated_examples_never_crash(data: bytes) -> None:
    check(data)


# --- generated Experiment-shaped documents ------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["random", "grid", "double", "int", "categorical", "${trialParameters.lr}", "1e3", "0x1F", "~", "Job"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["name", "value", "min", "max", "step", "list", "reference", "kind", "apiVersion", "spec", "template", "containers", "metadata", "x"]),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)
_SPEC_KEYS = [
    "objective", "algorithm", "earlyStopping", "parameters", "nasConfig", "trialTemplate", "metricsCollectorSpec",
    "parallelTrialCount", "maxTrialCount", "maxFailedTrialCount", "resumePolicy",
]


@st.composite
def experiments(draw: st.DrawFn) -> bytes:
    spec = draw(st.dictionaries(st.sampled_from(_SPEC_KEYS), _values, max_size=8))
    doc = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": draw(st.one_of(_values, st.fixed_dictionaries({"name": _scalars}))),
        "spec": spec,
    }
    # JSON is YAML; block style comes from the mutations above
    return json.dumps(doc, indent=draw(st.sampled_from([None, 2]))).encode("utf-8")


@FUZZ
@given(experiments())
def test_generated_experiments_never_crash(data: bytes) -> None:
    check(data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    check(b"apiVersion: kubeflow.org/v1beta1\nkind: Experiment\n" + data)


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_regressions(path: Path) -> None:
    check(path.read_bytes(), path.name)


def test_seed_examples_themselves() -> None:
    for text in SEEDS:
        check(text.encode("utf-8"))

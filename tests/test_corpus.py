"""Real manifests: Katib's own examples must lint clean, wild ones must never crash katiblint.

Needs the shared corpus next to the checkout (see `shared_dir` in conftest.py); skipped without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import katiblint
from katiblint.config import Settings
from katiblint.engine import FileResult, Linter
from katiblint.yaml import load
from katiblint.katib.experiment import SERVED_VERSION
from katiblint.source import decode

# Katib's v1beta1 examples that are really broken, with the error codes they must get (exactly).
BROKEN_EXAMPLES: dict[str, tuple[set[str], str]] = {
    "kubeflow-training-operator__mpijob-horovod.yaml": (
        {"KAT301", "KAT350"},
        "MPIJob workers lack the `mpi-launcher` container, so Katib's pod webhook denies them "
        "(R-PRIMARY-CONTAINER-ALL-PODS); and `primaryPodLabels: {mpi-job-role: launcher}` matches no pod, since "
        "training-operator v1.9 labels the launcher `training.kubeflow.org/job-role: master` and no longer sets "
        "`mpi-job-role` (mpijob_controller.go newLauncher)",
    ),
    "tekton__pipeline-run.yaml": (
        {"KAT301", "KAT303"},
        "`$(trialParameters.lr)` is not substituted and `learningRate` is unused, so the webhook rejects it "
        "(one mistake, one finding: KAT303 at the near miss); "
        "the data-preprocessing task's pods lack the `step-model-training` container (R-PRIMARY-CONTAINER-ALL-PODS)",
    ),
    "hp-tuning__simple-pbt.yaml": (
        {"KAT102"},
        "`maxFailedTrialCount: 3` exceeds `maxTrialCount: 2`; the webhook rejects it "
        "(validator.go: `should be less than or equal to spec.maxTrialCount`)",
    ),
    "nas__darts-gpu.yaml": (
        {"KAT260"},
        "a bare `- operationType: skip_connection`: DARTS' validate_operations requires parameters on every "
        "operation (`Missing ParameterConfigs in Operation`); only darts-cpu runs in Katib's e2e",
    ),
    "test__e2e__v1beta1__testdata__invalid-experiment.yaml": (
        {"KAT201"},
        "deliberately invalid (Katib's e2e test of webhook rejection: unknown algorithm)",
    ),
}


def _examples(shared_dir: Path) -> Path:
    folder = shared_dir / "corpus" / "katib-examples"
    if not folder.is_dir():
        pytest.skip("the Katib examples are not in the shared corpus")
    return folder


def _api_version(path: Path) -> str | None:
    source, _, _ = decode(path.read_bytes(), path.name)
    assert source is not None
    for doc in load(source).documents:
        root = doc.root
        kind = root.get("kind") if hasattr(root, "get") else None
        if getattr(kind, "raw", None) == "Experiment":
            api = root.get("apiVersion")  # type: ignore[union-attr]
            return getattr(api, "raw", None)
    return None


def _lint(path: Path) -> FileResult:
    return Linter(Settings()).lint_path(str(path))


def _describe(result: FileResult) -> list[str]:
    return [f"{d.start[0] + 1}:{d.start[1] + 1} {d.code} {d.message}" for d in result.diagnostics if d.severity.value == "error"]


def test_katib_v1beta1_examples_have_no_errors(shared_dir: Path) -> None:
    folder = _examples(shared_dir)
    failures = {}
    checked = 0
    for path in sorted(folder.glob("*.yaml")):
        if _api_version(path) != SERVED_VERSION or path.name in BROKEN_EXAMPLES:
            continue
        checked += 1
        errors = _describe(_lint(path))
        if errors:
            failures[path.name] = errors
    assert checked >= 25
    assert not failures, json.dumps(failures, indent=2)


@pytest.mark.parametrize("name", sorted(BROKEN_EXAMPLES))
def test_broken_katib_examples_get_exactly_the_expected_errors(shared_dir: Path, name: str) -> None:
    path = _examples(shared_dir) / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the corpus")
    expected, reason = BROKEN_EXAMPLES[name]
    result = _lint(path)
    codes = {d.code for d in result.diagnostics if d.severity.value == "error"}
    assert codes == expected, f"{name} ({reason}):\n" + "\n".join(_describe(result))


# Katib's v1alpha3 examples get KAT004 (with its migration fix) and the errors of the fields
# v1alpha3 shares with v1beta1, which the rules still check; these are the really broken ones.
BROKEN_V1ALPHA3_EXAMPLES: dict[str, tuple[set[str], str]] = {
    "v1alpha3__nas__darts-example-gpu.yaml": (
        {"KAT004", "KAT260"},
        "the same bare `- operationType: skip_connection` as v1beta1's darts-gpu: DARTS' validate_operations "
        "requires parameters on every operation (`Missing ParameterConfigs in Operation`)",
    ),
}

# What the v1beta1 rules still report once the migration alone is applied, and why.
AFTER_MIGRATION = {
    "KAT401": "Katib's v1alpha3 examples run in the `kubeflow` namespace, which Istio injects, and their pods "
    "do not say `sidecar.istio.io/inject: \"false\"` (a warning with its own safe fix)",
}


def _v1alpha3_examples(shared_dir: Path) -> list[Path]:
    paths = [p for p in sorted(_examples(shared_dir).glob("*.yaml")) if _api_version(p) == "kubeflow.org/v1alpha3"]
    assert len(paths) >= 10
    return paths


def test_v1alpha3_examples_get_kat004_with_a_migration_and_their_real_errors(shared_dir: Path) -> None:
    for path in _v1alpha3_examples(shared_dir):
        result = _lint(path)
        expected, reason = BROKEN_V1ALPHA3_EXAMPLES.get(path.name, ({"KAT004"}, ""))
        assert {d.code for d in result.diagnostics} == expected, (path.name, reason, _describe(result))
        (kat004,) = [d for d in result.diagnostics if d.code == "KAT004"]
        assert "only the fields v1alpha3 shares with v1beta1 were checked" in kat004.message
        assert kat004.fix is not None and kat004.fix.applicability.value == "unsafe", (path.name, kat004.help)


def test_migrated_v1alpha3_examples_relint_without_errors(shared_dir: Path) -> None:
    """The migration alone leaves only the findings of AFTER_MIGRATION (and the really broken ones)."""
    from katiblint.fix.apply import fix_text, splice

    for path in _v1alpha3_examples(shared_dir):
        text = path.read_text(encoding="utf-8")
        linter = Linter(Settings())
        (kat004,) = [d for d in linter.lint_text(text, path.name).diagnostics if d.code == "KAT004"]
        assert kat004.fix is not None
        migrated = linter.lint_text(splice(text, kat004.fix.edits), path.name)
        broken = BROKEN_V1ALPHA3_EXAMPLES.get(path.name, (set(), ""))[0] - {"KAT004"}
        left = {d.code for d in migrated.diagnostics} - broken
        assert left <= set(AFTER_MIGRATION), (path.name, _describe(migrated))
        # `--fix --unsafe-fixes` then fixes those too, round after round.
        outcome = fix_text(Linter(Settings()), text, path.name, unsafe=True)
        assert {d.code for d in outcome.result.diagnostics} == broken, (path.name, _describe(outcome.result))
        assert SERVED_VERSION in outcome.text and "goTemplate" not in outcome.text


def _wild(shared_dir: Path) -> Path:
    folder = shared_dir / "corpus" / "wild"
    if not folder.is_dir():
        pytest.skip("the wild manifests are not in the shared corpus")
    return folder


def test_wild_v1alpha3_migrations_relint_as_v1beta1(shared_dir: Path) -> None:
    """Every migration offered on a public v1alpha3 manifest parses and re-lints with no KAT004."""
    from katiblint.fix.apply import splice

    migrated = 0
    for path in sorted(_wild(shared_dir).glob("*.yaml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "kubeflow.org/v1alpha3" not in text:
            continue
        linter = Linter(Settings())
        for diag in linter.lint_text(text, path.name).diagnostics:
            if diag.code != "KAT004" or diag.fix is None:
                continue
            after = linter.lint_text(splice(text, diag.fix.edits), path.name)
            left = [d for d in after.diagnostics if d.code in ("KAT001", "KAT004", "KAT006")]
            assert not left, (path.name, _describe(after))
            migrated += 1
    assert migrated >= 40


def test_wild_manifests_never_cause_an_internal_error(shared_dir: Path) -> None:
    folder = _wild(shared_dir)
    crashed = {}
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml"))
    assert files
    for path in files:
        internal = [d.message for d in _lint(path).diagnostics if d.code == "KAT006"]
        if internal:
            crashed[path.name] = internal
    assert not crashed, json.dumps(crashed, indent=2)


def test_the_cli_over_the_whole_corpus_prints_no_traceback(shared_dir: Path) -> None:
    corpus = shared_dir / "corpus"
    run = katiblint(".", "--format", "json", cwd=corpus)
    assert "Traceback" not in run.err, run.err[-3000:]
    assert run.err == ""
    data = json.loads(run.out)
    assert not [d for d in data["diagnostics"] if d["code"] == "KAT006"]
    assert run.code == 1  # the corpus has real findings (v1alpha3 files at least)
    assert data["files_checked"] == len([p for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml")])

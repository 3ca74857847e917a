"""`katiblint new` writes Experiments that lint clean and mean what was asked for."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from katiblint.katib.catalog import get_catalog
from katiblint.config import Settings
from katiblint.engine import Linter
from katiblint.yaml import load
from katiblint.new import KINDS, NAS_ALGORITHMS, new
from katiblint.source import decode
from plain_install import run_plain

PARAMS = {
    "double": ["lr:double:0.01:0.05:step=0.01", "momentum:double:0.5:0.9:step=0.1"],
    "int": ["layers:int:1:4", "units:int:16:64:step=16"],
    "categorical": ["optimizer:categorical:sgd,adam,ftrl", "act:categorical:relu,tanh"],
    "discrete": ["batch:discrete:16,32,64", "depth:discrete:2,4"],
}
# What some algorithms need besides parameters (their services require these settings).
EXTRA = {
    "hyperband": ["--param", "epochs:int:1:27", "--setting", "r_l=9", "--setting", "resource_name=epochs",
                  "--setting", "eta=3", "--parallel-trials", "9", "--max-trials", "9"],
    "pbt": ["--setting", "suggestion_trial_dir=/var/log/katib/checkpoints/", "--setting", "n_population=5",
            "--setting", "truncation_threshold=0.2", "--max-trials", "20"],
    "grid": ["--max-trials", "4"],
}


def _algorithms() -> list[str]:
    return [a for a in get_catalog().algorithm_names if a not in NAS_ALGORITHMS]


def _generate(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(new, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _args(algorithm: str, kind: str, ptype: str) -> list[str]:
    args = ["--no-interactive", "--name", "tune", "--metric", "accuracy", "--algorithm", algorithm,
            "--image", "registry.example/train:1.0", "--command", "python3 /opt/train.py", "--kind", kind]
    params = PARAMS[ptype]
    if algorithm == "cmaes" and ptype in ("categorical", "discrete"):
        params = params + PARAMS["double"]  # CMA-ES needs two continuous dimensions
    if algorithm == "hyperband" and ptype != "int":
        pass
    for p in params:
        args += ["--param", p]
    return args + EXTRA.get(algorithm, [])


@pytest.mark.parametrize("algorithm", _algorithms())
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ptype", sorted(PARAMS))
def test_every_combination_lints_clean(algorithm: str, kind: str, ptype: str) -> None:
    code, out, err = _generate(_args(algorithm, kind, ptype))
    assert code == 0, err
    result = Linter(Settings()).lint_text(out, "new.yaml")
    assert result.diagnostics == [], [d.message for d in result.diagnostics]
    doc = load(decode(out.encode(), "new.yaml")[0]).documents[0].root.to_python()
    spec = doc["spec"]
    assert spec["algorithm"]["algorithmName"] == algorithm
    assert spec["trialTemplate"]["trialSpec"]["kind"] == kind
    types = {p["name"]: p["parameterType"] for p in spec["parameters"]}
    assert ptype in types.values()
    # every parameter reaches the training command through its placeholder
    for name in types:
        assert "${trialParameters." + name + "}" in out


# In a plain-install interpreter: generate every combination, lint it, report what was seen.
_PLAIN_RUN = """
import json, sys
from click.testing import CliRunner
from katiblint.config import Settings
from katiblint.engine import Linter
from katiblint.new import new

seen = []
for args in json.loads(sys.stdin.read()):
    run = CliRunner().invoke(new, args, catch_exceptions=False)
    findings = []
    if run.exit_code == 0:
        result = Linter(Settings()).lint_text(run.stdout, "new.yaml")
        findings = [f"{d.start[0] + 1}:{d.start[1] + 1} {d.code} {d.severity.value}: {d.message}" for d in result.diagnostics]
        findings += [f"notice: {n}" for n in result.notices]
    seen.append({"args": " ".join(args), "exit": run.exit_code, "output": run.output[-500:], "findings": findings})
print(json.dumps(seen))
"""


def test_every_combination_lints_clean_on_a_plain_install() -> None:
    """No extra installed (no kubernetes-validate, no scikit-optimize): `new` still writes every
    algorithm x kind x parameter type, and the result has no finding at all, not even an info."""
    combos = [_args(a, k, p) for a in _algorithms() for k in KINDS for p in sorted(PARAMS)]
    run = run_plain(_PLAIN_RUN, stdin=json.dumps(combos))
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout)
    assert len(seen) == len(combos)
    refused = [(s["args"], s["output"]) for s in seen if s["exit"] != 0]
    assert not refused, refused[:3]
    unclean = [(s["args"], s["findings"]) for s in seen if s["findings"]]
    assert not unclean, unclean[:3]


def test_a_missing_job_schema_does_not_stop_new(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from katiblint.rules import _k8s_schema

    def unavailable(requested: str | None) -> object:
        raise _k8s_schema.SchemaUnavailable("no schema here")

    monkeypatch.setattr(_k8s_schema, "job_schema", unavailable)
    target = tmp_path / "exp.yaml"
    code, _, err = _generate(_args("random", "Job", "double") + ["-o", str(target)])
    assert code == 0, err
    assert "kind: Job" in target.read_text()
    assert err.splitlines() == [
        "katiblint new: KAT340: batch/v1 Job trial templates were not checked against the Kubernetes schema: no schema here",
        f"Wrote {target} (no findings).",
    ]


def test_invalid_answers_are_refused_with_the_linters_explanation() -> None:
    base = ["--no-interactive", "--metric", "acc", "--image", "i:1", "--command", "python3 t.py"]
    code, _, err = _generate(base + ["--name", "My.Exp", "--param", "lr:double:0.1:0.5"])
    assert code == 2 and "must start with a lower-case letter" in err
    code, _, err = _generate(base + ["--name", "ok", "--param", "lr:double:0.5:0.1"])
    assert code == 2 and "must be smaller than max" in err
    code, _, err = _generate(base + ["--name", "ok", "--param", "lr:double:0.1:0.5", "--algorithm", "bayesianoptimization",
                                     "--setting", "base_estimatr=GP"])
    assert code == 2 and "did you mean `base_estimator`" in err
    code, _, err = _generate(base + ["--name", "ok", "--param", "lr:double:0.1:0.5", "--algorithm", "bayesian"])
    assert code == 2 and "bayesianoptimization" in err


def test_output_file_is_not_overwritten_without_force(tmp_path) -> None:
    target = tmp_path / "exp.yaml"
    target.write_text("keep me\n")
    args = ["--no-interactive", "--name", "ok", "--metric", "acc", "--image", "i:1", "--command", "python3 t.py",
            "--param", "lr:double:0.1:0.5", "-o", str(target)]
    code, _, err = _generate(args)
    assert code == 2 and "--force" in err and target.read_text() == "keep me\n"
    code, _, _ = _generate(args + ["--force"])
    assert code == 0 and "kind: Experiment" in target.read_text()


def test_prompts_ask_for_what_is_missing_and_refuse_bad_answers() -> None:
    answers = "\n".join([
        "Bad_Name", "tune",            # name: refused, then accepted
        "kubeflow",                    # namespace
        "accuracy",                    # metric
        "maximize",                    # objective
        "randm", "random",             # algorithm: refused with did-you-mean, then accepted
        "lr:double:0.5:0.1", "lr:double:0.01:0.1",  # parameter: min > max refused
        "n",                           # no more parameters
        "registry.example/train:1.0",  # image
        "python3 train.py",            # command
        "Job",                         # kind
        "6",                           # max trials
    ]) + "\n"
    result = CliRunner().invoke(new, ["--interactive"], input=answers, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "must start with a lower-case letter" in result.output
    assert "did you mean `random`" in result.output
    assert "must be smaller than max" in result.output
    assert "name: tune" in result.stdout and "--lr=${trialParameters.lr}" in result.stdout


def test_every_option_together_lints_clean() -> None:
    args = ["--no-interactive", "--name", "full", "--namespace", "team-a", "--metric", "loss", "--objective", "minimize",
            "--goal", "0.05", "--additional-metric", "accuracy", "--algorithm", "tpe", "--setting", "gamma=0.3",
            "--param", "lr:double:0.001:0.1:dist=logUniform", "--param", "layers:int:1:5",
            "--image", "registry.example/train:2.1", "--command", "python3 /opt/train.py --data /data",
            "--kind", "TFJob", "--workers", "2", "--max-trials", "20", "--parallel-trials", "4", "--max-failed", "3",
            "--cpu", "2", "--memory", "4Gi", "--gpu", "1", "--collector", "File", "--metrics-file",
            "/var/log/katib/metrics.log", "--early-stopping", "medianstop", "--early-stopping-setting",
            "min_trials_required=3", "--istio-inject", "false"]
    code, out, err = _generate(args)
    assert code == 0, err
    assert Linter(Settings(istio_inject="false")).lint_text(out, "full.yaml").diagnostics == []
    doc = load(decode(out.encode(), "full.yaml")[0]).documents[0].root.to_python()
    spec = doc["spec"]
    assert spec["earlyStopping"] == {"algorithmName": "medianstop", "algorithmSettings": [{"name": "min_trials_required", "value": "3"}]}
    assert spec["metricsCollectorSpec"]["source"]["fileSystemPath"]["path"] == "/var/log/katib/metrics.log"
    replicas = spec["trialTemplate"]["trialSpec"]["spec"]["tfReplicaSpecs"]
    assert replicas["Worker"]["replicas"] == 2
    container = replicas["Chief"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"] == {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"}
    assert replicas["Chief"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] == "false"

"""`katiblint new`: write a correct Experiment from the few facts only the user knows.

Everything can be given as options (scripts, CI); in a terminal, what is missing is asked for,
and every answer is checked with the same logic the linter uses. The result is linted before
it is written and must come out with no findings. What the environment lacks (a Kubernetes
schema for the Job check) is said on stderr and never stops it from being written.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import click

from katiblint.version import __version__
from katiblint.katib.api import DISTRIBUTIONS, NAS_ALGORITHMS

KINDS = ("Job", "PyTorchJob", "TFJob", "XGBoostJob")
PARAMETER_TYPES = ("double", "int", "categorical", "discrete")
_REPLICA_KEY = {"PyTorchJob": "pytorchReplicaSpecs", "TFJob": "tfReplicaSpecs", "XGBoostJob": "xgbReplicaSpecs"}
_CONTAINER = {"Job": "training", "PyTorchJob": "pytorch", "TFJob": "tensorflow", "XGBoostJob": "xgboost"}


@dataclass
class Parameter:
    name: str
    type: str
    min: str | None = None
    max: str | None = None
    step: str | None = None
    values: list[str] = field(default_factory=list)
    distribution: str | None = None


def parse_parameter(spec: str) -> Parameter:
    """`NAME:TYPE:MIN:MAX[:step=S][:dist=D]` or `NAME:categorical|discrete:A,B,C`."""
    parts = spec.split(":")
    if len(parts) < 3:
        raise click.BadParameter(f"`{spec}`: expected NAME:TYPE:MIN:MAX or NAME:categorical:A,B,C")
    name, ptype = parts[0].strip(), parts[1].strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
        raise click.BadParameter(f"`{name}`: a parameter name is letters, digits, `_`, `.` and `-`")
    if ptype not in PARAMETER_TYPES:
        from katiblint.suggest import did_you_mean

        raise click.BadParameter(f"`{ptype}` is not a parameter type ({', '.join(PARAMETER_TYPES)}) {did_you_mean(ptype, PARAMETER_TYPES)}")
    if ptype in ("categorical", "discrete"):
        values = [v.strip() for v in ":".join(parts[2:]).split(",") if v.strip()]
        if not values:
            raise click.BadParameter(f"`{spec}`: list at least one value")
        if len(set(values)) != len(values):
            raise click.BadParameter(f"`{spec}`: values must be unique")
        if ptype == "discrete" and any(_number(v) is None for v in values):
            raise click.BadParameter(f"`{spec}`: discrete values must be numbers")
        return Parameter(name, ptype, values=values)
    if len(parts) < 4:
        raise click.BadParameter(f"`{spec}`: give both MIN and MAX")
    param = Parameter(name, ptype, parts[2].strip(), parts[3].strip())
    for extra in parts[4:]:
        key, _, value = extra.partition("=")
        if key == "step":
            param.step = value.strip()
        elif key in ("dist", "distribution"):
            if value not in DISTRIBUTIONS:
                raise click.BadParameter(f"`{value}` is not a distribution ({', '.join(DISTRIBUTIONS)})")
            param.distribution = value
        else:
            raise click.BadParameter(f"`{extra}`: expected step=S or dist=D")
    _check_range(param)
    return param


def _number(text: str | None) -> float | None:
    from katiblint.katib.catalog import parse_float

    return None if text is None else parse_float(text)


def _check_range(p: Parameter) -> None:
    low, high = _number(p.min), _number(p.max)
    if low is None or high is None:
        raise click.BadParameter(f"`{p.name}`: MIN and MAX must be numbers")
    if p.type == "int" and not (re.fullmatch(r"[+-]?\d+", p.min or "") and re.fullmatch(r"[+-]?\d+", p.max or "")):
        raise click.BadParameter(f"`{p.name}`: an int parameter needs integer bounds")
    if low >= high:
        raise click.BadParameter(f"`{p.name}`: min `{p.min}` must be smaller than max `{p.max}`")
    if p.step is not None:
        step = _number(p.step)
        if step is None or step <= 0 or step > high - low:
            raise click.BadParameter(f"`{p.name}`: step must be a number > 0 and at most max - min")
    if p.distribution in ("logUniform", "logNormal") and low <= 0:
        raise click.BadParameter(f"`{p.name}`: a log distribution needs min > 0")


def parse_setting(text: str, algorithm: str, early_stopping: bool = False) -> tuple[str, str]:
    """`NAME=VALUE`, checked against the algorithm's catalog entry exactly as the linter does."""
    from katiblint.katib.catalog import check_value, get_catalog
    from katiblint.suggest import did_you_mean

    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        raise click.BadParameter(f"`{text}`: expected NAME=VALUE")
    catalog = get_catalog()
    spec = (catalog.early_stopping if early_stopping else catalog.algorithms).get(algorithm)
    if spec is None:
        return name, value
    setting = spec.settings.get(name)
    if setting is None:
        known = ", ".join(spec.settings) or "none"
        raise click.BadParameter(f"`{algorithm}` has no setting `{name}` {did_you_mean(name, spec.settings)} (settings: {known})")
    why = check_value(setting, value, spec.parse)
    if why is not None:
        raise click.BadParameter(f"`{algorithm}` setting `{name}` value `{value}` {why}")
    return name, value


def check_name(name: str) -> str:
    from katiblint.rules._names import problem

    why = problem(name)
    if why is not None:
        raise click.BadParameter(f"Experiment name `{name}` {why}")
    return name


# --- rendering ------------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    from katiblint.fix.edits import _plain_safe

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return text if _plain_safe(text) and not re.fullmatch(r"[-+.\d eE]+", text) else json.dumps(text)


def dump(value: Any, indent: int = 0) -> list[str]:
    """A small, deterministic block-style YAML emitter (strings that look like numbers are quoted)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{_scalar(key)}:")
                lines.extend(dump(item, indent + 2))
            elif isinstance(item, dict):
                lines.append(f"{pad}{_scalar(key)}: {{}}")
            elif isinstance(item, list):
                lines.append(f"{pad}{_scalar(key)}: []")
            else:
                lines.append(f"{pad}{_scalar(key)}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = dump(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return lines


@dataclass
class Answers:
    name: str
    namespace: str
    metric: str
    objective_type: str
    goal: str | None
    additional_metrics: list[str]
    algorithm: str
    settings: list[tuple[str, str]]
    parameters: list[Parameter]
    image: str
    command: list[str]
    kind: str
    workers: int
    max_trials: int
    parallel_trials: int
    max_failed: int | None
    cpu: str | None
    memory: str | None
    gpu: int
    collector: str
    metrics_file: str | None
    metrics_format: str
    early_stopping: str | None
    early_stopping_settings: list[tuple[str, str]]
    istio_inject: str


def _container(a: Answers) -> dict[str, Any]:
    args = list(a.command)
    joined = " ".join(args)
    for p in a.parameters:
        placeholder = "${trialParameters." + p.name + "}"
        if placeholder not in joined:
            args.append(f"--{p.name}={placeholder}")
    container: dict[str, Any] = {"name": _CONTAINER[a.kind], "image": a.image, "command": args}
    resources: dict[str, Any] = {}
    if a.cpu:
        resources["cpu"] = a.cpu
    if a.memory:
        resources["memory"] = a.memory
    if a.gpu:
        resources["nvidia.com/gpu"] = str(a.gpu)
    if resources:
        container["resources"] = {"limits": resources}
    return container


def _pod_template(a: Answers, restart: str | None) -> dict[str, Any]:
    template: dict[str, Any] = {}
    if a.istio_inject != "none":
        template["metadata"] = {"labels": {"sidecar.istio.io/inject": a.istio_inject}}
    template["spec"] = {"containers": [_container(a)]}
    if restart:  # a Job's pods must not restart; Training Operator sets it per replica instead
        template["spec"]["restartPolicy"] = restart
    return template


def build(a: Answers) -> dict[str, Any]:
    objective: dict[str, Any] = {"type": a.objective_type}
    if a.goal is not None:
        objective["goal"] = float(a.goal)
    objective["objectiveMetricName"] = a.metric
    if a.additional_metrics:
        objective["additionalMetricNames"] = a.additional_metrics
    algorithm: dict[str, Any] = {"algorithmName": a.algorithm}
    if a.settings:
        algorithm["algorithmSettings"] = [{"name": n, "value": v} for n, v in a.settings]
    parameters = []
    for p in a.parameters:
        space: dict[str, Any] = {}
        if p.values:
            space["list"] = p.values
        else:
            space["min"] = p.min
            space["max"] = p.max
            if p.step is not None:
                space["step"] = p.step
            if p.distribution:
                space["distribution"] = p.distribution
        parameters.append({"name": p.name, "parameterType": p.type, "feasibleSpace": space})
    if a.kind == "Job":
        trial_spec: dict[str, Any] = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "spec": {"template": _pod_template(a, "Never")},
        }
    else:
        master = "Master"
        replicas: dict[str, Any] = {master: {"replicas": 1, "restartPolicy": "OnFailure", "template": _pod_template(a, None)}}
        if a.workers:
            replicas["Worker"] = {"replicas": a.workers, "restartPolicy": "OnFailure", "template": _pod_template(a, None)}
        if a.kind == "TFJob":
            replicas = {("Chief" if k == master else k): v for k, v in replicas.items()}
        trial_spec = {"apiVersion": "kubeflow.org/v1", "kind": a.kind, "spec": {_REPLICA_KEY[a.kind]: replicas}}
    template: dict[str, Any] = {"primaryContainerName": _CONTAINER[a.kind]}
    if a.kind == "TFJob":
        template["primaryPodLabels"] = {"training.kubeflow.org/job-role": "master"}
    template["trialParameters"] = [
        {"name": p.name, "description": f"value of `{p.name}` for this trial", "reference": p.name} for p in a.parameters
    ]
    template["trialSpec"] = trial_spec
    spec: dict[str, Any] = {"objective": objective, "algorithm": algorithm}
    if a.early_stopping:
        es: dict[str, Any] = {"algorithmName": a.early_stopping}
        if a.early_stopping_settings:
            es["algorithmSettings"] = [{"name": n, "value": v} for n, v in a.early_stopping_settings]
        spec["earlyStopping"] = es
    spec["parallelTrialCount"] = a.parallel_trials
    spec["maxTrialCount"] = a.max_trials
    if a.max_failed is not None:
        spec["maxFailedTrialCount"] = a.max_failed
    if a.algorithm == "pbt":
        spec["resumePolicy"] = "FromVolume"
    if a.collector == "File":
        spec["metricsCollectorSpec"] = {
            "collector": {"kind": "File"},
            "source": {"fileSystemPath": {"path": a.metrics_file, "kind": "File", "format": a.metrics_format}},
        }
    spec["parameters"] = parameters
    spec["trialTemplate"] = template
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": a.name, "namespace": a.namespace},
        "spec": spec,
    }


def render(a: Answers, argv: list[str]) -> str:
    header = [
        f"# Generated by katiblint {__version__} (`katiblint new`).",
        "# Re-create with: katiblint new " + " ".join(shlex.quote(x) for x in argv),
    ]
    return "\n".join(header + dump(build(a))) + "\n"


def lint(text: str, istio: str) -> tuple[list[str], list[str]]:
    """Findings of every rule on the generated text, as printable lines (empty when clean), and
    the notices of checks the environment did not allow (said, but no reason to refuse)."""
    from katiblint.config import Settings
    from katiblint.engine import Linter

    policy = "off" if istio == "none" else istio
    result = Linter(Settings(istio_inject=policy)).lint_text(text, "<new>")
    findings = [f"{d.start[0] + 1}:{d.start[1] + 1}: {d.code} {d.message}" for d in result.diagnostics]
    return findings, result.notices


# --- the command ------------------------------------------------------------------------------


def _ask(interactive: bool, label: str, value: Any, convert: Callable[[str], Any] | None = None, default: Any = None, **kw: Any) -> Any:
    if value is not None:
        return value
    if not interactive:
        if default is not None:
            return default
        raise click.UsageError(f"missing {label} (give it as an option, or run in a terminal to be asked)")

    if convert is None:
        return click.prompt(label, default=default, **kw)
    return click.prompt(label, default=default, value_proc=convert, **kw)


def _algorithm_names() -> list[str]:
    from katiblint.katib.catalog import get_catalog

    return [a for a in get_catalog().algorithm_names if a not in NAS_ALGORITHMS]


class _AlgorithmChoice(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 only; 8.1 is supported
    name = "algorithm"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        names = _algorithm_names()
        if value in NAS_ALGORITHMS:
            self.fail(f"`{value}` is a NAS algorithm: it needs a nasConfig, which `katiblint new` does not write", param, ctx)
        if value not in names:
            from katiblint.suggest import did_you_mean

            self.fail(f"`{value}` is not a Katib algorithm {did_you_mean(value, names)} (choose from {', '.join(names)})", param, ctx)
        return str(value)


@click.command("new")
@click.option("--name", help="Experiment name (lower case, digits, `-`; at most 40 characters).")
@click.option("--namespace", help="Namespace (default: kubeflow).")
@click.option("--metric", help="Objective metric name, as the training code prints it (`name=value`).")
@click.option("--objective", "objective_type", type=click.Choice(["maximize", "minimize"]), help="Maximize or minimize the metric.")
@click.option("--goal", type=float, help="Stop when the objective reaches this value.")
@click.option("--additional-metric", "additional_metrics", multiple=True, help="Other metrics to collect.")
@click.option("--algorithm", type=_AlgorithmChoice(), help="Search algorithm (random, tpe, grid, bayesianoptimization, ...).")
@click.option("--setting", "settings", multiple=True, help="Algorithm setting NAME=VALUE (repeatable).")
@click.option("--param", "params", multiple=True, help="Parameter NAME:TYPE:MIN:MAX[:step=S][:dist=D] or NAME:categorical:A,B,C.")
@click.option("--image", help="Container image of the training code.")
@click.option("--command", "command_line", help="Training command; a `--NAME=${trialParameters.NAME}` argument is added per parameter unless placed.")
@click.option("--kind", type=click.Choice(KINDS), help="Trial kind (default: Job).")
@click.option("--workers", type=click.IntRange(min=0), default=None, help="Worker replicas for PyTorchJob/TFJob/XGBoostJob.")
@click.option("--max-trials", type=click.IntRange(min=1), help="Maximum number of trials.")
@click.option("--parallel-trials", type=click.IntRange(min=1), help="Trials run in parallel.")
@click.option("--max-failed", type=click.IntRange(min=0), help="Failed trials before the Experiment fails.")
@click.option("--cpu", help="CPU limit per trial pod, e.g. 1 or 500m.")
@click.option("--memory", help="Memory limit per trial pod, e.g. 2Gi.")
@click.option("--gpu", type=click.IntRange(min=0), default=None, help="GPUs per trial pod.")
@click.option("--collector", type=click.Choice(["StdOut", "File"]), default=None, help="Metrics collector (default: StdOut).")
@click.option("--metrics-file", help="File collector: absolute path of the metrics file.")
@click.option("--metrics-format", type=click.Choice(["TEXT", "JSON"]), default=None, help="File collector format.")
@click.option("--early-stopping", type=click.Choice(["medianstop"]), default=None, help="Early-stopping algorithm.")
@click.option("--early-stopping-setting", "es_settings", multiple=True, help="Early-stopping setting NAME=VALUE.")
@click.option("--istio-inject", type=click.Choice(["false", "true", "none"]), default=None, help="`sidecar.istio.io/inject` label on trial pods (default: false).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--interactive/--no-interactive", default=None, help="Ask for what is missing (default: when in a terminal).")
def new(**o: Any) -> None:
    """Write a correct Experiment from the essentials, asking for what is missing."""
    interactive = o["interactive"] if o["interactive"] is not None else sys.stdin.isatty()
    output = o["output"]
    if output and os.path.exists(output) and not o["force"]:
        raise click.UsageError(f"{output} exists; use --force to overwrite it")
    name = _ask(interactive, "Experiment name", check_name(o["name"]) if o["name"] else None, check_name)
    namespace = o["namespace"] or ("kubeflow" if not interactive else _ask(interactive, "Namespace", None, default="kubeflow"))
    metric = _ask(interactive, "Objective metric name", o["metric"])
    objective_type = _ask(interactive, "Maximize or minimize", o["objective_type"], default="maximize", type=click.Choice(["maximize", "minimize"])) if interactive else (o["objective_type"] or "maximize")
    algorithm = o["algorithm"] or _ask(interactive, "Algorithm", None, lambda t: _AlgorithmChoice().convert(t, None, None), default="random")
    settings = [parse_setting(s, algorithm) for s in o["settings"]]
    params = [parse_parameter(p) for p in o["params"]]
    if not params:
        if not interactive:
            raise click.UsageError("missing --param (at least one parameter to tune)")
        while True:
            params.append(_ask(True, "Parameter (NAME:TYPE:MIN:MAX or NAME:categorical:A,B)", None, parse_parameter))
            if not click.confirm("Add another parameter?", default=False):
                break
    image = _ask(interactive, "Training image", o["image"])
    command_line = _ask(interactive, "Training command", o["command_line"])
    kind = o["kind"] or ("Job" if not interactive else _ask(True, "Trial kind", None, default="Job", type=click.Choice(KINDS)))
    collector = o["collector"] or "StdOut"
    metrics_file = o["metrics_file"]
    if collector == "File":
        metrics_file = _ask(interactive, "Metrics file path", metrics_file, default="/var/log/katib/metrics.log")
        if not str(metrics_file).startswith("/"):
            raise click.BadParameter("the metrics file path must be absolute", param_hint="--metrics-file")
    max_trials = o["max_trials"] or (12 if not interactive else _ask(True, "Maximum trials", None, default=12, type=click.IntRange(min=1)))
    parallel = o["parallel_trials"] or min(3, max_trials)
    if parallel > max_trials:
        raise click.BadParameter(f"{parallel} parallel trials exceed the {max_trials} maximum", param_hint="--parallel-trials")
    es = o["early_stopping"]
    answers = Answers(
        name=name,
        namespace=namespace,
        metric=metric,
        objective_type=objective_type,
        goal=None if o["goal"] is None else repr(o["goal"]),
        additional_metrics=list(o["additional_metrics"]),
        algorithm=algorithm,
        settings=settings,
        parameters=params,
        image=image,
        command=shlex.split(command_line),
        kind=kind,
        workers=o["workers"] if o["workers"] is not None else (1 if kind != "Job" else 0),
        max_trials=max_trials,
        parallel_trials=parallel,
        max_failed=o["max_failed"],
        cpu=o["cpu"],
        memory=o["memory"],
        gpu=o["gpu"] or 0,
        collector=collector,
        metrics_file=metrics_file,
        metrics_format=o["metrics_format"] or "TEXT",
        early_stopping=es,
        early_stopping_settings=[parse_setting(s, es, early_stopping=True) for s in o["es_settings"]] if es else [],
        istio_inject=o["istio_inject"] or "false",
    )
    text = render(answers, sys.argv[2:] if len(sys.argv) > 2 else [])
    findings, notices = lint(text, answers.istio_inject)
    for notice in notices:
        click.echo(f"katiblint new: {notice}", err=True)
    if findings:
        click.echo("katiblint new: the Experiment these answers describe would not run as intended:", err=True)
        for line in findings:
            click.echo(f"  {line}", err=True)
        click.echo("Nothing was written; change the answers above and try again.", err=True)
        sys.exit(1)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output} ({'lints clean' if not notices else 'no findings'}).", err=True)
    else:
        click.echo(text, nl=False)

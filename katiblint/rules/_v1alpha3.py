"""Migrating a `kubeflow.org/v1alpha3` Experiment to `v1beta1`: KAT004's unsafe fix.

v1alpha3 renders `trialTemplate.goTemplate.rawTemplate` with Go's text/template, the trial's
parameter assignments in `.HyperParameters` (Katib v0.10 `pkg/controller.v1alpha3/experiment/
manifest/generator.go`, `trialTemplateParams`). v1beta1 takes the trial job as YAML in
`trialTemplate.trialSpec` and substitutes `${trialParameters.x}` placeholders declared in
`trialTemplate.trialParameters`. The common v1alpha3 template writes one argument per
assignment in a loop:

    {{- with .HyperParameters}}
    {{- range .}}
    - "{{.Name}}={{.Value}}"
    {{- end}}
    {{- end}}

which becomes one argument per parameter, `- "--lr=${trialParameters.lr}"`. Templates with other
Go template logic have no mechanical translation: `migrate` then says why, and offers nothing.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from katiblint.diagnostics import Edit, Fix
from katiblint.fix.edits import content_end, indent_step, line_end, plain_or_quoted, replace_scalar
from katiblint.yaml import Mapping, Scalar, load
from katiblint.katib.experiment import SERVED_VERSION, Experiment, as_str, mapping, mappings
from katiblint.source import SourceFile, Span

# The assignments Katib's v1alpha3 NAS services return (pkg/suggestion/v1alpha3/nas/enas/service.py
# and nas/darts/service.py, `ParameterAssignment(name=...)`), with the trial parameter names of
# Katib's v1beta1 NAS examples (examples/v1beta1/nas/enas-cpu.yaml, darts-cpu.yaml).
NAS_ASSIGNMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "enas": (("neuralNetworkArchitecture", "architecture"), ("neuralNetworkConfig", "nn_config")),
    "darts": (
        ("algorithmSettings", "algorithm-settings"),
        ("searchSpace", "search-space"),
        ("numberLayers", "num-layers"),
    ),
}

# v1alpha3's training container, by trial kind (Katib v0.10 pkg/job/v1alpha3: job.go `Job.IsTrainingContainer`
# takes the first container; kubeflow.go `Kubeflow.IsTrainingContainer` the operators' default names).
_OPERATOR_CONTAINER = {"TFJob": "tensorflow", "PyTorchJob": "pytorch"}
# v1alpha3 injected the metrics collector only into pods labelled `job-role: master` for those kinds
# (pkg/webhook/v1alpha3/pod/utils.go `isMasterRole`); the operator's current label for that role.
_MASTER_LABEL = ("training.kubeflow.org/job-role", "master")
# The container name Katib's v1beta1 examples give a Job's training container.
DEFAULT_CONTAINER = "training-container"

_ACTION = r"\{\{-?\s*%s\s*-?\}\}"
_WITH = re.compile(_ACTION % r"with\s+\.HyperParameters")
_RANGE_DOT = re.compile(_ACTION % r"range\s+\.")
_RANGE_HP = re.compile(_ACTION % r"range\s+\.HyperParameters")
_END = re.compile(_ACTION % "end")
_NAME = re.compile(r"\{\{-?\s*\.Name\s*-?\}\}")
_VALUE = re.compile(r"\{\{-?\s*\.Value\s*-?\}\}")
_TRIAL = re.compile(r"\{\{-?\s*\.Trial\s*-?\}\}")
_NAMESPACE = re.compile(r"\{\{-?\s*\.NameSpace\s*-?\}\}")
_EXPERIMENT = re.compile(r"\{\{-?\s*\.Experiment\s*-?\}\}")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$|^--?[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TRIAL_CONTAINER = re.compile(r"^([ \t]*(?:-[ \t]+)?name:[ \t]*)[\"']?" + _TRIAL.pattern + r"[\"']?[ \t]*$", re.M)
_META_LINE = re.compile(r"^\s+(name|namespace):\s*[\"']?(\{\{[^}]*\}\})[\"']?\s*$")


class Migration(NamedTuple):
    """The fix, or (when `fix` is None) why the Experiment cannot be migrated mechanically."""

    fix: Fix | None
    reason: str | None


def _no(reason: str) -> Migration:
    return Migration(None, reason)


def trial_parameter_name(name: str) -> str:
    """`--num-layers` -> `numLayers`, `learning_rate` -> `learningRate`: a placeholder-friendly name."""
    words = [w for w in re.split(r"[-_.]+", name.lstrip("-")) if w]
    if not words:
        return "param"
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _assignments(exp: Experiment) -> list[tuple[str, str]] | str:
    """(trial parameter name, assignment name) for every assignment a trial receives, else why not."""
    if exp.parameters:
        pairs: list[tuple[str, str]] = []
        taken: set[str] = set()
        for param in exp.parameters:
            name = as_str(param.get("name"))
            if not name or not _SAFE_NAME.match(name):
                if not name:
                    return "a parameter has no name"
                return f"the parameter name `{name}` cannot be written into an argument safely"
            base = tp = trial_parameter_name(name)
            n = 2
            while tp in taken:
                tp, n = f"{base}{n}", n + 1
            taken.add(tp)
            pairs.append((tp, name))
        return pairs
    algorithm = exp.algorithm_name or ""
    if exp.spec_get("nasConfig") is not None and algorithm in NAS_ASSIGNMENTS:
        return list(NAS_ASSIGNMENTS[algorithm])
    return "the Experiment has no `parameters` (nor an enas or darts `nasConfig`) to declare as trial parameters"


def _expand_loops(template: str, pairs: list[tuple[str, str]]) -> str | None:
    """The template with every `.HyperParameters` loop unrolled; None when a loop is not the common
    form, "" when there is no loop (the trials would not receive their parameters)."""
    lines = template.split("\n")
    out: list[str] = []
    loops = 0
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        ends = 0
        if _WITH.fullmatch(stripped) and i + 1 < len(lines) and _RANGE_DOT.fullmatch(lines[i + 1].strip()):
            ends, i = 2, i + 2
        elif _RANGE_HP.fullmatch(stripped):
            ends, i = 1, i + 1
        elif "HyperParameters" in lines[i]:
            return None  # `.HyperParameters` used some other way
        else:
            out.append(lines[i])
            i += 1
            continue
        body: list[str] = []
        while i < len(lines) and not _END.fullmatch(lines[i].strip()):
            body.append(lines[i])
            i += 1
        for _ in range(ends):
            if i >= len(lines) or not _END.fullmatch(lines[i].strip()):
                return None
            i += 1
        if not body or any("{{" in _VALUE.sub("", _NAME.sub("", line)) for line in body):
            return None
        if not any(_VALUE.search(line) for line in body):
            return None
        for tp, name in pairs:
            for line in body:
                out.append(_VALUE.sub(lambda _: "${trialParameters.%s}" % tp, _NAME.sub(lambda _: name, line)))
        loops += 1
    return "\n".join(out) if loops else ""


def _drop_trial_metadata(template: str) -> str:
    """Remove the top-level `metadata.name: {{.Trial}}` / `namespace: {{.NameSpace}}` (and a
    `metadata:` left empty): v1beta1 names the trial job after the trial, in its namespace
    (pkg/controller.v1beta1/experiment/manifest/generator.go `GetRunSpecWithHyperParameters`)."""
    lines = template.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip() == "metadata:":
            children: list[str] = []
            j = i + 1
            while j < len(lines) and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                children.append(lines[j])
                j += 1
            kept = [c for c in children if not _META_LINE.match(c) or not (_TRIAL.search(c) or _NAMESPACE.search(c))]
            if any(c.strip() for c in kept):
                out.append(line)
                out.extend(kept)
            else:
                out.extend(c for c in kept if not c.strip())
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _translate(exp: Experiment, template: str, pairs: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]] | str:
    """(trialSpec text, trial parameters as (name, reference)), or why the template cannot be translated."""
    expanded = _expand_loops(template, pairs)
    if expanded == "":
        return "its template never writes `.HyperParameters`, so no trial parameter would be used"
    if expanded is None:
        return (
            "its template uses `.HyperParameters` in a form other than the `with`/`range` loop over "
            "`{{.Name}}` and `{{.Value}}`"
        )
    text = _drop_trial_metadata(expanded)
    text = _TRIAL_CONTAINER.sub(lambda m: m.group(1) + DEFAULT_CONTAINER, text)
    params = list(pairs)
    if {"trialName", "trialNamespace"} & {tp for tp, _ in pairs}:
        return "a parameter's name clashes with the `trialName`/`trialNamespace` trial parameters of the migration"
    if _TRIAL.search(text):
        params.append(("trialName", "${trialSpec.Name}"))
        text = _TRIAL.sub("${trialParameters.trialName}", text)
    if _NAMESPACE.search(text):
        params.append(("trialNamespace", "${trialSpec.Namespace}"))
        text = _NAMESPACE.sub("${trialParameters.trialNamespace}", text)
    if _EXPERIMENT.search(text):
        if not exp.name:
            return "its template uses `{{.Experiment}}` and the Experiment has no name"
        text = _EXPERIMENT.sub(lambda _: exp.name or "", text)
    if "{{" in text:
        return (
            "its template uses Go template actions other than `.HyperParameters`, `.Trial`, `.NameSpace` "
            "and `.Experiment`"
        )
    return text, params


def _primary(trial_spec: Mapping) -> tuple[str, tuple[str, str] | None] | str:
    """The primary container name and pod label v1alpha3 implied for the trial kind, else why not."""
    kind = as_str(trial_spec.get("kind"))
    if kind in _OPERATOR_CONTAINER:
        return _OPERATOR_CONTAINER[kind], _MASTER_LABEL
    if kind != "Job":
        if not kind:
            return "its template has no `kind`"
        return f"v1alpha3 ran only Job, TFJob and PyTorchJob trials, not `{kind}`"
    spec = mapping(trial_spec.get("spec"))
    template = mapping(spec.get("template")) if spec else None
    pod = mapping(template.get("spec")) if template else None
    containers = mappings(pod.get("containers")) if pod else []
    name = as_str(containers[0].get("name")) if containers else None
    if not name:
        return "its Job template has no named first container (v1alpha3's training container)"
    return name, None


def _block(lines: list[str], indent: str) -> str:
    return "".join((indent + line if line.strip() else "") + "\n" for line in lines)


def migrate(exp: Experiment) -> Migration:
    """KAT004's unsafe fix for a v1alpha3 Experiment, or why there is none."""
    source = exp.source
    api = exp.root.get("apiVersion")
    template = exp.trial_template
    go = mapping(template.get("goTemplate")) if template else None
    written_for_v1beta1 = template is not None and go is None and mapping(template.get("trialSpec")) is not None
    if isinstance(api, Scalar) and written_for_v1beta1:
        # Written for v1beta1 already (a `trialSpec`), under the old version: only the version is wrong.
        title = f"set `apiVersion: {SERVED_VERSION}` (the trial template is already v1beta1's `trialSpec`)"
        return Migration(Fix.unsafe(title, replace_scalar(api, SERVED_VERSION)), None)
    if not isinstance(api, Scalar) or template is None or go is None:
        return _no("it has no `trialTemplate.goTemplate` to translate")
    if go.get("templateSpec") is not None:
        return _no(
            "its trial template is kept in a ConfigMap (`goTemplate.templateSpec`); migrate the template there first"
        )
    raw = go.get("rawTemplate")
    text = as_str(raw)
    if not isinstance(raw, Scalar) or not text:
        return _no("it has no `goTemplate.rawTemplate`")
    algorithm = exp.algorithm
    if algorithm is not None and algorithm.get("earlyStopping") is not None:
        return _no("`algorithm.earlyStopping` has no v1beta1 equivalent katiblint can move it to safely")
    if any(template.get(key) is not None for key in ("trialSpec", "trialParameters", "primaryContainerName")):
        return _no("its trial template mixes v1alpha3 and v1beta1 fields")
    pairs = _assignments(exp)
    if isinstance(pairs, str):
        return _no(pairs)
    translated = _translate(exp, text, pairs)
    if isinstance(translated, str):
        return _no(translated)
    spec_text, params = translated
    parsed = load(SourceFile("<trialSpec>", spec_text + "\n"))
    docs = [d for d in parsed.documents if d.root is not None]
    if parsed.problems or len(docs) != 1 or any(d.problems for d in docs) or not isinstance(docs[0].root, Mapping):
        return _no("its template, with the loop unrolled, is not one YAML mapping")
    primary = _primary(docs[0].root)
    if isinstance(primary, str):
        return _no(primary)
    container, label = primary

    # The new trialTemplate entries replace the `goTemplate:` entry, at its column.
    key = template.key_node("goTemplate")
    assert key is not None
    column = source.position(key.span.start)[1]
    line_start = source.line_starts[source.position(key.span.start)[0]]
    if source.text[line_start : key.span.start].strip():
        return _no("`goTemplate` shares its line with other YAML")
    end = line_end(source, content_end(source, go))
    region = source.text[line_start:end]
    outside = region[: raw.span.start - line_start] + region[raw.span.end - line_start :]
    if "#" in outside:
        return _no("comments around `goTemplate` would be lost")
    pad = " " * column
    step = " " * indent_step(source, exp.root)
    lines = [f"primaryContainerName: {plain_or_quoted(container)}"]
    if label is not None:
        lines += ["primaryPodLabels:", f"{step}{label[0]}: {label[1]}"]
    lines.append("trialParameters:")
    for tp, ref in params:
        lines += [f"{step}- name: {tp}", f"{step}  reference: {plain_or_quoted(ref)}"]
    lines.append("trialSpec:")
    lines += [step + line if line.strip() else "" for line in spec_text.rstrip("\n").split("\n")]
    body = _block(lines, pad)
    edits = [
        replace_scalar(api, SERVED_VERSION),
        Edit.replace(Span(line_start, end), body.replace("\n", source.newline)),
    ]
    title = (
        f"migrate the Experiment to `{SERVED_VERSION}`: `goTemplate.rawTemplate` becomes `trialSpec` with "
        "`trialParameters`, and `primaryContainerName` is set"
    )
    fix = Fix.unsafe(title, *edits)
    if not _still_one_document(source, exp, fix):
        return _no("the migrated Experiment would not parse")
    return Migration(fix, None)


def _still_one_document(source: SourceFile, exp: Experiment, fix: Fix) -> bool:
    """The migrated document, parsed on its own, is one mapping whose trialSpec has a kind."""
    text = source.text
    lo = min(exp.doc.span.start, fix.span.start)
    hi = max(exp.doc.span.end, fix.span.end)
    out, last = [], lo
    for edit in fix.edits:
        out.append(text[last : edit.span.start])
        out.append(edit.content)
        last = edit.span.end
    out.append(text[last:hi])
    loaded = load(SourceFile(source.path, "".join(out)))
    docs = [d for d in loaded.documents if d.root is not None]
    if loaded.problems or len(docs) != 1 or docs[0].problems or not isinstance(docs[0].root, Mapping):
        return False
    spec = mapping(docs[0].root.get("spec"))
    template = mapping(spec.get("trialTemplate")) if spec else None
    trial_spec = mapping(template.get("trialSpec")) if template else None
    return trial_spec is not None and as_str(trial_spec.get("kind")) is not None

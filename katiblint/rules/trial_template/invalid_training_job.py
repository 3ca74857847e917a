"""KAT341 invalid-training-job."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.yaml import Mapping, Node, Scalar, Sequence
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule, parent_key
from katiblint.rules._k8s_schema import type_word
from katiblint.suggest import closest

_PLACEHOLDER = "${trialParameters."
# Unknown fields are reported for the training-operator's kinds only: `kubeflow.org/v1` ended with
# v1.9, while Trainer's TrainJob fields still change between releases.
_FROZEN_API = "kubeflow.org/v1"


def _covered_by_kat005(node: Node) -> bool:
    """Label and annotation values: KAT005 non-string-value reports (and quotes) them."""
    table = node.parent
    meta = table.parent if table is not None else None
    return (
        isinstance(table, Mapping)
        and table.key in ("labels", "annotations")
        and meta is not None
        and meta.key == "metadata"
    )


def _typed_by_substitution(node: Scalar, from_config_map: bool) -> bool:
    """True when the value's type is only known once Katib has substituted it.

    Katib substitutes placeholders in the template's text (generator.go applyParameters). An inline
    trialSpec is that text as JSON, where a placeholder sits inside a string; a ConfigMap template
    is YAML, where an unquoted `replicas: ${trialParameters.n}` reads back as the number substituted.
    """
    return from_config_map and node.style is None and node.tag is None and _PLACEHOLDER in node.raw


class InvalidTrainingJob(Rule):
    code = "KAT341"
    name = "invalid-training-job"
    summary = "A Kubeflow training job trial template with a value of the wrong type for its CRD, or a field it drops"
    # a `command` indented out of its container: KAT414 says what that does to the trial
    superseded_by = ("KAT414",)

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        trial_spec = exp.trial_spec
        api_version, kind = exp.trial_api_version, exp.trial_kind
        if trial_spec is None or not api_version or not kind:
            return
        from katiblint.rules._k8s_schema import kubeflow_schemas, walk

        found = kubeflow_schemas()
        if isinstance(found, str):
            ctx.notices.add(f"{self.code}: Kubeflow training job templates were not checked: {found}")
            return
        root = found.roots.get(f"{api_version} {kind}")
        if root is None:
            return
        from_config_map = exp.template_origin is not None
        for problem in walk(found.schema, trial_spec, root, kind):
            node = problem.node
            if problem.kind == "unknown-field" and api_version == _FROZEN_API:
                yield self._unknown(problem.field, node, problem.type_name, problem.known, kind)
                continue
            if problem.kind != "wrong-type" or _covered_by_kat005(node):
                continue
            raw = node.raw if isinstance(node, Scalar) else None
            if isinstance(node, Scalar) and _typed_by_substitution(node, from_config_map):
                continue
            wanted = " or ".join(type_word(t) for t in problem.expected)
            field = f"`{problem.field}`" if problem.field and not problem.field.isdigit() else "this item"
            actual = type_word(_json_type(node))
            where = "the Kubernetes" if problem.type_name != kind else "the"
            api_type = "number" if "number" in problem.expected else problem.expected[0]
            consequence = (
                f"the API server rejects the Trial's {kind} (`must be of type {api_type}`), so the Trial never starts"
            )
            if raw is not None and _PLACEHOLDER in raw:
                message = (
                    f"{field} must be {wanted}, but Katib substitutes `{raw}` as text, so the value is a string; "
                    f"{consequence}"
                )
                hint = (
                    "a trial parameter cannot set a typed field of an inline trialSpec: keep the value fixed, "
                    "or move the template to a ConfigMap and write the placeholder unquoted"
                )
                if from_config_map:
                    hint = f"remove the quotes around the placeholder, so the substituted value is read as {wanted}"
            else:
                message = (
                    f"{field} must be {wanted}, not {actual}{f' (`{raw}`)' if raw is not None else ''}, "
                    f"in {where} `{problem.type_name}` schema; {consequence}"
                )
                if raw is not None and "string" in problem.expected:
                    hint = f'quote it: `"{raw}"`'
                elif "array" in problem.expected:
                    hint = "write it as a YAML list (`- item` lines)"
                elif isinstance(node, Scalar) and node.is_str and "integer" in problem.expected and node.raw.isdigit():
                    hint = f"remove the quotes: `{raw}`"
                else:
                    hint = f"write {wanted} here"
            target = parent_key(node) if isinstance(node, (Mapping, Sequence)) else node
            yield self.report(target, message, help=hint, path=node.path)

    def _unknown(self, name: str, key: Node, type_name: str, known: tuple[str, ...], kind: str) -> Diagnostic:
        guess = closest(name, known)
        parent = key.parent.path if key.parent is not None else ""
        inside = parent.split("trialSpec.", 1)[-1] if "trialSpec." in parent else parent
        where = f"the Kubernetes `{type_name}`" if type_name != kind else f"`{inside or kind}` of a {kind}"
        return self.report(
            key,
            f"`{name}` is not a field of {where}; the API server drops fields the {kind} CRD does not know, "
            f"so the Trial's {kind} is created without it",
            help=f"did you mean `{guess}`?" if guess else f"remove `{name}` or move it where it belongs",
            severity=Severity.WARNING,
            path=f"{parent}.{name}" if parent else name,
        )


def _json_type(node: Node) -> str:
    from katiblint.rules._k8s_schema import json_type

    return json_type(node)

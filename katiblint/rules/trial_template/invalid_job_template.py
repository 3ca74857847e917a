"""KAT340 invalid-job-template."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping, Node, Scalar, Sequence
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule, parent_key
from katiblint.rules._k8s_schema import type_word
from katiblint.suggest import closest

_REJECTED = "Katib's webhook cannot convert the template to a `batch/v1` Job and rejects the Experiment"


def _actual(node: Node) -> str:
    from katiblint.rules._k8s_schema import json_type

    return type_word(json_type(node))


def _covered_by_kat005(node: Node) -> bool:
    """Pod-template label and annotation values: KAT005 non-string-value reports (and quotes) them."""
    table = node.parent
    meta = table.parent if table is not None else None
    template = meta.parent if meta is not None else None
    return (
        isinstance(table, Mapping)
        and table.key in ("labels", "annotations")
        and meta is not None
        and meta.key == "metadata"
        and template is not None
        and template.key == "template"
    )


class InvalidJobTemplate(Rule):
    code = "KAT340"
    name = "invalid-job-template"
    summary = "A batch/v1 Job trial template that does not convert to a Kubernetes Job"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        trial_spec = exp.trial_spec
        # validator.go validateTrialTemplate: only an exact `batch/v1` `Job` is converted.
        if trial_spec is None or exp.trial_api_version != "batch/v1" or exp.trial_kind != "Job":
            return
        from katiblint.rules._k8s_schema import SchemaUnavailable, job_schema, walk

        try:
            js = job_schema(ctx.settings.kubernetes_version)
        except SchemaUnavailable as exc:
            # The environment, not the manifest: one line on stderr for the run, no finding.
            ctx.notices.add(f"{self.code}: batch/v1 Job trial templates were not checked against the Kubernetes schema: {exc}")
            return
        for problem in walk(js, trial_spec, js.root()):
            node = problem.node
            where = f"the Kubernetes `{problem.type_name}` (schema {js.version_text})"
            if problem.kind == "unknown-field":
                guess = closest(problem.field, problem.known)
                yield self.report(
                    node,
                    f"`{problem.field}` is not a field of {where}; {_REJECTED} (`unable to convert ... to Job`)",
                    help=f"did you mean `{guess}`?" if guess else f"remove `{problem.field}` or move it where it belongs",
                    path=_field_path(node, problem.field),
                )
            elif problem.kind == "wrong-type":
                if _covered_by_kat005(node):
                    continue
                wanted = " or ".join(type_word(t) for t in problem.expected)
                field = f"`{problem.field}`" if problem.field and not problem.field.isdigit() else "this item"
                raw = node.raw if isinstance(node, Scalar) else None
                if raw is not None and "string" in problem.expected:
                    hint = f'quote it: `"{raw}"`'
                elif "array" in problem.expected:
                    hint = "write it as a YAML list (`- item` lines)"
                else:
                    hint = f"write {wanted} here"
                if raw is not None and "${trialParameters." in raw:
                    # validator.go replaces every placeholder with the string `test-value` before converting.
                    hint = f"Katib checks the template with placeholders replaced by a string; {hint}"
                # a block mapping or list starts on the next line: point at its key instead
                target = parent_key(node) if isinstance(node, (Mapping, Sequence)) else node
                yield self.report(
                    target,
                    f"{field} must be {wanted}, not {_actual(node)}{f' (`{raw}`)' if raw is not None else ''}, "
                    f"in {where}; {_REJECTED}",
                    help=hint,
                    path=node.path,
                )
            else:
                shown = _shown(node)
                yield self.report(
                    node,
                    f"`{problem.field}: {shown}` is an empty value the typed Job drops (`omitempty`), so the "
                    f"converted template differs from yours and Katib's webhook rejects the Experiment "
                    f"(`unable to convert: add ... to Job`)",
                    help=f"remove `{problem.field}`, or give it a value",
                )


def _field_path(node: Node, field: str) -> str:
    parent = node.parent
    base = parent.path if parent is not None else ""
    return f"{base}.{field}" if base else field


def _shown(node: Node) -> str:
    if isinstance(node, Mapping):
        return "{}"
    if isinstance(node, Sequence):
        return "[]"
    if isinstance(node, Scalar):
        return node.raw if node.kind != "str" else '""'
    return "?"

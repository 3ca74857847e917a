"""KAT040 unrendered-template: Helm / Go template actions where Experiment values belong.

A file that is not valid YAML because of template actions is reported by the loader with this
code (see `katiblint.yaml.GO_TEMPLATE_ACTION`); this rule covers templates that happen to
parse: `name: "{{ .Values.name }}"` is a string, `name: {{ .Values.name }}` a flow mapping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from katiblint.diagnostics import Diagnostic, Severity
from katiblint.yaml import GO_TEMPLATE_ACTION, Mapping, Scalar, TemplateActions
from katiblint.katib.experiment import walk
from katiblint.registry import Rule
from katiblint.katib.templating import unrendered_tokens

if TYPE_CHECKING:
    from katiblint.context import Context
    from katiblint.katib.experiment import Experiment

HELP = "render the chart first and lint the output, e.g. `helm template <release> <chart> | katiblint -`"


class UnrenderedTemplate(Rule):
    code = "KAT040"
    name = "unrendered-template"
    summary = "Helm or Go template actions where the Experiment needs rendered values"
    severity = Severity.ERROR

    @classmethod
    def describe(cls, fact: TemplateActions) -> tuple[str, str | None]:
        return (
            f"the file holds Go template actions such as `{fact.action}` and is not valid YAML: it is an "
            "unrendered Helm (or Go) template, which kubectl rejects as it is",
            "render it first and lint the output, e.g. `helm template <release> <chart> | katiblint -`",
        )

    def check(self, exp: Experiment, ctx: Context) -> Iterable[Diagnostic]:
        yield from self._placeholders(exp)
        yield from self._helm(exp)

    def _placeholders(self, exp: Experiment) -> Iterable[Diagnostic]:
        """One info per document for placeholders a script or tool fills in (katiblint.katib.templating)."""
        tokens = unrendered_tokens(exp)
        if not tokens:
            return
        names = list(dict.fromkeys(t.text for t in tokens))
        shown = ", ".join(f"`{n}`" for n in names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        yield self.report(
            tokens[0].node,
            f"this Experiment is a template: {shown} {'is' if len(names) == 1 else 'are'} filled in before the "
            "Experiment is applied, so katiblint does not check "
            f"{'that value' if len(names) == 1 else 'those values'}; the rest is checked as written",
            help="lint the rendered manifest for a complete check, e.g. `envsubst < experiment.yaml | katiblint -`",
            severity=Severity.INFO,
        )

    def _helm(self, exp: Experiment) -> Iterable[Diagnostic]:
        text = exp.source.text
        if text.find("{{", exp.doc.span.start, exp.doc.span.end) < 0:
            return
        legacy = exp.template_get("goTemplate")  # Katib v1alpha3's own Go templates, not Helm's
        for node in walk(exp.root):
            if legacy is not None and legacy.span.start <= node.span.start < legacy.span.end:
                continue
            if isinstance(node, Scalar):
                raw = node.raw if isinstance(node.raw, str) else ""
                action = GO_TEMPLATE_ACTION.search(raw) if "{{" in raw else None
                what = "the literal text"
            elif isinstance(node, Mapping) and text.startswith("{{", node.span.start):
                # `key: {{ .Values.x }}` parses as a flow mapping inside a flow mapping
                action = GO_TEMPLATE_ACTION.match(text, node.span.start, node.span.end)
                what = "a YAML map"
            else:
                continue
            if action is None:
                continue
            where = node.path or "the document"
            yield self.report(
                node,
                f"`{where}` holds the Go template action `{action.group(0)}`: this is an unrendered Helm template, "
                f"and applied as is the API server receives {what} instead of the value",
                help=HELP,
            )

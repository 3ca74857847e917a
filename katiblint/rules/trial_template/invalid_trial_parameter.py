"""KAT312 invalid-trial-parameter."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping, Sequence
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import is_set, string_field

_DETAIL = "name and reference must be specified and name must not contain '{' or '}'"


class InvalidTrialParameter(Rule):
    code = "KAT312"
    name = "invalid-trial-parameter"
    summary = "trialParameters is missing or empty, or an entry lacks its name or reference"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        template = exp.trial_template
        if template is None:
            return
        node = template.get("trialParameters")
        # the defaulting patch removes `trialParameters: []`, so an empty list is a missing one
        if not is_set(node) or (isinstance(node, Sequence) and not node.items):
            yield self.report_key(
                template,
                "trialParameters",
                "`trialParameters` is missing or empty; the webhook rejects the Experiment "
                "(`spec.trialTemplate.trialParameters: Required value: must be specified`)",
                help="declare each value passed to the trial, e.g. `- name: learningRate` with `reference: lr`",
            )
            return
        if not isinstance(node, Sequence):
            return  # a decode error (KAT010)
        # mirrors validator.go validateTrialTemplate, per trialParameters entry
        for item in node.items:
            if not isinstance(item, Mapping):
                continue
            name = string_field(item.get("name"))
            reference = string_field(item.get("reference"))
            if name == "":
                yield self.report_key(
                    item,
                    "name",
                    f"a trial parameter has no `name`; the webhook rejects the Experiment (`{_DETAIL}`)",
                    help="give the entry the name its `${trialParameters.<name>}` placeholder uses",
                )
            elif name is not None and ("{" in name or "}" in name):
                yield self.report(
                    item.get("name"),  # type: ignore[arg-type]  # present: its name was read above
                    f"trial parameter name `{name}` contains `{{` or `}}`; the webhook rejects the Experiment "
                    f"(`{_DETAIL}`)",
                    help="write the bare name (`learningRate`), not the placeholder (`${trialParameters.learningRate}`)",
                )
            if reference == "":
                yield self.report_key(
                    item,
                    "reference",
                    f"trial parameter{f' `{name}`' if name else ''} has no `reference`; the webhook rejects the "
                    f"Experiment (`{_DETAIL}`)",
                    help="reference the `name` of a spec.parameters entry (or a `${trialSpec.Name}`-style metadata key)",
                )

"""KAT311 missing-trial-condition."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import is_set, string_field
from katiblint.katib.api import KUBEFLOW_JOB_KINDS


class MissingTrialCondition(Rule):
    code = "KAT311"
    name = "missing-trial-condition"
    summary = "successCondition or failureCondition is missing where Katib sets no default"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        template = exp.trial_template
        if template is None:
            return
        trial_spec = template.get("trialSpec")
        if is_set(trial_spec):
            if not isinstance(trial_spec, Mapping):
                return
            kind = string_field(trial_spec.get("kind"))
            if not kind:
                return  # no kind: KAT310
            # experiment_defaults.go: Job and the Kubeflow job kinds get default conditions
            if kind == "Job" or kind in KUBEFLOW_JOB_KINDS:
                return
            why = f"Katib sets default conditions only for `Job` and Kubeflow training jobs, not for `{kind}`"
        elif is_set(template.get("configMap")):
            why = "Katib sets no default conditions for a template read from a ConfigMap"
        else:
            return  # no source: KAT310
        for key in ("successCondition", "failureCondition"):
            if string_field(template.get(key)) == "":
                yield self.report_key(
                    template,
                    key,
                    f"`{key}` is missing and {why}; the webhook rejects the Experiment (`spec.trialTemplate: "
                    "Required value: successCondition and failureCondition must be specified`)",
                    help=f"add `{key}:` as a GJSON path over the trial job's status, e.g. "
                    + (
                        '`status.conditions.#(type=="Complete")#|#(status=="True")#` for a Job template'
                        if key == "successCondition"
                        else '`status.conditions.#(type=="Failed")#|#(status=="True")#` for a Job template'
                    ),
                )

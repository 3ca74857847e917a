"""KAT310 invalid-trial-template."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import is_set, string_field

_CM_FIELDS = ("configMapName", "configMapNamespace", "templatePath")


class InvalidTrialTemplate(Rule):
    code = "KAT310"
    name = "invalid-trial-template"
    summary = "The trial template is missing, has no or two sources, or its trialSpec lacks kind or apiVersion"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        spec = exp.spec
        if spec is None:
            return
        template = spec.get("trialTemplate")
        if not is_set(template):
            yield self.report_key(
                spec,
                "trialTemplate",
                "`spec.trialTemplate` is missing; the webhook rejects the Experiment "
                "(`spec.trialTemplate: Required value: must be specified`)",
                help="add `trialTemplate:` with `primaryContainerName`, `trialParameters` and a `trialSpec`",
            )
            return
        if not isinstance(template, Mapping):
            return  # a decode error (KAT010)
        # mirrors validator.go validateTrialTemplate (source checks)
        trial_spec = template.get("trialSpec")
        config_map = template.get("configMap")
        has_spec, has_cm = is_set(trial_spec), is_set(config_map)
        # validateTrialTemplate returns at a missing `trialParameters` before it looks at the source:
        # the source's own message only comes once trialParameters is given.
        after = "" if is_set(template.get("trialParameters")) else "once `trialParameters` is given, "
        if not has_spec and not has_cm:
            legacy = " (`goTemplate` is Katib v1alpha3's, which v1beta1 does not read)" if "goTemplate" in template else ""
            yield self.report_key(
                template,
                "trialSpec",
                f"the trial template has neither `trialSpec` nor `configMap`{legacy}; the webhook rejects the "
                f"Experiment ({after}`spec.trialTemplate.TrialSource: Required value: spec.trialTemplate.trialSpec or "
                "spec.trialTemplate.configMap must be specified`)",
                help="add the trial job under `trialSpec:`, or reference a template with `configMap:`",
            )
        if has_spec and has_cm:
            yield self.report_key(
                template,
                "configMap",
                "the trial template has both `trialSpec` and `configMap`; the webhook rejects the Experiment "
                f"({after}`spec.trialTemplate: Required value: only one of spec.trialTemplate.trialSpec or "
                "spec.trialTemplate.configMap can be specified`)",
                help="keep one of the two sources",
            )
        if isinstance(config_map, Mapping):
            for key in _CM_FIELDS:
                if string_field(config_map.get(key)) == "":
                    yield self.report_key(
                        config_map,
                        key,
                        f"`configMap.{key}` is missing or empty; the webhook rejects the Experiment "
                        "(`spec.trialTemplate.configMap: Required value: configMapName, configMapNamespace and "
                        "templatePath must be specified`)",
                        help="set `configMapName`, `configMapNamespace` and `templatePath` (the key of the template)",
                    )
        if has_spec:
            yield from self._trial_spec(template, trial_spec)  # type: ignore[arg-type]  # has_spec: the trialSpec is there

    def _trial_spec(self, template: Mapping, trial_spec: Mapping) -> Iterator[Diagnostic]:
        if not isinstance(trial_spec, Mapping):
            yield self.report(
                trial_spec,
                "`trialSpec` is not a mapping; the defaulting webhook cannot decode it and rejects the Experiment "
                "(`Object 'Kind' is missing in ...`)",
                help="write the trial job (with `apiVersion`, `kind`, `spec`) as a mapping under `trialSpec:`",
            )
            return
        kind = trial_spec.get("kind")
        if string_field(kind) in ("", None):
            # unstructured.Unstructured.UnmarshalJSON requires a non-empty string `kind` (D0-KIND)
            yield self.report_key(
                trial_spec,
                "kind",
                "`trialSpec` has no `kind` (or it is not a string); the defaulting webhook cannot decode it and "
                "rejects the Experiment (`Object 'Kind' is missing in ...`)",
                help="set `kind`, e.g. `kind: Job` with `apiVersion: batch/v1`",
            )
        if string_field(trial_spec.get("apiVersion")) in ("", None):
            yield self.report_key(
                trial_spec,
                "apiVersion",
                "`trialSpec` has no `apiVersion`; the webhook rejects the Experiment "
                "(`spec.trialTemplate: Required value: APIVersion and Kind in spec.trialTemplate must be specified`)",
                help="set `apiVersion`, e.g. `batch/v1` for a Job or `kubeflow.org/v1` for a PyTorchJob",
            )
        meta = trial_spec.get("metadata")
        if isinstance(meta, Mapping):
            for key in ("name", "namespace"):
                value = meta.get(key)
                if is_set(value) and string_field(value) != "":
                    yield self.report_key(
                        meta,
                        key,
                        f"the trial template sets `metadata.{key}`; the webhook rejects the Experiment "
                        "(`spec.trialTemplate: Invalid value: metadata.name and metadata.namespace in "
                        "spec.trialTemplate must be omitted`)",
                        help=f"remove `metadata.{key}`: Katib names each trial job after the trial, in the "
                        "Experiment's namespace",
                    )

"""KAT011 unknown-field."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from katiblint.fix.edits import replace_scalar
from katiblint.yaml import Scalar
from katiblint.katib.experiment import LEGACY_VERSION, SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import field_homes, field_tree, typed_fields
from katiblint.suggest import closest, unique_closest

# What the Experiment does when the field the user meant is absent (experiment_defaults.go).
_WHEN_ABSENT = {
    "parallelTrialCount": "the Experiment runs with the default `parallelTrialCount: 3`",
    "maxTrialCount": "the Experiment has no trial limit",
    "maxFailedTrialCount": "failed trials never fail the Experiment",
    "resumePolicy": "the Experiment uses the default `resumePolicy: Never`",
    "goal": "the Experiment never stops early on the goal",
    "retain": "trial resources are deleted when trials finish",
    "distribution": "the parameter is sampled with the default `uniform` distribution",
    "primaryPodLabels": "Katib uses its default primary pod labels for the kind",
}


class UnknownField(Rule):
    code = "KAT011"
    name = "unknown-field"
    summary = "A field Katib does not know: the webhook drops it silently"
    severity = Severity.WARNING
    fixable = FixAvailability.SOMETIMES
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        tree = field_tree()
        _, unknown = typed_fields(exp)
        legacy = exp.api_version == LEGACY_VERSION
        for item in unknown:
            if legacy and _v1alpha3_field(item.mapping.path, item.key):
                continue  # v1alpha3's own schema there (KAT004's migration moves it)
            if item.key == "goTemplate" and "trialSpec" not in item.mapping and "configMap" not in item.mapping:
                continue  # Katib v1alpha3's template in place of a source: KAT310 reports the missing source
            homes = field_homes()
            known = list(tree.types[item.struct])
            guess = closest(item.key, known)
            parent = item.mapping.path or "the top level"
            where = f"`{parent}`" if item.mapping.path else parent
            text = f"`{item.key}` is not a field of {where} ({item.struct}); Katib's defaulting webhook drops it silently"
            fix = None
            if guess is not None:
                text += f" (did you mean `{guess}`?)"
                effect = _WHEN_ABSENT.get(guess)
                if effect:
                    text += f": {effect}"
                safe = unique_closest(item.key, known)
                if safe and safe not in item.mapping and isinstance(item.key_node, Scalar):
                    fix = Fix.unsafe(f"rename to `{safe}`", replace_scalar(item.key_node, safe))
                helptext = f"rename it to `{guess}`"
            elif item.key in homes:
                places = ", ".join(f"`{p}`" for p in homes[item.key])
                helptext = f"`{item.key}` belongs under {places}; move it there"
            else:
                helptext = f"remove it; known fields here: {', '.join(f'`{k}`' for k in known)}"
            yield self.report(item.key_node, text, help=helptext, fix=fix)


def _v1alpha3_field(parent: str, key: str) -> bool:
    """Where v1alpha3 differs from v1beta1 (Katib v0.10 `pkg/apis/controller/experiments/v1alpha3/
    experiment_types.go` `TrialTemplate`, `common_types.go` `AlgorithmSpec.EarlyStopping`)."""
    if parent == "spec.trialTemplate" or parent.startswith("spec.trialTemplate."):
        return True
    return parent == "spec.algorithm" and key == "earlyStopping"

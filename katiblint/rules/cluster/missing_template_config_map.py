"""KAT061 missing-template-config-map: the trial template lives in a ConfigMap katiblint was not given."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.cluster import find_template, template_ref
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule


class MissingTemplateConfigMap(Rule):
    code = "KAT061"
    name = "missing-template-config-map"
    summary = "The trial template's ConfigMap is not among the linted files, so the template is not checked"
    severity = Severity.INFO

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        ref = template_ref(exp)
        if ref is None:
            return
        config_map, name, namespace, key = ref
        if not name or not key:
            return  # the webhook's own required-field check covers this
        if find_template(exp, ctx) is not None or getattr(exp.template_origin, "stock_key", None) is not None:
            return  # checked: against the linted ConfigMap, or against Katib's stock template
        where = f"`{namespace or exp.namespace or 'default'}/{name}`"
        yield self.report_key(
            config_map,
            "configMapName",
            f"ConfigMap {where} with key `{key}` is not among the linted files, so the trial template was not "
            "checked; Katib's webhook reads it from the cluster when the Experiment is applied and rejects the "
            "Experiment if the ConfigMap or the key is missing (`unable to parse spec.trialTemplate`)",
            help="lint the ConfigMap together with the Experiment (e.g. `katiblint experiments/ templates/`), "
            "or ignore KAT061 when the template is managed elsewhere",
        )

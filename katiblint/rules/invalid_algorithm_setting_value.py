"""KAT203 invalid-algorithm-setting-value."""

from __future__ import annotations

from typing import Iterator

from katiblint.catalog import check_value
from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.edits import replace_scalar
from katiblint.loader import Scalar
from katiblint.model import Experiment
from katiblint.registry import Rule
from katiblint.rules._algorithms import sections, settings_of
from katiblint.suggest import unique_closest


class InvalidAlgorithmSettingValue(Rule):
    code = "KAT203"
    name = "invalid-algorithm-setting-value"
    summary = "An algorithm setting value its service rejects (type, range or choice)"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for section, spec, algorithm in sections(exp, ctx):
            if spec is None:
                continue
            for entry in settings_of(section):
                setting = spec.settings.get(entry.name or "")
                node = entry.value_node
                if setting is None or not isinstance(node, Scalar):
                    continue
                text = node.raw if node.value is not None else ""
                why = check_value(setting, text, spec.parse)
                if why is None:
                    continue
                fix = None
                if setting.type == "enum":
                    safe = unique_closest(text, setting.values)
                    if safe:
                        fix = Fix.safe(f"change to `{safe}`", replace_scalar(node, safe))
                upstream = ""
                if setting.message:
                    upstream = f"; the service says `{setting.message.format(value=text, name=entry.name)}`"
                elif spec.parse == "go":
                    upstream = "; goptuna fails at every GetSuggestions call and the Experiment stays Running"
                default = f" (default `{setting.default}`)" if setting.default is not None else ""
                yield self.report(
                    node,
                    f"`{algorithm}` setting `{entry.name}` value `{text}` {why}{upstream}",
                    help=f"set `{entry.name}` to a value that {why.removeprefix('must ')}{default}, "
                    "or remove it to use the default",
                    fix=fix,
                )

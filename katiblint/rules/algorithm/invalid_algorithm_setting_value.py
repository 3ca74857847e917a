"""KAT203 invalid-algorithm-setting-value."""

from __future__ import annotations

from typing import Iterator

from katiblint.katib.catalog import EFFECTS, ERROR_EFFECTS, assess
from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from katiblint.fix.edits import replace_scalar
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._algorithms import sections, settings_of
from katiblint.suggest import unique_closest


class InvalidAlgorithmSettingValue(Rule):
    code = "KAT203"
    name = "invalid-algorithm-setting-value"
    summary = "An algorithm setting value its service rejects (type, range or choice)"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        version = ctx.settings.katib_version
        for section, spec, algorithm in sections(exp, ctx):
            if spec is None:
                continue
            for entry in settings_of(section):
                setting = spec.settings.get(entry.name or "")
                node = entry.value_node
                if setting is None or not isinstance(node, Scalar):
                    continue
                text = node.raw if node.value is not None else ""
                problem = assess(setting, text, spec.parse, spec, version)
                if problem is None:
                    continue
                fix = None
                if setting.type == "enum" and text not in setting.values:
                    safe = unique_closest(text, setting.values)
                    if safe:
                        fix = Fix.safe(f"change to `{safe}`", replace_scalar(node, safe))
                if problem.upstream is None:
                    said = ""
                elif problem.upstream:
                    said = f" (`{problem.upstream}`)"
                else:
                    said = " (with an empty message)"
                default = f" (default `{setting.default}`)" if setting.default is not None else ""
                yield self.report(
                    node,
                    f"`{algorithm}` setting `{entry.name}` value `{text}` {problem.why}: "
                    f"{EFFECTS.get(problem.effect, problem.effect)}{said}",
                    help=_help(
                        entry.name or "",
                        setting.range_text(),
                        tuple(v for v in setting.values if assess(setting, v, spec.parse, spec, version) is None),
                        default,
                    ),
                    fix=fix,
                    severity=Severity.ERROR if problem.effect in ERROR_EFFECTS else Severity.WARNING,
                )


def _help(name: str, range_text: str, values: tuple[str, ...], default: str) -> str:
    if values:
        allowed = f"one of {', '.join(values)}"
    elif range_text:
        allowed = f"a finite number {range_text}"
    else:
        allowed = "a value the service accepts"
    return f"set `{name}` to {allowed}{default}, or remove it to use the default"

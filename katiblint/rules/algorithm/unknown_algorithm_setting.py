"""KAT202 unknown-algorithm-setting."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, FixAvailability, Severity
from katiblint.fix.edits import rename_fix
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._algorithms import sections, settings_of

_WHAT_HAPPENS = {
    "error": "the suggestion service rejects it and the Experiment fails",
    "ignore": "the suggestion service silently ignores it, so the default is used",
    "forward": "the service passes it to trials verbatim, so the real setting keeps its default",
}


class UnknownAlgorithmSetting(Rule):
    code = "KAT202"
    name = "unknown-algorithm-setting"
    summary = "An algorithm setting name the algorithm's service does not know"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        for section, spec, algorithm in sections(exp, ctx):
            if spec is None:
                continue
            known = list(spec.settings)
            for entry in settings_of(section):
                if entry.name is None or entry.name in spec.settings or not isinstance(entry.name_node, Scalar):
                    continue
                if entry.name in spec.internal_settings:
                    # hyperband feeds its state back through algorithmSettings; a user value
                    # overrides it (e.g. `current_s: "-1"` makes every reply empty)
                    yield self.report(
                        entry.name_node,
                        f"`{entry.name}` is internal state of `{algorithm}`, not a setting; the service reads it as "
                        "its bracket state, so a user value derails or crashes GetSuggestions (`current_s: \"-1\"` "
                        "returns no Trials at all) and the Experiment never finishes",
                        help=f"remove `{entry.name}`; settings of `{algorithm}`: {', '.join(known)}",
                    )
                    continue
                guess, fix = rename_fix(entry.name_node, entry.name, known, "rename to")
                severity = Severity.ERROR if spec.unknown_settings == "error" else Severity.WARNING
                message = spec.unknown_message or spec.raw.get("unknown_log")
                upstream = f" (`{str(message).format(name=entry.name)}`)" if message else ""
                listing = f"settings of `{algorithm}`: {', '.join(known)}" if known else f"`{algorithm}` takes no settings"
                yield self.report(
                    entry.name_node,
                    f"`{algorithm}` has no setting `{entry.name}`"
                    + (f" (did you mean `{guess}`?)" if guess else "")
                    + f"; {_WHAT_HAPPENS[spec.unknown_settings]}{upstream}",
                    help=listing,
                    fix=fix,
                    severity=severity,
                )

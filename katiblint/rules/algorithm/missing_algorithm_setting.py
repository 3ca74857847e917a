"""KAT210 missing-algorithm-setting."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._algorithms import settings_of
from katiblint.rules._search_space import algorithm


class MissingAlgorithmSetting(Rule):
    code = "KAT210"
    name = "missing-algorithm-setting"
    summary = "A setting the algorithm's service requires is not set"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec = algorithm(exp, ctx)
        if spec is None or exp.algorithm is None:
            return
        required = [s for s in spec.settings.values() if s.required]
        present = {e.name for e in settings_of(exp.algorithm)}
        missing = [s.name for s in required if s.name not in present]
        if not missing:
            return
        # mirrors hyperband/service.py (one message for the pair) and pbt/service.py (the list)
        upstream = (spec.required_message or "").replace("{names}", ", ".join(missing))
        said = f" (`{upstream}`)" if upstream else ""
        yield self.report_key(
            exp.algorithm,
            "algorithmSettings",
            f"`{name}` requires {', '.join(f'`{m}`' for m in missing)}; its service fails validation and the "
            f"Experiment fails{said}",
            help="add " + ", ".join(f"`{{name: {m}, value: \"...\"}}`" for m in missing)
            + f" under `spec.algorithm.algorithmSettings` ({', '.join(spec.settings[m].description or m for m in missing)})",
        )

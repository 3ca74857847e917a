"""KAT250 pbt-configuration."""

from __future__ import annotations

from typing import Iterator

from katiblint.katib.catalog import parse_int
from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, as_str, mapping
from katiblint.registry import Rule
from katiblint.rules._runtime import collector_kind
from katiblint.rules._search_space import algorithm, params, setting_values, spec_int


class PbtConfiguration(Rule):
    code = "KAT250"
    name = "pbt-configuration"
    summary = "A pbt Experiment without FromVolume, without double steps, or with too small a budget"
    api_versions = SERVED_AND_LEGACY

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        name, spec = algorithm(exp, ctx)
        if spec is None or spec.service != "pbt" or exp.spec is None:
            return
        policy = as_str(exp.spec_get("resumePolicy"))
        push = collector_kind(exp) == "Push"
        if push:
            # inject_webhook.go Mutate returns for Push before mutateSuggestionVolume, which mounts
            # the suggestion's PVC at suggestion_trial_dir in the primary container
            spec_node = mapping(exp.spec_get("metricsCollectorSpec"))
            coll = mapping(spec_node.get("collector")) if spec_node is not None else None
            yield self.report(
                (coll.get("kind") if coll is not None else None) or exp.spec,
                "with the `Push` collector Katib's pod webhook skips the suggestion volume pbt shares checkpoints "
                "through, so `suggestion_trial_dir` is a plain directory of each trial pod: no Trial sees the "
                "checkpoint pbt copies from its parent, every Trial trains from scratch and exploit does nothing",
                help="use the `StdOut` or `File` collector with pbt",
                severity=Severity.WARNING,
            )
        elif policy != "FromVolume":
            # the PVC the pod webhook mounts (inject_webhook.go mutateSuggestionVolume) is only
            # created for FromVolume (suggestion_controller.go)
            yield self.report_key(
                exp.spec,
                "resumePolicy",
                f"pbt needs `resumePolicy: FromVolume`, not `{policy or 'Never'}`: trial pods mount the suggestion's "
                "checkpoint volume, which Katib only creates for FromVolume, so they stay Pending",
                help="set `resumePolicy: FromVolume`",
            )
        for p in params(exp):
            if p.type == "double" and (p.step is None or not p.step.strip()):
                yield self.report_key(
                    p.space if p.space is not None else p.node,
                    "step",
                    f"pbt expands double `{p.name}` into `np.arange(min, max + step/2, step)`, so it needs a `step`; "
                    "without one GetSuggestions fails from its first call (`could not convert string to float: ''`), so "
                    "no Trial is ever created and the Experiment stays Created",
                    help="add `step` to `feasibleSpace`",
                )
        population_text, _ = setting_values(exp).get("n_population", (None, None))
        population = parse_int(population_text) if population_text is not None else None
        max_trials = spec_int(exp, "maxTrialCount")
        if population is not None and population >= 5 and max_trials is not None and max_trials <= population:
            yield self.report(
                exp.spec_get("maxTrialCount"),  # type: ignore[arg-type]  # present: spec_int read it
                f"`maxTrialCount` {max_trials} is not above `n_population` {population}: pbt needs more than "
                "`n_population` completed trials before a new generation, so no exploit/explore ever happens",
                help=f"set `maxTrialCount` well above {population} (several generations)",
                severity=Severity.WARNING,
            )

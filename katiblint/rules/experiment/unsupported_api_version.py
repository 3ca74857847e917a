"""KAT004 unsupported-api-version."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, FixAvailability, Severity
from katiblint.katib.experiment import LEGACY_VERSION, SERVED_VERSION, Experiment
from katiblint.registry import Rule


class UnsupportedApiVersion(Rule):
    code = "KAT004"
    name = "unsupported-api-version"
    summary = "The Experiment has no apiVersion, or one Katib no longer serves"
    severity = Severity.ERROR
    gate = True
    fixable = FixAvailability.SOMETIMES

    def stops(self, exp: Experiment) -> bool:
        """Another version's fields follow another schema: no v1beta1 rule runs on them.

        v1alpha3 is the exception: the engine runs the rules of the fields it shares with v1beta1
        (`Rule.api_versions`), so that a migration shows every problem at once.
        """
        api = exp.api_version
        return bool(api) and api not in (SERVED_VERSION, LEGACY_VERSION)

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        api = exp.api_version
        if not api:
            node = exp.root.get("apiVersion")
            target = exp.root.key_node("apiVersion") if node is not None else exp.root.key_node("kind")
            yield self.report(
                target or exp.root,
                "the Experiment has no `apiVersion`; kubectl and the API server reject it "
                "(`apiVersion not set`)",
                help=f"add `apiVersion: {SERVED_VERSION}` above `kind: Experiment`",
                path="apiVersion",
            )
        elif api == LEGACY_VERSION:
            from katiblint.rules._v1alpha3 import migrate

            migration = migrate(exp)
            if migration.fix is not None:
                help = f"`--fix --unsafe-fixes` will {migration.fix.title}; review the result"
            else:
                help = (
                    f"migrate it to `{SERVED_VERSION}` by hand (no automatic migration: {migration.reason}): "
                    "move the job into `trialTemplate.trialSpec`, declare `trialParameters` and use "
                    "`${trialParameters.<name>}` placeholders, set `primaryContainerName`"
                )
            yield self.report(
                exp.root.get("apiVersion") or exp.root,
                f"apiVersion `{api}` is not served by Katib; only `{SERVED_VERSION}` is, so the cluster rejects "
                "this Experiment (only the fields v1alpha3 shares with v1beta1 were checked)",
                help=help,
                fix=migration.fix,
            )
        elif api != SERVED_VERSION:
            yield self.report(
                exp.root.get("apiVersion") or exp.root,
                f"apiVersion `{api}` is not served by Katib; only `{SERVED_VERSION}` is, so the cluster "
                "rejects this Experiment (no other check was run on it)",
                help=f"migrate the Experiment to `{SERVED_VERSION}` (see the Katib v1beta1 upgrade notes)",
            )

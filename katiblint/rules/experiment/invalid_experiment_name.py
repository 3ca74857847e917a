"""KAT101 invalid-experiment-name."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.fix.edits import replace_scalar
from katiblint.yaml import Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment, as_str
from katiblint.registry import Rule
from katiblint.rules._names import MAX_LENGTH, problem, sanitize


class InvalidExperimentName(Rule):
    code = "KAT101"
    name = "invalid-experiment-name"
    summary = "The Experiment name breaks Kubernetes or Katib naming"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        meta = exp.metadata
        node = exp.name_node
        if meta is None:
            return
        if node is None:
            generate = meta.get("generateName")
            prefix = as_str(generate)
            if prefix is None:
                yield self.report_key(
                    meta,
                    "name",
                    "`metadata.name` is missing; Kubernetes requires a name (or `generateName`)",
                    help="add `name:` under `metadata`",
                )
            elif len(prefix) + 5 > MAX_LENGTH and generate is not None:
                yield self.report(
                    generate,
                    f"`generateName` `{prefix}` plus the 5 random characters Kubernetes appends exceeds "
                    f"{MAX_LENGTH} characters; Katib's webhook rejects the generated name",
                    help=f"shorten `generateName` to at most {MAX_LENGTH - 5} characters",
                )
            return
        name = as_str(node)
        if name is None or not isinstance(node, Scalar):
            return  # a non-string name is a type error reported elsewhere
        why = problem(name)
        if why is None:
            return
        if any(mark in name for mark in ("${", "{{", "$(")):
            return  # an unrendered template: KAT040's finding, and renaming it would destroy the placeholder
        fixed = sanitize(name)
        fix = Fix.unsafe(f"rename to `{fixed}`", replace_scalar(node, fixed)) if fixed != name else None
        yield self.report(
            node,
            f"Experiment name `{name}` {why}",
            help=f"use lower-case letters, digits and `-`, starting with a letter, at most {MAX_LENGTH} "
            f"characters, e.g. `{fixed}`",
            fix=fix,
        )




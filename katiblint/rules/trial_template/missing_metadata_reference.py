"""KAT356 missing-metadata-reference."""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Scalar
from katiblint.katib.experiment import Experiment, mapping
from katiblint.registry import Rule
from katiblint.suggest import closest

_INDEXED = re.compile(r"\$\{trialSpec\.(Labels|Annotations)\[(.+?)\]\}")


class MissingMetadataReference(Rule):
    code = "KAT356"
    name = "missing-metadata-reference"
    summary = "A `${trialSpec.Labels[k]}` or `Annotations[k]` reference the trialSpec metadata does not define"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        if exp.trial_spec is None:
            return  # ConfigMap templates: the metadata is not in this manifest
        meta = mapping(exp.trial_spec.get("metadata"))
        for tp in exp.trial_parameters:
            node = tp.node.get("reference")
            match = _INDEXED.search(tp.reference or "")
            if match is None or not isinstance(node, Scalar):
                continue
            table, key = match.group(1), match.group(2)
            values = mapping(meta.get(table.lower())) if meta else None
            if values is not None and key in values:
                continue
            have = values.keys() if values is not None else []
            guess = closest(key, have)
            # generator.go applyParameters: `failed to fetch Label: k` for a missing key
            yield self.report(
                node,
                f"`{tp.reference}` names {table.lower()[:-1]} `{key}`, which the top-level "
                f"`trialSpec.metadata.{table.lower()}` does not define; Katib cannot render any Trial "
                "and the Experiment stays Created without Trials",
                help=(f"did you mean `{guess}`? " if guess else "")
                + f"add `{key}` under `trialSpec.metadata.{table.lower()}` (pod template labels do not count)",
            )

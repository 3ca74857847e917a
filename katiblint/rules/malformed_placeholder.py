"""KAT307 malformed-placeholder."""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability
from katiblint.model import Experiment
from katiblint.registry import Rule
from katiblint.source import Span

# Near misses of `${trialParameters.x}`: other brackets, missing `$`, spaces, wrong case.
_NEAR = re.compile(
    r"(?P<all>\$\((?P<a>\s*trialParameters\.[^)\s]+)\s*\)"
    r"|\$\{\s+(?P<b>trialParameters\.[^}\s]+)\s*\}|\$\{(?P<c>trialParameters\.[^}\s]+)\s+\}"
    r"|(?<![$\w{])\{\{\s*(?P<f>trialParameters\.[^}\s]+)\s*\}\}"  # Jinja/Argo style: the braces go too
    r"|(?<![$\w{])\{(?P<d>trialParameters\.[^}\s]+)\}(?!\})"
    r"|\$\{(?P<e>(?:trialparameters|TrialParameters|trialParameter|trialParams)\.[^}\s]+)\})"
)


class MalformedPlaceholder(Rule):
    code = "KAT307"
    name = "malformed-placeholder"
    summary = "Text that looks like a trial parameter placeholder but is not ${trialParameters.x}"
    fixable = FixAvailability.ALWAYS

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        text = exp.trial_spec_source.text  # a ConfigMap template has its own text
        for node in exp.trial_spec_scalars:
            if "rameter" not in node.raw and "rams" not in node.raw:
                continue
            raw = text[node.span.start : node.span.end]
            for match in _NEAR.finditer(raw):
                inner = next(g for g in match.groups()[1:] if g)
                name = inner.strip().split(".", 1)[1]
                good = "${trialParameters." + name + "}"
                span = Span(node.span.start + match.start(), node.span.start + match.end())
                yield self.report(
                    span,
                    f"`{match.group('all')}` is not substituted by Katib, which only replaces "
                    f"`${{trialParameters.<name>}}`; the trial receives this text literally",
                    help=f"write `{good}`",
                    fix=Fix.safe(f"write `{good}`", Edit.replace(span, good)),
                    path=node.path,
                )

"""Shared helpers for the `${trialParameters.x}` rules."""

from __future__ import annotations

import re
from typing import NamedTuple

from katiblint.yaml import Scalar
from katiblint.katib.experiment import Experiment, TrialParameter
from katiblint.source import Span
from katiblint.suggest import unique_closest


def declared(exp: Experiment) -> list[TrialParameter]:
    """Declared trial parameters with a usable name (the webhook skips the others)."""
    return [tp for tp in exp.trial_parameters if tp.name and "{" not in tp.name and "}" not in tp.name]


def checks_apply(exp: Experiment) -> bool:
    """Placeholder checks need an inline trialSpec (ConfigMap templates are linted with it)."""
    return exp.trial_spec is not None


# Near misses of `${trialParameters.x}`: other brackets, missing `$`, spaces, wrong case.
NEAR_MISS_RE = re.compile(
    r"(?P<all>\$\((?P<a>\s*trialParameters\.[^)\s]+)\s*\)"
    r"|\$\{\s+(?P<b>trialParameters\.[^}\s]+)\s*\}|\$\{(?P<c>trialParameters\.[^}\s]+)\s+\}"
    r"|(?<![$\w{])\{\{\s*(?P<f>trialParameters\.[^}\s]+)\s*\}\}"  # Jinja/Argo style: the braces go too
    r"|(?<![$\w{])\{(?P<d>trialParameters\.[^}\s]+)\}(?!\})"
    r"|\$\{(?P<e>(?:trialparameters|TrialParameters|trialParameter|trialParams)\.[^}\s]+)\})"
)


class NearMiss(NamedTuple):
    """Text meant as `${trialParameters.<name>}` that Katib does not replace."""

    text: str
    name: str
    span: Span
    node: Scalar

    @property
    def proper(self) -> str:
        return "${trialParameters." + self.name + "}"


def near_misses(exp: Experiment) -> list[NearMiss]:
    return exp.memo("placeholder_near_misses", lambda: _near_misses(exp))


def _near_misses(exp: Experiment) -> list[NearMiss]:
    found: list[NearMiss] = []
    text = exp.trial_spec_source.text  # a ConfigMap template has its own text
    for node in exp.trial_spec_scalars:
        if "rameter" not in node.raw and "rams" not in node.raw:
            continue
        raw = text[node.span.start : node.span.end]
        for match in NEAR_MISS_RE.finditer(raw):
            inner = next(g for g in match.groups()[1:] if g)
            name = inner.strip().split(".", 1)[1]
            span = Span(node.span.start + match.start(), node.span.start + match.end())
            found.append(NearMiss(match.group("all"), name, span, node))
    return found


def meant_for(exp: Experiment, miss: NearMiss) -> str | None:
    """The declared trial parameter a near miss names: by its name, or by its `reference` (`lr`)."""
    names = [tp.name for tp in declared(exp) if tp.name]
    if miss.name in names:
        return miss.name
    by_reference = [tp.name for tp in declared(exp) if tp.reference == miss.name and tp.name]
    return by_reference[0] if len(by_reference) == 1 else None


def unused_names(exp: Experiment) -> set[str]:
    """Declared trial parameters that no `${trialParameters.x}` uses (the webhook rejects those)."""
    used = {ph.name for ph in exp.placeholders}
    return {tp.name for tp in declared(exp) if tp.name and tp.name not in used}


def misspelled_for(exp: Experiment) -> dict[str, str]:
    """Unused declared name -> the undeclared placeholder name that is its unique near spelling.

    `${trialParameters.learningRat}` next to an unused `learningRate` is one mistake: KAT302 says
    "did you mean `learningRate`?", and KAT303 does not also suggest removing the entry.
    """
    names = [tp.name for tp in declared(exp) if tp.name]
    unused = unused_names(exp)
    found: dict[str, str] = {}
    for ph in exp.placeholders:
        if ph.name in names:
            continue
        guess = unique_closest(ph.name, names)
        by_reference = [tp.name for tp in declared(exp) if tp.reference == ph.name and tp.name]
        if len(by_reference) == 1:
            guess = by_reference[0]
        if guess in unused:
            found.setdefault(guess, ph.name)
    return found

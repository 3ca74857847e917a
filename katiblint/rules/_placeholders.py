"""Shared helpers for the `${trialParameters.x}` rules."""

from __future__ import annotations

from katiblint.model import Experiment, TrialParameter


def declared(exp: Experiment) -> list[TrialParameter]:
    """Declared trial parameters with a usable name (the webhook skips the others)."""
    return [tp for tp in exp.trial_parameters if tp.name and "{" not in tp.name and "}" not in tp.name]


def checks_apply(exp: Experiment) -> bool:
    """Placeholder checks need an inline trialSpec (ConfigMap templates are linted with it)."""
    return exp.trial_spec is not None

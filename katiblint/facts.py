"""What the engine itself records about a file or the pipeline, worded by the rule of each code.

The YAML layer has its own facts (`katiblint.yaml`); these are the engine's: a file it could not
read, a katib-config Katib would reject, a suppression nothing used, a rule that failed. Each rule
module's `describe` turns its facts into a message and help, so every message lives with its rule.
"""

from __future__ import annotations

from typing import NamedTuple


class Unreadable(NamedTuple):
    """KAT008: the file could not be read (`reason`), or not decoded (`byte`, `line` are set)."""

    reason: str
    byte: int | None = None
    line: int | None = None  # 1-based


class ConfigRejected(NamedTuple):
    """KAT060: why Katib would not accept a katib-config among the linted files."""

    reason: str


class UnusedSuppression(NamedTuple):
    """KAT003: a suppression entry that covered no finding."""

    entry: str
    known: bool  # it names a rule (else it is a typo)


class RuleFailed(NamedTuple):
    """KAT006: a rule raised on an Experiment."""

    code: str
    name: str
    error: str  # `TypeName: text`
    where: str  # `module.py:line`


class ImmutableChange(NamedTuple):
    """KAT062: a field of an applied Experiment's spec that Katib does not let change."""

    field: str  # `spec.`-relative, dotted
    how: str  # added | changed | removed
    experiment: str


class MaxTrialsLowered(NamedTuple):
    """KAT063: `maxTrialCount` lowered on an applied Experiment."""

    old: int
    new: int
    experiment: str

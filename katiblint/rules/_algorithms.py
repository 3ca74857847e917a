"""Shared helpers for algorithm and early-stopping rules."""

from __future__ import annotations

from typing import Iterator, NamedTuple

from katiblint.katib.catalog import AlgorithmSpec
from katiblint.context import Context
from katiblint.katib.cluster import algorithm_spec
from katiblint.yaml import Mapping, Node
from katiblint.katib.experiment import Experiment, as_str, mappings


class SettingEntry(NamedTuple):
    """One `algorithmSettings` item of an algorithm or early-stopping section."""

    section: Mapping  # spec.algorithm or spec.earlyStopping
    item: Mapping
    name: str | None
    name_node: Node | None
    value_node: Node | None
    value: str | None


def sections(exp: Experiment, ctx: Context) -> Iterator[tuple[Mapping, AlgorithmSpec | None, str | None]]:
    """(section, its catalog entry or None, its algorithm name) for algorithm and early stopping."""
    for section, early in ((exp.algorithm, False), (exp.early_stopping, True)):
        if section is None:
            continue
        name = as_str(section.get("algorithmName"))
        # follows the cluster's katib-config routing (a custom name on a stock image gets its checks)
        yield section, algorithm_spec(ctx, name, early), name


def settings_of(section: Mapping) -> list[SettingEntry]:
    entries = []
    for item in mappings(section.get("algorithmSettings")):
        name_node = item.get("name")
        value_node = item.get("value")
        entries.append(SettingEntry(section, item, as_str(name_node), name_node, value_node, as_str(value_node)))
    return entries

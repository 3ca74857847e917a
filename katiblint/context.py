"""What a rule may read besides its Experiment: settings, catalogs and the cluster's Katib config."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from katiblint.config import Settings

if TYPE_CHECKING:
    from katiblint.catalog import Catalog
    from katiblint.loader import Document
    from katiblint.source import SourceFile


@dataclass
class Context:
    settings: Settings
    source: SourceFile
    # Every document of the run (all files), for rules that look across manifests.
    documents: list[Document] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def catalog(self) -> Catalog:
        from katiblint.catalog import get_catalog

        return get_catalog()

    @property
    def suggestion_names(self) -> list[str]:
        """Algorithm names the cluster routes to a suggestion service (stock + configured)."""
        return self.catalog.algorithm_names + [a for a in self.settings.algorithms if a not in self.catalog.algorithm_names]

    @property
    def early_stopping_names(self) -> list[str]:
        names = self.catalog.early_stopping_names
        return names + [a for a in self.settings.early_stopping_algorithms if a not in names]

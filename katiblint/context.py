"""What a rule may read besides its Experiment: settings, catalogs and the cluster's Katib config."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from katiblint.config import Settings
from katiblint.katib.cluster import Cluster
from katiblint.lazy import cached_view

if TYPE_CHECKING:
    from katiblint.katib.catalog import Catalog
    from katiblint.yaml import Document
    from katiblint.source import SourceFile


@dataclass
class Context:
    settings: Settings
    source: SourceFile
    # Every document of the run (all files), for rules that look across manifests.
    documents: list[Document] = field(default_factory=list)
    # What the run knows of the cluster: its katib-config, template ConfigMaps, Namespaces, runtimes.
    cluster: Cluster = field(default_factory=Cluster)
    # Why a check could not run here (a missing schema): said once per run on stderr, never a finding.
    notices: set[str] = field(default_factory=set)

    @cached_view
    def catalog(self) -> Catalog:
        from katiblint.katib.catalog import get_catalog

        return get_catalog()

    @cached_view  # settings and cluster are fixed for the Context's file
    def suggestion_names(self) -> list[str]:
        """Algorithm names the cluster routes to a suggestion service (stock or katib-config, + configured)."""
        config = self.cluster.config
        names = list(config.suggestions) if config is not None else self.catalog.algorithm_names
        return names + [a for a in self.settings.algorithms if a not in names]

    @cached_view
    def early_stopping_names(self) -> list[str]:
        config = self.cluster.config
        names = list(config.early_stoppings) if config is not None else self.catalog.early_stopping_names
        return names + [a for a in self.settings.early_stopping_algorithms if a not in names]

    @property
    def collector_kinds(self) -> tuple[str, ...]:
        """Metrics-collector kinds with a `runtime.metricsCollectors` entry (stock or katib-config)."""
        config = self.cluster.config
        if config is not None:
            return tuple(config.collectors)
        from katiblint.katib.api import STOCK_COLLECTORS

        return STOCK_COLLECTORS

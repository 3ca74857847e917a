"""katiblint: a linter for Kubeflow Katib Experiment manifests."""

__version__ = "0.1.0"

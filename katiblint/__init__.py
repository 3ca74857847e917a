"""katiblint: a linter for Kubeflow Katib Experiment manifests.

    >>> import katiblint
    >>> findings = katiblint.lint(experiment)  # YAML/JSON text, a dict, or a Katib SDK V1beta1Experiment

`lint`, `Checker`, `Finding`, `Severity` and `KatibLintError` are loaded on first use, so that
`import katiblint` (and the command line) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from katiblint.version import __version__

__all__ = ["Checker", "Finding", "KatibLintError", "Severity", "__version__", "lint"]

if TYPE_CHECKING:
    from katiblint.api import Checker, Finding, KatibLintError, Severity, lint


def __getattr__(name: str) -> Any:
    if name in ("Checker", "Finding", "KatibLintError", "Severity", "lint"):
        from katiblint import api

        return getattr(api, name)
    raise AttributeError(f"module 'katiblint' has no attribute {name!r}")

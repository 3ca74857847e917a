"""The one fatal, user-facing error type (bad configuration, bad usage)."""

from __future__ import annotations


class KatibLintError(Exception):
    """An error that stops the run with exit code 2 and a plain message, never a traceback."""

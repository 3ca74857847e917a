"""The release of katiblint (read by the build backend, `--version` and the reports)."""

__version__ = "0.1.0"

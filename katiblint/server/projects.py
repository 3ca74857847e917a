"""Which settings lint an open document, and the linters made from them, cached until a file changes.

A document gets what `katiblint check` run from its workspace folder would use: the nearest
configuration file at or above it (`.katiblint.toml`, `.katiblint.yaml`, `[tool.katiblint]` in
`pyproject.toml`), and the cluster's katib-config and template ConfigMaps found in its project
(`katib_cluster.prepare`). A relative `katib-config` path is taken from the workspace folder, as the CLI
takes it from the folder it runs in. Nothing here knows about LSP.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from katiblint.config import Settings, find_config, load_file, parse
from katiblint.engine import Linter
from katiblint.errors import KatibLintError


@dataclass
class Entry:
    linter: Linter | None
    error: str | None  # a configuration that cannot be used: its message, naming file and line
    notices: tuple[str, ...] = ()


def _stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class Projects:
    """Linters by (configuration file and its stamp, project root); `forget` drops them all."""

    def __init__(self) -> None:
        self._entries: dict[tuple[object, ...], Entry] = {}

    def forget(self) -> None:
        """Configuration, katib-config or ConfigMaps may have changed on disk: build linters anew."""
        self._entries.clear()

    def entry(self, path: str | None, folder: str | None) -> Entry:
        """The linter for a document at `path` (None: not a file) in workspace `folder`."""
        from katiblint.katib import cluster as katib_cluster

        start = Path(path) if path else Path(folder or os.getcwd())
        found = find_config(start)
        files = [path] if path else []
        root = katib_cluster.project_root(str(found) if found else None, files)
        key = (str(found) if found else None, _stamp(found), root, folder)
        cached = self._entries.get(key)
        if cached is not None:
            return cached
        try:
            settings = parse(load_file(found), str(found)) if found is not None else Settings()
            if settings.katib_config and not os.path.isabs(settings.katib_config) and folder:
                settings = settings.with_overrides(katib_config=os.path.join(folder, settings.katib_config))
            linter = Linter(settings)
            katib_cluster.prepare(linter, [p for p in files if os.path.isfile(p)], whole_project=True)
            entry = Entry(linter, None, tuple(linter.cluster.notices))
        except KatibLintError as exc:
            entry = Entry(None, str(exc))
        if len(self._entries) > 64:  # configurations edited many times: keep the cache small
            self._entries.clear()
        self._entries[key] = entry
        return entry

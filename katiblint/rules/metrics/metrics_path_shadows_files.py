"""KAT413 metrics-path-shadows-files."""

from __future__ import annotations

import posixpath
import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.katib.experiment import Experiment, as_str, mappings, sequence_items
from katiblint.registry import Rule
from katiblint.rules._collector import collector, mount_dir

# Directories images fill with programs, libraries, home folders or application code. Not `/tmp`
# or `/mnt`: images leave them empty, so an empty volume there hides nothing (what the container
# itself reads there is still found by `_used_paths`).
_POPULATED = frozenset(
    {
        "/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/local", "/usr/local/bin", "/usr/lib", "/lib", "/lib64",
        "/etc", "/home", "/root", "/opt", "/app", "/src", "/code", "/workspace", "/workdir", "/var",
        "/var/lib", "/srv", "/data",
    }
)


# Folders whose children are application or home directories (`/opt/app`, `/home/jovyan`).
_APP_PARENTS = ("/opt", "/home", "/usr/local", "/usr/share", "/srv", "/app", "/workspace", "/root", "/code", "/src")
_CODE_SUFFIXES = (".py", ".sh", ".jar", ".js", ".rb", ".pl", ".r", ".R", ".ipynb", ".so", ".bin")
_WORD_SPLIT = re.compile(r"[\s;&|()<>'\"`]+")


def _within(path: str, directory: str) -> bool:
    return directory == "/" or path == directory or path.startswith(directory.rstrip("/") + "/")


class MetricsPathShadowsFiles(Rule):
    code = "KAT413"
    name = "metrics-path-shadows-files"
    summary = "The metrics file's directory is mounted over with an empty volume, hiding files the trial needs"
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        c = collector(exp)
        found = mount_dir(c)
        if found is None:
            return
        node, directory = found
        metrics_path = as_str(node) or ""
        mounted = self._mounted_at(exp, directory)
        if mounted is not None:
            # Pod validation (ValidateVolumeMounts): mount paths of a container must be unique
            yield self.report(
                node,
                f"Katib mounts its metrics volume at `{directory}`, where the training container already "
                f"mounts `{mounted}`; Kubernetes rejects a pod with two volumes at one path, so no trial pod "
                "is ever created",
                help="write metrics to a directory no volume is mounted at, such as `/var/log/katib/metrics.log`",
                severity=Severity.ERROR,
            )
            return
        hidden = self._used_paths(exp, directory, metrics_path)
        # mirrors utils.go mutateMetricsCollectorVolume: an emptyDir at the directory, mounted
        # in the primary container and the collector sidecar
        if hidden:
            yield self.report(
                node,
                f"Katib mounts an empty volume at `{directory}` in the training container, hiding `{hidden}` "
                "that the container uses; the Trial fails with a missing file",
                help="write metrics to a dedicated directory such as `/var/log/katib/metrics.log`",
                severity=Severity.ERROR,  # the program, a script it runs or its working directory: certain
            )
        elif directory in _POPULATED or posixpath.dirname(directory) in _APP_PARENTS:
            yield self.report(
                node,
                f"Katib mounts an empty volume at `{directory}` in the training container, hiding whatever the "
                "image has there; training code or tools in that directory disappear, and a Trial that needs them fails",
                help="write metrics to a dedicated directory such as `/var/log/katib/metrics.log`",
            )

    @staticmethod
    def _mounted_at(exp: Experiment, directory: str) -> str | None:
        """The name of a volume the primary container already mounts at `directory`, if any."""
        primary = exp.primary_container_name
        for pod in exp.pod_templates or []:
            for container in pod.containers:
                if container.name != primary:
                    continue
                for mount in mappings(container.node.get("volumeMounts")):
                    path = as_str(mount.get("mountPath"))
                    if path and posixpath.normpath(path) == posixpath.normpath(directory):
                        return as_str(mount.get("name")) or path
        return None

    @staticmethod
    def _used_paths(exp: Experiment, directory: str, metrics_path: str) -> str | None:
        """An absolute path under `directory` that the primary container reads (command, workingDir)."""
        primary = exp.primary_container_name
        for pod in exp.pod_templates or []:
            for container in pod.containers:
                if container.name != primary:
                    continue
                working = as_str(container.node.get("workingDir"))
                if working and working.startswith("/") and _within(posixpath.normpath(working), directory):
                    return working
                words = [w for n in sequence_items(container.node.get("command")) + sequence_items(
                    container.node.get("args")) for w in _WORD_SPLIT.split(as_str(n) or "") if w]
                for index, word in enumerate(words):
                    if "=" in word:
                        word = word.split("=", 1)[1]
                    if not word.startswith("/") or "${" in word:
                        continue
                    # only what the container runs or reads as code: its program and scripts
                    if index != 0 and not word.endswith(_CODE_SUFFIXES):
                        continue
                    norm = posixpath.normpath(word)
                    if norm != posixpath.normpath(metrics_path) and _within(norm, directory):
                        return word
        return None

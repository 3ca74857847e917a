"""Which files a run lints: paths as given, folders walked for `*.yaml` / `*.yml` as ruff walks them.

A walked folder skips what a repository does not ship: paths its `.gitignore` files ignore
(nested ones included, `respect-gitignore = false` turns this off), hidden folders, virtual
environments and a few tool folders, and anything that is not a regular file (a FIFO would block
the run). A path named on the command line is linted as given, even if one of those rules would
skip it, so `katiblint .hidden/exp.yaml` and `katiblint <(helm template ...)` work.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from typing import Any, Sequence

TOOL_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", "site-packages", "__pypackages__"})
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Collected:
    files: list[str] = field(default_factory=list)
    # Paths given on the command line that yielded no YAML file, with the reason.
    empty: list[tuple[str, str]] = field(default_factory=list)


def is_excluded(path: str, patterns: Sequence[str]) -> bool:
    norm = path.replace(os.sep, "/")
    while norm.startswith("./"):  # `katiblint .` walks `./skip/a.yaml`; `--exclude 'skip/*'` means it
        norm = norm[2:]
    parts = norm.split("/")
    for pattern in patterns:
        while pattern.startswith("./"):
            pattern = pattern[2:]
        if pattern.startswith("**/") and is_excluded(norm, [pattern[3:]]):
            return True  # `**/` also matches no folder at all, as in .gitignore
        if fnmatch.fnmatch(norm, pattern) or any(fnmatch.fnmatch(p, pattern) for p in parts):
            return True
        if fnmatch.fnmatch(norm, pattern.rstrip("/") + "/*"):
            return True
    return False


def is_virtualenv(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


class GitIgnore:
    """The `.gitignore` files that apply below a folder: its repository's, from the root down."""

    def __init__(self) -> None:
        self._specs: dict[str, Any] = {}  # folder -> compiled spec, or None when it has none

    def _spec(self, folder: str) -> Any:
        if folder not in self._specs:
            spec = None
            path = os.path.join(folder, ".gitignore")
            if os.path.isfile(path):
                from pathspec import GitIgnoreSpec  # only when a repository has a .gitignore

                try:
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        spec = GitIgnoreSpec.from_lines(fh.read().splitlines())
                except OSError:
                    spec = None
            self._specs[folder] = spec
        return self._specs[folder]

    def ignored(self, path: str, is_dir: bool, chain: Sequence[str]) -> bool:
        """Whether `path` is ignored by the `.gitignore` of a folder in `chain` (deepest decides)."""
        for folder in reversed(chain):
            spec = self._spec(folder)
            if spec is None:
                continue
            rel = os.path.relpath(path, folder).replace(os.sep, "/") + ("/" if is_dir else "")
            result = spec.check_file(rel)
            if result.include is not None:
                return bool(result.include)
        return False


def repository_chain(folder: str) -> list[str]:
    """The folders from `folder`'s repository root (the nearest `.git` above) down to `folder`."""
    here = os.path.abspath(folder)
    chain = [here]
    probe = here
    while not os.path.exists(os.path.join(probe, ".git")):
        parent = os.path.dirname(probe)
        if parent == probe:
            return [here]  # not in a repository: only the folder's own .gitignore files count
        probe = parent
        chain.append(probe)
    return list(reversed(chain))


def collect_files(paths: Sequence[str], excludes: Sequence[str], respect_gitignore: bool = True) -> Collected:
    """Files to lint: explicit files as given, directories walked for YAML files.

    Symlinked directories are not followed (no loops); `exclude` patterns apply everywhere.
    """
    collected = Collected()
    seen: set[str] = set()
    patterns = list(excludes)
    ignore = GitIgnore() if respect_gitignore else None
    for path in paths:
        if path == "-":
            collected.files.append(path)
            continue
        if not os.path.isdir(path):
            if not is_excluded(path, patterns) and path not in seen:
                seen.add(path)
                collected.files.append(path)
            continue
        before = len(collected.files)
        top_chain = repository_chain(path)
        if ignore is not None and ignore.ignored(top_chain[-1], True, top_chain[:-1]):
            top_chain = top_chain[-1:]  # an ignored folder named on the command line is walked
        chains: dict[str, list[str]] = {os.path.abspath(path): top_chain}
        for root, dirs, names in os.walk(path):
            chain = chains.pop(os.path.abspath(root), None) or top_chain
            kept = []
            for d in sorted(dirs):
                full = os.path.join(root, d)
                if d.startswith(".") or d in TOOL_FOLDERS or is_virtualenv(full) or is_excluded(full, patterns):
                    continue
                if ignore is not None and ignore.ignored(os.path.abspath(full), True, chain):
                    continue
                chains[os.path.abspath(full)] = chain + [os.path.abspath(full)]
                kept.append(d)
            dirs[:] = kept
            for name in sorted(names):
                if not name.endswith(YAML_SUFFIXES):
                    continue
                full = os.path.join(root, name)
                if full in seen or is_excluded(full, patterns):
                    continue
                try:
                    mode = os.stat(full).st_mode
                except OSError:
                    continue  # a dangling symlink
                if not stat.S_ISREG(mode):
                    continue  # a FIFO or device: reading it could block or never end
                if ignore is not None and ignore.ignored(os.path.abspath(full), False, chain):
                    continue
                seen.add(full)
                collected.files.append(full)
        if len(collected.files) == before:
            collected.empty.append((path, "no YAML file (*.yaml, *.yml) to lint"))
    return collected


def display_path(path: str) -> str:
    """A path as users see it: relative to the working directory when below it, with `/`."""
    if path == "-":
        return "-"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    if rel.startswith(".."):
        rel = path
    return rel.replace(os.sep, "/")

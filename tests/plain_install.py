"""Run Python code as after a plain `pip install katiblint`: only its base dependencies importable.

The test environment has every extra installed (kubernetes-validate, scikit-optimize,
jsonschema, ...). `run_plain` starts a fresh interpreter in which the import system cannot see
any distribution that the `[project] dependencies` of pyproject.toml do not bring, directly or
through their own requirements: `import kubernetes_validate` fails and
`importlib.util.find_spec("kubernetes_validate")` is None, exactly as when it is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BOOTSTRAP = r'''
import re
import sys
from importlib.machinery import PathFinder
from importlib.metadata import PackageNotFoundError, packages_distributions, requires

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli is a base dependency there
    import tomli as tomllib


def _norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _name(requirement):
    return _norm(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1))


with open(sys.argv[1], "rb") as fh:
    _wanted = [_name(r) for r in tomllib.load(fh)["project"]["dependencies"]]
_allowed = set()
while _wanted:
    _dist = _wanted.pop()
    if _dist in _allowed:
        continue
    _allowed.add(_dist)
    try:
        _wanted.extend(_name(r) for r in requires(_dist) or () if not re.search(r"\bextra\s*==", r))
    except PackageNotFoundError:
        pass
HIDDEN = frozenset(
    module
    for module, dists in packages_distributions().items()
    if module != "katiblint" and not any(_norm(d) in _allowed for d in dists)
)


class _PlainPathFinder:
    """sys.path as on a plain install: the hidden top-level modules are not there."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            return None
        return PathFinder.find_spec(name, path, target)

    @classmethod
    def invalidate_caches(cls):
        PathFinder.invalidate_caches()


sys.meta_path[:] = [_PlainPathFinder if finder is PathFinder else finder for finder in sys.meta_path]
for _module in list(sys.modules):
    if _module.partition(".")[0] in HIDDEN:
        del sys.modules[_module]
del sys.argv[1]
import importlib.util

assert importlib.util.find_spec("kubernetes_validate") is None, "the plain-install simulation does not work"
'''


def run_plain(code: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter that sees only katiblint's base dependencies."""
    environ = dict(os.environ)
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [sys.executable, "-c", BOOTSTRAP + "\n" + code, str(ROOT / "pyproject.toml"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )

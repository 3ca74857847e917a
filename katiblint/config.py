"""Configuration: `.katiblint.toml`, `.katiblint.yaml`, or `[tool.katiblint]` in `pyproject.toml`.

Found by walking up from the linted path; `--config` names one. Command-line options override
the file. A bad configuration is a `KatibLintError` (exit 2) that names the file and the key.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from katiblint.diagnostics import Severity
from katiblint.errors import KatibLintError
from katiblint.selector import is_selector

CONFIG_NAMES = (".katiblint.toml", ".katiblint.yaml", ".katiblint.yml", "pyproject.toml")
ISTIO_POLICIES = ("auto", "false", "true", "off")
LATEST_KATIB = "0.19"
# Katib serves kubeflow.org/v1beta1 from release 0.10 on. `latest` is LATEST_KATIB; `master` is
# Katib's development branch, after the latest release (the catalogs' `>0.19` entries).
FIRST_KATIB = "0.10"
_KATIB_RE = re.compile(r"^v?0\.(\d+)(?:\.\d+)?(?:-[0-9A-Za-z.]+)?$")
_KUBERNETES_RE = re.compile(r"^v?1\.(\d+)(?:\.\d+)?$")


def option(default: Any, kind: str, doc: str, flag: str | None = None, *, choices: tuple[str, ...] = (),
           extend: bool = False) -> Any:
    """A setting that is also a configuration key (its name in kebab case) and, with `flag`, a
    command-line option: its type, default and documentation are declared here only.

    `kind` is how the configuration file writes it (`list`, `str`, `bool`, `table`); `extend`: the
    flag's values are added to the file's instead of replacing them; a `--no-` flag turns a bool off.
    """
    metadata = {"kind": kind, "doc": doc, "flag": flag, "choices": choices, "extend": extend}
    if isinstance(default, dict):
        return field(default_factory=dict, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    """Everything that changes what katiblint reports. Immutable; `with_overrides` copies."""

    select: tuple[str, ...] = option((), "list", "Rule codes, prefixes or names to enable (replaces the default).", "--select")
    extend_select: tuple[str, ...] = option((), "list", "Rules to enable in addition to the default.", "--extend-select")
    ignore: tuple[str, ...] = option((), "list", "Rule codes, prefixes or names to disable.", "--ignore", extend=True)
    severity: dict[str, Severity] = option({}, "table", "The level of a rule's findings: `error`, `warning` or `info`.")
    istio_inject: str = option("auto", "str", "Istio sidecar policy for trial pods (KAT401).", "--istio-inject",
                               choices=ISTIO_POLICIES)
    algorithms: tuple[str, ...] = option((), "list", "Algorithm names served by custom suggestion services.",
                                         "--algorithm", extend=True)
    early_stopping_algorithms: tuple[str, ...] = option((), "list", "Names served by custom early-stopping services.")
    exclude: tuple[str, ...] = option((), "list", "Glob patterns of files and folders to skip.", "--exclude", extend=True)
    fail_on: Severity = option(Severity.ERROR, "str", "Lowest severity that fails the run.", "--fail-on",
                               choices=("error", "warning", "info"))
    katib_version: str = option(LATEST_KATIB, "str", "Katib release to check against: 0.10 to 0.19, latest or master.",
                                "--katib-version")
    kubernetes_version: str | None = option(None, "str", "Kubernetes release (1.MINOR) for the job schema checks "
                                            "(default: the newest bundled).", "--kubernetes-version")
    katib_config: str | None = option(None, "str", "The cluster's katib-config (KatibConfig or ConfigMap file).",
                                      "--katib-config")
    respect_gitignore: bool = option(True, "bool", "Whether walking folders skips what .gitignore files ignore "
                                     "(--no-respect-gitignore: walk it too).", "--no-respect-gitignore")
    search_project: bool = option(True, "bool", "Look for the katib-config, template ConfigMaps and Namespaces in the "
                                  "whole project, not only the linted files.")
    config_path: str | None = None  # where the settings came from (not an option)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


OPTIONS = tuple(f for f in fields(Settings) if "kind" in f.metadata)
_KEYS: dict[str, str] = {f.name.replace("_", "-"): f.metadata["kind"] for f in OPTIONS}


def katib_version(value: str) -> str:
    """A `--katib-version` / `katib-version` value checked and normalised; ValueError says why."""
    text = value.strip()
    if text.lower() == "latest":
        return LATEST_KATIB
    if text.lower() == "master":
        return "master"
    match = _KATIB_RE.match(text)
    first, last = int(FIRST_KATIB.split(".")[1]), int(LATEST_KATIB.split(".")[1])
    if match is None or not first <= int(match.group(1)) <= last:
        raise ValueError(
            f"`{value}` is not a Katib release katiblint knows; expected {FIRST_KATIB} to {LATEST_KATIB} "
            f"(e.g. `0.17` or `v0.17.0`), `latest` ({LATEST_KATIB}) or `master`"
        )
    return text


def kubernetes_version(value: str) -> str:
    """A `--kubernetes-version` / `kubernetes-version` value checked; ValueError says why."""
    if _KUBERNETES_RE.match(value.strip()) is None:
        raise ValueError(f"`{value}` is not a Kubernetes version; expected 1.MINOR, e.g. `1.30` or `v1.30.2`")
    return value.strip()


def find_config(start: Path) -> Path | None:
    """The nearest config file at or above `start` (a file's folder, or a folder)."""
    here = start.resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                if name == "pyproject.toml" and not _pyproject_has_section(candidate):
                    continue
                return candidate
    return None


def _pyproject_has_section(path: Path) -> bool:
    try:
        return "[tool.katiblint" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise KatibLintError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise KatibLintError(f"{path}: invalid TOML: {exc}") from None


def _read_yaml(path: Path) -> dict[str, Any]:
    from katiblint.yaml.file import read_strict

    _, result = read_strict(str(path), "configuration")
    if not result.documents or result.documents[0].root is None:
        return {}
    value = result.documents[0].root.to_python()
    if not isinstance(value, dict):
        raise KatibLintError(f"{path}: the configuration must be a mapping of options")
    return value


def load_file(path: Path) -> dict[str, Any]:
    """The raw katiblint table of a config file."""
    if path.suffix == ".toml":
        data = _read_toml(path)
        if path.name == "pyproject.toml":
            data = data.get("tool", {}).get("katiblint", {})
    else:
        data = _read_yaml(path)
    if not isinstance(data, dict):
        raise KatibLintError(f"{path}: the katiblint configuration must be a table")
    return data


def parse(data: dict[str, Any], origin: str) -> Settings:
    """Validate a raw config table into `Settings`; errors name the file and the key."""
    from katiblint.registry import lookup

    def fail(key: str, why: str) -> KatibLintError:
        parts = key.split(".")
        line = key_line(origin, parts[-1]) if len(parts) > 1 else None
        line = line if line is not None else key_line(origin, parts[0])
        where = f"{origin}:{line}" if line is not None else origin
        return KatibLintError(f"{where}: `{key}`: {why}")

    values: dict[str, Any] = {}
    for key, value in data.items():
        kind = _KEYS.get(key)
        if kind is None:
            from katiblint.suggest import closest

            guess = closest(key, _KEYS)
            hint = f" (did you mean `{guess}`?)" if guess else ""
            raise fail(key, f"unknown option{hint}; known options: {', '.join(sorted(_KEYS))}")
        if kind == "list":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(key, "expected a list of strings")
            value = tuple(value)
        elif kind == "str" and not isinstance(value, str):
            raise fail(key, "expected a string")
        elif kind == "bool" and not isinstance(value, bool):
            raise fail(key, "expected true or false")
        elif kind == "table" and not isinstance(value, dict):
            raise fail(key, "expected a table of rule = level")
        values[key.replace("-", "_")] = value

    for key in ("select", "extend_select", "ignore"):
        for selector in values.get(key, ()):
            if not is_selector(selector):
                raise fail(key.replace("_", "-"), f"`{selector}` is not a rule code, code prefix or rule name")
    if "severity" in values:
        severities: dict[str, Severity] = {}
        for rule, level in values["severity"].items():
            found = lookup(rule)
            if found is None:
                raise fail("severity", f"unknown rule `{rule}`")
            severities[found.code] = _severity(level, lambda why, r=rule: fail(f"severity.{r}", why))
        values["severity"] = severities
    if "fail_on" in values:
        values["fail_on"] = _severity(values["fail_on"], lambda why: fail("fail-on", why))
    for spec in OPTIONS:
        choices, value = spec.metadata["choices"], values.get(spec.name)
        if choices and value is not None and getattr(value, "value", value) not in choices:
            raise fail(spec.name.replace("_", "-"), f"must be one of {', '.join(choices)}")
    for key, check in (("katib_version", katib_version), ("kubernetes_version", kubernetes_version)):
        if key in values:
            try:
                values[key] = check(values[key])
            except ValueError as exc:
                raise fail(key.replace("_", "-"), str(exc)) from None
    return Settings(config_path=origin, **values)


def key_line(origin: str, key: str) -> int | None:
    """The 1-based line where a configuration file sets `key` (in pyproject.toml: under
    `[tool.katiblint]`), or None when it cannot be told (not a file, or a form not recognised)."""
    try:
        text = Path(origin).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    start = 0
    if Path(origin).name == "pyproject.toml":
        start = max(text.find("[tool.katiblint"), 0)
    pattern = re.compile(rf"""^[ \t]*(?:\[\s*)?["']?{re.escape(key)}["']?[ \t]*(?:[=:]|\])""", re.MULTILINE)
    match = pattern.search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _severity(level: Any, fail: Any) -> Severity:
    try:
        return Severity(str(level).lower())
    except ValueError:
        raise fail("must be error, warning or info") from None


def resolve(config: str | None, start: Path) -> Settings:
    """Settings from `--config`, else from the nearest config file, else the defaults."""
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise KatibLintError(f"{config}: configuration file not found")
    else:
        found = find_config(start)
        if found is None:
            return Settings()
        path = found
    return parse(load_file(path), str(path))

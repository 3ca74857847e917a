"""The Python API: `katiblint.lint(...)` and the reusable `katiblint.Checker`.

A manifest is YAML or JSON text (`str` or `bytes`), a `dict` as `yaml.safe_load` or `json.load`
give, or a model object of the Katib Python SDK (`kubeflow-katib`: `V1beta1Experiment` and the
Kubernetes client models inside it). Findings go through the engine exactly as on the command
line: selection, severities from the configuration, suppression comments, de-duplication, order.

Positions (`line`, `column`, 1-based) exist only for text: a dict or an SDK object has no text
the user wrote, so its findings carry the field path alone.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from katiblint.config import Settings
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.engine import FileResult, Linter
from katiblint.errors import KatibLintError

__all__ = ["Checker", "Finding", "KatibLintError", "Severity", "lint"]

# Nesting deeper than this is no Experiment: refused before any recursion can overflow.
MAX_DEPTH = 100


@dataclass(frozen=True)
class Finding:
    """One finding, as a user of the API sees it.

    `line`/`column` and `end_line`/`end_column` are 1-based and present only when the manifest was
    text; `field_path` (`spec.trialTemplate.primaryContainerName`) is present whenever the finding
    is about a field. `document` is the 0-based index of the YAML document in a multi-document text.
    """

    code: str
    name: str
    severity: Severity
    message: str
    help: str | None
    field_path: str | None
    fix_title: str | None
    fix_applicability: str | None  # "safe" or "unsafe" when a fix is available
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    document: int | None
    object_name: str | None

    @property
    def fixable(self) -> bool:
        """True when `katiblint --fix` (safe) or `--fix --unsafe-fixes` (unsafe) can fix it."""
        return self.fix_applicability is not None

    def __str__(self) -> str:
        where = f"{self.line}:{self.column} " if self.line is not None else ""
        field = f"{self.field_path}: " if self.field_path else ""
        return f"{where}{self.code} [{self.severity.value}] {field}{self.message}"

    @classmethod
    def from_diagnostic(cls, diag: Diagnostic, positions: bool) -> Finding:
        return cls(
            code=diag.code,
            name=diag.name,
            severity=diag.severity,
            message=diag.message,
            help=diag.help,
            field_path=diag.field_path,
            fix_title=diag.fix.title if diag.fix is not None else None,
            fix_applicability=diag.fix.applicability.value if diag.fix is not None else None,
            line=diag.start[0] + 1 if positions else None,
            column=diag.start[1] + 1 if positions else None,
            end_line=diag.end[0] + 1 if positions else None,
            end_column=diag.end[1] + 1 if positions else None,
            document=diag.document,
            object_name=diag.object_name,
        )


def _listed(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


class Checker:
    """Settings, rules and the cluster's katib-config prepared once, for many manifests.

    Takes the command line's options, by their Python names:

    - `config`: a katiblint configuration file (`.katiblint.toml`, `pyproject.toml`, ...). None
      reads no file (the API does not search the working directory for one).
    - `select`, `extend_select`, `ignore`: rule codes, prefixes or names.
    - `katib_config`: the cluster's katib-config file (a KatibConfig, or the `katib-config` ConfigMap).
    - `katib_version`, `kubernetes_version`, `istio_inject`, `algorithms`.

    A bad option raises `KatibLintError` with a message naming it.
    """

    def __init__(
        self,
        *,
        config: str | None = None,
        select: str | Iterable[str] | None = None,
        extend_select: str | Iterable[str] | None = None,
        ignore: str | Iterable[str] | None = None,
        katib_config: str | None = None,
        katib_version: str | None = None,
        kubernetes_version: str | None = None,
        istio_inject: str | None = None,
        algorithms: str | Iterable[str] | None = None,
    ) -> None:
        from katiblint import config as config_module
        from katiblint.katib import cluster as katib_cluster
        from katiblint.run import build_settings

        base = config_module.parse(config_module.load_file(_existing(config)), config) if config else Settings()
        if istio_inject is not None and istio_inject not in config_module.ISTIO_POLICIES:
            raise KatibLintError(f"istio_inject: must be one of {', '.join(config_module.ISTIO_POLICIES)}")
        options = {
            "select": _listed(select),
            "extend_select": _listed(extend_select),
            "ignore": _listed(ignore),
            "algorithms": _listed(algorithms),
            "katib_version": katib_version,
            "kubernetes_version": kubernetes_version,
            "katib_config": katib_config,
            "istio_inject": istio_inject,
        }
        settings = build_settings((), options, base=base).with_overrides(search_project=False)
        self.settings: Settings = settings
        self._linter = Linter(settings)
        if settings.katib_config:
            self._linter.cluster.use(katib_cluster.load_config_file(settings.katib_config))

    @property
    def enabled(self) -> frozenset[str]:
        """Codes of the rules this checker runs."""
        return frozenset(self._linter.enabled)

    def lint(self, manifest: Any, *, old: Any = None, path: str | None = None) -> list[Finding]:
        """Lint one manifest (text, dict or SDK object); `old` is its applied version, for edits Katib refuses.

        With `old` (the Experiment as it is in the cluster), findings of `--diff-base` are added:
        a change of a field Katib does not let change (KAT062), a lowered maxTrialCount (KAT063).
        """
        result, positions = self.lint_result(manifest, old=old, path=path)
        return [Finding.from_diagnostic(d, positions) for d in result.diagnostics]

    def lint_result(self, manifest: Any, *, old: Any = None, path: str | None = None) -> tuple[FileResult, bool]:
        """The engine's result for one manifest, and whether it has positions the user can read."""
        data, positions = as_bytes(manifest)
        display = path or ("<string>" if positions else "<object>")
        result = self._linter.lint_bytes(data, display)
        if old is not None and result.source is not None and result.experiments:
            from katiblint import diffbase
            from katiblint.source import decode

            old_source, error, _ = decode(as_bytes(old)[0], display)
            if old_source is None:
                raise KatibLintError(f"old: {error}")
            added = diffbase.changes(result, old_source)
            if added:
                self._linter.finish(result, added)
        return result, positions


def _existing(path: str) -> Any:
    from pathlib import Path

    if not Path(path).is_file():
        raise KatibLintError(f"{path}: configuration file not found")
    return Path(path)


def lint(manifest: Any, *, old: Any = None, **options: Any) -> list[Finding]:
    """Lint one Experiment manifest and return its findings, ordered by place.

    `manifest` is YAML/JSON text, a dict, or a Katib SDK `V1beta1Experiment`. `options` are those of
    `Checker` (the command line's: `config`, `select`, `ignore`, `katib_config`, `katib_version`,
    ...). To lint many manifests with the same options, make one `Checker` and call its `lint`.
    """
    return Checker(**options).lint(manifest, old=old)


# --- manifests to text ---------------------------------------------------------------------------


def as_bytes(manifest: Any) -> tuple[bytes, bool]:
    """The manifest as bytes the engine reads, and whether they are the user's own text."""
    if isinstance(manifest, bytes):
        return manifest, True
    if isinstance(manifest, str):
        return manifest.encode("utf-8", errors="surrogatepass"), True
    plain = to_plain(manifest)
    if not isinstance(plain, dict):
        raise TypeError(f"cannot lint a {type(manifest).__name__}: expected YAML/JSON text, a dict or a V1beta1Experiment")
    return json.dumps(plain, indent=1, ensure_ascii=True, allow_nan=False).encode("ascii"), False


def to_plain(value: Any, depth: int = 0) -> Any:
    """JSON-ready data from dicts, lists and OpenAPI-generated models (Katib SDK, Kubernetes client).

    A model is serialised as the SDK sends it to the API server: by its `attribute_map` (the JSON
    names, e.g. `api_version` -> `apiVersion`), leaving out attributes that are None.
    """
    if depth > MAX_DEPTH:
        raise ValueError(f"the manifest is nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{value} is not a value Kubernetes accepts (JSON has no NaN or infinity)")
        return value
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, depth + 1) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    types = getattr(type(value), "openapi_types", None)
    names = getattr(type(value), "attribute_map", None)
    if isinstance(types, dict) and isinstance(names, dict):
        out = {}
        for attr in types:
            item = getattr(value, attr, None)
            if item is not None:
                out[names.get(attr, attr)] = to_plain(item, depth + 1)
        return out
    raise TypeError(f"cannot serialise a {type(value).__name__} in a manifest")

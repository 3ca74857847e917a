"""The algorithm catalog (`rules/data/algorithms.yaml`): what each suggestion and early-stopping
service accepts, and the value grammar of the language it is written in.

Rules stay generic and read this data; adding an algorithm or a setting is a data change.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from katiblint.resources import data_path


@dataclass(frozen=True)
class SettingSpec:
    name: str
    type: str  # int | float | str | enum
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    default: str | None = None
    required: bool = False
    allow_none: bool = False
    message: str | None = None
    description: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def range_text(self) -> str:
        low = "" if self.minimum is None else f"{'>' if self.exclusive_minimum else '>='} {_num(self.minimum)}"
        high = "" if self.maximum is None else f"{'<' if self.exclusive_maximum else '<='} {_num(self.maximum)}"
        return " and ".join(p for p in (low, high) if p)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class AlgorithmSpec:
    name: str
    kind: str  # suggestion | early-stopping
    service: str
    parse: str  # python | go
    unknown_settings: str  # error | ignore | forward
    unknown_message: str | None
    settings: dict[str, SettingSpec]
    source: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Catalog:
    algorithms: dict[str, AlgorithmSpec]
    early_stopping: dict[str, AlgorithmSpec]
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def algorithm_names(self) -> list[str]:
        return list(self.algorithms)

    @property
    def early_stopping_names(self) -> list[str]:
        return list(self.early_stopping)


def _setting(name: str, data: dict[str, Any]) -> SettingSpec:
    return SettingSpec(
        name=name,
        type=str(data.get("type", "str")),
        values=tuple(str(v) for v in data.get("values", ()) or ()),
        minimum=data.get("minimum"),
        maximum=data.get("maximum"),
        exclusive_minimum=bool(data.get("exclusive_minimum", False)),
        exclusive_maximum=bool(data.get("exclusive_maximum", False)),
        default=None if data.get("default") is None else str(data.get("default")),
        required=bool(data.get("required", False)),
        allow_none=bool(data.get("allow_none", False)),
        message=data.get("message"),
        description=str(data.get("description", "")),
        raw=data,
    )


def _algorithm(name: str, kind: str, data: dict[str, Any]) -> AlgorithmSpec:
    return AlgorithmSpec(
        name=name,
        kind=kind,
        service=str(data.get("service", "")),
        parse=str(data.get("parse", "python")),
        unknown_settings=str(data.get("unknown_settings", "error")),
        unknown_message=data.get("unknown_message"),
        settings={k: _setting(k, v or {}) for k, v in (data.get("settings") or {}).items()},
        source=str(data.get("source", "")),
        raw=data,
    )


def parse_catalog(raw: dict[str, Any]) -> Catalog:
    return Catalog(
        algorithms={k: _algorithm(k, "suggestion", v) for k, v in (raw.get("algorithms") or {}).items()},
        early_stopping={k: _algorithm(k, "early-stopping", v) for k, v in (raw.get("early_stopping") or {}).items()},
        raw=raw,
    )


@lru_cache(maxsize=None)
def read_data_file(name: str) -> Any:
    """A YAML data file of `rules/data/`, as plain Python values."""
    from katiblint.loader import load
    from katiblint.source import decode

    path = data_path(name)
    source, error, _ = decode(path.read_bytes(), str(path))
    if source is None:
        raise ValueError(f"{path}: {error}")
    result = load(source)
    if result.problems or not result.documents:
        raise ValueError(f"{path}: cannot be parsed: {result.problems}")
    return result.documents[0].root.to_python() if result.documents[0].root else {}


@lru_cache(maxsize=None)
def get_catalog() -> Catalog:
    return parse_catalog(read_data_file("algorithms.yaml"))


# --- value grammars -------------------------------------------------------------------------
# Python services parse settings with int()/float(); goptuna with strconv.Atoi/ParseFloat.

_PY_INT = re.compile(r"\s*[+-]?\d+(?:_\d+)*\s*$")
_PY_FLOAT = re.compile(
    r"\s*[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+(?:_\d+)*)?|\d+(?:_\d+)*\.(?:[eE][+-]?\d+)?"
    r"|inf|infinity|nan)\s*$",
    re.IGNORECASE,
)
_GO_INT = re.compile(r"[+-]?\d+$")
_GO_FLOAT = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?\d+|inf|infinity|nan)$",
    re.IGNORECASE,
)


def parse_int(text: str, grammar: str = "python") -> int | None:
    """The integer `text` means to the service's parser, or None if that parser rejects it."""
    if grammar == "go":
        if not _GO_INT.match(text):
            return None
        value = int(text)
        return value if -(2**63) <= value < 2**63 else None
    if not _PY_INT.match(text):
        return None
    return int(text.strip().replace("_", ""))


def parse_float(text: str, grammar: str = "python") -> float | None:
    """The float `text` means to the service's parser, or None if that parser rejects it."""
    if grammar == "go":
        if not _GO_FLOAT.match(text):
            return None
        try:
            return float.fromhex(text) if text.lower().lstrip("+-").startswith("0x") else float(text)
        except (ValueError, OverflowError):
            return None
    if not _PY_FLOAT.match(text):
        return None
    try:
        return float(text.strip().replace("_", ""))
    except ValueError:
        return None


def check_value(spec: SettingSpec, text: str, grammar: str) -> str | None:
    """Why `text` is not a valid value for the setting, or None when it is valid."""
    if spec.allow_none and text == "None":
        return None
    if spec.type == "enum":
        if text not in spec.values:
            return f"must be one of {', '.join(spec.values)}"
        return None
    if spec.type == "str":
        return None if text.strip() else "must not be empty"
    if spec.type == "int":
        value: float | None = parse_int(text, grammar)
        if value is None:
            return "must be an integer" + (" (Go's strconv.Atoi: no spaces, signs only in front, no decimals)" if grammar == "go" else "")
    elif spec.type == "float":
        value = parse_float(text, grammar)
        if value is None:
            return "must be a number"
        if math.isnan(value) or math.isinf(value):
            return "must be a finite number"
    else:
        return None
    assert value is not None
    if spec.minimum is not None and (value < spec.minimum or (spec.exclusive_minimum and value == spec.minimum)):
        return f"must be {spec.range_text()}"
    if spec.maximum is not None and (value > spec.maximum or (spec.exclusive_maximum and value == spec.maximum)):
        return f"must be {spec.range_text()}"
    return None

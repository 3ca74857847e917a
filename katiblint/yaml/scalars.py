"""How Kubernetes reads a plain YAML scalar: YAML 1.1 as go-yaml v2 (`kubectl`) resolves it."""

from __future__ import annotations

import math
import re
from typing import Any

_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_TRUE = frozenset(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"])
_FALSE = frozenset(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"])
_INT_RE = re.compile(r"[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[1-9][0-9_]*|0)$")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF_RE = re.compile(r"[-+]?\.(?:inf|Inf|INF)$")
_NAN_RE = re.compile(r"\.(?:nan|NaN|NAN)$")
_STD_TAG = "tag:yaml.org,2002:"
_KNOWN_TAGS = frozenset(
    _STD_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "merge", "binary", "timestamp")
)


def resolve_plain(raw: str) -> tuple[str, Any]:
    """Resolve a plain scalar as go-yaml v2 does: (kind, value), kind in str/int/float/bool/null."""
    if raw in _NULLS:
        return "null", None
    first = raw[0]
    if first in "yYnNtTfFoO":
        if raw in _TRUE:
            return "bool", True
        if raw in _FALSE:
            return "bool", False
        return "str", raw
    if first in "0123456789+-.":
        if _INT_RE.match(raw):
            text = raw.replace("_", "")
            sign = -1 if text.startswith("-") else 1
            digits = text.lstrip("+-")
            try:
                if digits.startswith("0b"):
                    return "int", sign * int(digits[2:], 2)
                if digits.startswith("0x"):
                    return "int", sign * int(digits[2:], 16)
                if digits.startswith("0o"):
                    return "int", sign * int(digits[2:], 8)
                if len(digits) > 1 and digits.startswith("0"):
                    return "int", sign * int(digits[1:], 8)
                return "int", sign * int(digits)
            except ValueError:
                return "str", raw
        if _FLOAT_RE.match(raw):
            try:
                return "float", float(raw.replace("_", ""))
            except ValueError:
                return "str", raw
        if _INF_RE.match(raw):
            return "float", -math.inf if raw.startswith("-") else math.inf
        if _NAN_RE.match(raw):
            return "float", math.nan
    return "str", raw

"""The Go value grammar of katiblint.katib.catalog, specified against Python's own int()/float().

Python services parse with int()/float() (and katiblint calls them directly); goptuna with Go's strconv.Atoi/ParseFloat, which
accept a strict subset of what Python accepts (ASCII only; no spaces, no `_` outside hex floats,
no sign on nan, no overflow to inf).
"""

from __future__ import annotations

import math

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from katiblint.katib.catalog import parse_float, parse_int  # noqa: E402

_ALPHABET = st.sampled_from(list("0123456789+-._eExXpPinfatyINFATY \t") + ["\u0663", "\u00a0"])
_texts = st.one_of(st.text(_ALPHABET, max_size=12), st.text(max_size=8))


def _python(kind: type, text: str) -> float | int | None:
    try:
        return kind(text)
    except (ValueError, OverflowError):
        return None


@settings(max_examples=2000, deadline=None)
@given(_texts)
def test_go_atoi_is_the_strict_subset_of_int(text: str) -> None:
    value = parse_int(text, "go")
    python = _python(int, text)
    strict = text.isascii() and text.strip() == text and "_" not in text and python is not None
    expected = python if strict and -(2**63) <= python < 2**63 else None  # type: ignore[operator]
    assert value == expected


@settings(max_examples=2000, deadline=None)
@given(_texts)
def test_go_parse_float_agrees_with_float_where_both_accept(text: str) -> None:
    value = parse_float(text, "go")
    if value is None:
        return
    assert text.isascii() and text.strip() == text
    if "x" in text.lower():
        return  # hex floats: Python's float() has no literal for them
    assert "_" not in text
    python = _python(float, text)
    assert python is not None
    assert value == python or (math.isnan(value) and math.isnan(python))


@pytest.mark.parametrize(
    ("text", "python", "go"),
    [
        (" 7", 7, None),
        ("1_000", 1000, None),
        ("+5", 5, 5),
        ("5.0", None, None),
        ("9223372036854775808", 9223372036854775808, None),
    ],
)
def test_int_grammars_differ_where_upstream_does(text: str, python: int | None, go: int | None) -> None:
    assert parse_int(text) == python
    assert parse_int(text, "go") == go


@pytest.mark.parametrize(
    ("text", "python_ok", "go_ok"),
    [("1e-3", True, True), ("1_0.5", True, False), ("+nan", True, False), ("Inf", True, True), ("1e400", True, False),
     ("0x1p-2", False, True), (" 1.5", True, False)],
)
def test_float_grammars_differ_where_upstream_does(text: str, python_ok: bool, go_ok: bool) -> None:
    assert (parse_float(text) is not None) == python_ok
    assert (parse_float(text, "go") is not None) == go_ok

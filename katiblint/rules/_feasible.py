"""Shared helpers for the search-space rules: feasible-space bounds as numbers.

Katib passes `min`, `max`, `step` and `list` to the suggestion service as opaque strings; the
service parses them with its own language's rules (Python `int()`/`float()`, or Go `strconv`
for goptuna), so the grammar depends on the algorithm. The parameters themselves are
`_search_space.params`.
"""

from __future__ import annotations

import math

from katiblint.katib.catalog import parse_float, parse_int
from katiblint.context import Context
from katiblint.katib.experiment import Experiment
from katiblint.rules._search_space import Param, algorithm



def grammar(exp: Experiment, ctx: Context) -> str:
    """`go` for goptuna-backed algorithms (strconv), else `python` (int()/float())."""
    _, spec = algorithm(exp, ctx)  # follows katib-config image routing
    return spec.parse if spec is not None else "python"


def number(param: Param, key: str, lang: str) -> float | None:
    """The bound `key` as the service reads it, or None when absent or unparseable."""
    text = param.text(key)
    if text is None or text == "":
        return None
    value: float | None
    if param.type == "int":
        parsed = parse_int(text, lang)
        value = float(parsed) if parsed is not None else None
    else:
        value = parse_float(text, lang)
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return value

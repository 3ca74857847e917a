"""Where the rule docs and data catalogs are: `rules/` in a checkout, `katiblint/_rules` in a wheel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def rules_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def data_path(name: str) -> Path:
    return rules_dir() / "data" / name

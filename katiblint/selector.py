"""One way to name rules, wherever rules are named: `--select`, `--ignore`, the configuration,
`# katiblint: disable=...` comments and `ignore.katiblint.io/...` annotations.

A selector is `ALL`, a rule code (`KAT302`), a code prefix (`KAT3`, `KAT30`) or a rule name
(`undefined-trial-parameter`). Codes and `ALL` are case-insensitive; names are lower case.
"""

from __future__ import annotations

from typing import NamedTuple


class Selector(NamedTuple):
    text: str  # as the user wrote it

    @property
    def _key(self) -> str:
        return self.text.strip()

    def matches(self, code: str, name: str) -> bool:
        key = self._key
        upper = key.upper()
        return upper == "ALL" or (upper.startswith("KAT") and code.startswith(upper)) or key.lower() == name

    def is_known(self) -> bool:
        """Whether it names at least one registered rule."""
        from katiblint.registry import discover

        return any(self.matches(rule.code, rule.name) for rule in discover().values())


def matches_any(selectors: tuple[str, ...] | list[str], code: str, name: str) -> bool:
    return any(Selector(s).matches(code, name) for s in selectors)


def is_selector(text: str) -> bool:
    return Selector(text).is_known()

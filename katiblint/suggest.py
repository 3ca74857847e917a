"""'Did you mean' suggestions: the nearest candidate by edit distance, when it is close enough."""

from __future__ import annotations

from typing import Iterable


def distance(a: str, b: str, limit: int | None = None) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), case-sensitive.

    With `limit`, a distance above it may be returned as any number above it: the work stops once
    a row exceeds it. (No later row can come back under it: a row is at most one more than the
    row before, so a transposition from that row also costs more than `limit`.)
    """
    if a == b:
        return 0
    la, lb = len(a), len(b)
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        for j in range(1, lb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[lb]


def _normal(s: str) -> str:
    return s.lower().replace("-", "").replace("_", "")


def _score(word: str, candidate: str, limit: int | None = None) -> int:
    """0 for the same word up to case, `-` and `_`; else the edit distance, or `limit + 1`
    when it is certainly above `limit` (the lengths alone differ by more)."""
    lower, other = word.lower(), candidate.lower()
    if lower == other or _normal(word) == _normal(candidate):
        return 0
    if limit is not None and abs(len(lower) - len(other)) > limit:
        return limit + 1
    return distance(lower, other, limit)


def matches(word: str, candidates: Iterable[str]) -> list[str]:
    """Candidates close to `word`, best first (ties keep the candidates' order)."""
    limit = max(1, min(3, len(word) // 3))
    scored = []
    for index, candidate in enumerate(candidates):
        if candidate == word:
            continue
        score = _score(word, candidate, limit)
        if score <= limit:
            scored.append((score, index, candidate))
    scored.sort()
    return [c for _, _, c in scored]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    found = matches(word, candidates)
    return found[0] if found else None


def unique_closest(word: str, candidates: Iterable[str]) -> str | None:
    """The nearest candidate only when no other is as near: safe to rename to automatically."""
    pool = list(candidates)
    found = matches(word, pool)
    if not found:
        return None
    best = _score(word, found[0])
    if len(found) > 1 and _score(word, found[1]) == best:
        return None
    return found[0]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    guess = closest(word, candidates)
    return f"did you mean `{guess}`?" if guess else ""

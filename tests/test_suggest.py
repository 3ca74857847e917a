"""'Did you mean' suggestions: the edit distance and its early stop."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from katiblint.suggest import closest, distance, unique_closest

WORDS = st.text(alphabet="abcde-_", max_size=12)


@settings(max_examples=500)
@given(WORDS, WORDS, st.integers(min_value=0, max_value=4))
def test_a_limited_distance_is_exact_up_to_the_limit(a: str, b: str, limit: int) -> None:
    full, limited = distance(a, b), distance(a, b, limit)
    if full <= limit:
        assert limited == full
    else:
        assert limit < limited <= full


def test_distance_counts_edits_and_transpositions() -> None:
    assert distance("bayesianoptimization", "bayesianoptimization") == 0
    assert distance("hyperbnad", "hyperband") == 1  # one transposition
    assert distance("grdi", "grid") == 1
    assert distance("tpe", "cmaes") == 4


def test_suggestions_pick_the_nearest_known_name() -> None:
    names = ["random", "grid", "hyperband", "bayesianoptimization", "tpe", "multivariate-tpe", "cmaes"]
    assert closest("hyperbnad", names) == "hyperband"
    assert closest("Bayesian_Optimization", names) == "bayesianoptimization"
    assert closest("invalid-algorithm", names) is None
    assert unique_closest("grdi", names) == "grid"

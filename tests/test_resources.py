"""A run over many files stays light: each file's node tree is freed as soon as it is linted.

Node trees are full of parent links. Left to the cycle collector, every file's tree would be
traversed again by it, and a large run would hold every tree until then. These tests disable
the collector and check that nothing it would have to free is left behind.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Iterator

import pytest

from katiblint.config import Settings
from katiblint.engine import Linter
from katiblint.yaml import Mapping, load, release
from katiblint.parallel import lint_many
from katiblint.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
# The Experiment rules' fixtures (KAT1xx and up) and the examples: valid and broken Experiments
# of every trial kind, between them reaching every rule.
FILES = sorted(
    [str(p) for p in (ROOT / "tests" / "fixtures").glob("KAT[1-9]*.yaml") if not p.name.endswith(".fixed.yaml")]
    + [str(p) for p in (ROOT / "examples").rglob("*.yaml")]
)


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_linting_leaves_nothing_for_the_cycle_collector(collector_off: None) -> None:
    assert len(FILES) > 60
    linter = Linter(Settings())
    results = lint_many(linter, FILES, None, jobs=1)
    assert sum(len(r.diagnostics) for r in results) > 60  # the rules really ran and reported
    assert all(r.documents == [] for r in results)
    assert gc.collect() == 0


def test_results_keep_their_trees_when_asked() -> None:
    linter = Linter(Settings())
    [result] = lint_many(linter, FILES[:1], None, jobs=1, keep_documents=True)
    assert result.documents and isinstance(result.documents[0].root, Mapping)


def test_released_documents_are_empty_and_freed(collector_off: None) -> None:
    text = "a: &x {b: [1, 2, {c: d}]}\ne: *x\nf:\n  <<: *x\n  g: h\n"
    loaded = load(SourceFile("t.yaml", text))
    root = loaded.documents[0].root
    assert isinstance(root, Mapping) and root.to_python()["f"] == {"b": [1, 2, {"c": "d"}], "g": "h"}
    release(loaded.documents)
    assert root.pairs == [] and loaded.documents[0].root is None
    del root, loaded
    assert gc.collect() == 0


def test_a_syntax_error_midway_leaves_no_partial_tree(collector_off: None) -> None:
    loaded = load(SourceFile("t.yaml", "a:\n  b: [1, {c: d}]\n  e: [unclosed\n"))
    assert [p.code for p in loaded.problems] == ["KAT001"]
    del loaded
    assert gc.collect() == 0

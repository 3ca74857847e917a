"""A rule is three files that share one code: module, doc, fixture. Nothing else, nothing missing."""

from __future__ import annotations

import re
from pathlib import Path

from katiblint.docs import REQUIRED_SECTIONS, all_docs
from katiblint.registry import discover

ROOT = Path(__file__).resolve().parent.parent


def _codes_of(paths: list[Path]) -> dict[str, str]:
    return {p.name.split("-", 1)[0]: p.stem.split("-", 1)[1].removesuffix(".fixed") for p in paths}


def test_codes_and_names_are_unique_and_well_formed() -> None:
    rules = discover()
    names = [r.name for r in rules.values()]
    assert len(names) == len(set(names))
    for code, rule in rules.items():
        assert re.fullmatch(r"KAT\d{3}", code)
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.name)
        assert rule.summary and not rule.summary.endswith(".")


def test_every_rule_has_one_module_doc_and_fixture() -> None:
    rules = discover()
    docs = _codes_of(sorted((ROOT / "rules").glob("KAT*-*.md")))
    fixtures = _codes_of([p for p in sorted((ROOT / "tests" / "fixtures").glob("KAT*-*.yaml")) if ".fixed" not in p.name])
    modules = {p.stem for p in (ROOT / "katiblint" / "rules").glob("*/*.py") if not p.stem.startswith("_")}
    # one folder of rules per thing they model; a rule module outside one is never discovered
    assert not [p.name for p in (ROOT / "katiblint" / "rules").glob("*.py") if not p.stem.startswith("_")]
    assert set(docs) == set(rules), f"docs without rule: {set(docs) - set(rules)}; rules without doc: {set(rules) - set(docs)}"
    assert set(fixtures) == set(rules), (
        f"fixtures without rule: {set(fixtures) - set(rules)}; rules without fixture: {set(rules) - set(fixtures)}"
    )
    for code, rule in rules.items():
        assert docs[code] == rule.name, f"rules/{code}-{docs[code]}.md does not match the rule name {rule.name}"
        assert fixtures[code] == rule.name, f"tests/fixtures/{code}-{fixtures[code]}.yaml does not match {rule.name}"
        module = rule.__module__.rsplit(".", 1)[1]
        assert module == rule.name.replace("-", "_"), f"{code}: module {module} should be {rule.name.replace('-', '_')}"
    assert modules == {r.name.replace("-", "_") for r in rules.values()}


def test_docs_have_the_required_sections_and_heading() -> None:
    for code, doc in all_docs().items():
        for section in REQUIRED_SECTIONS:
            assert doc.sections.get(section, "").strip(), f"{doc.path.name}: missing `## {section}`"
        rule = discover()[code]
        assert doc.name == rule.name
        if rule.fixable.value != "never":
            assert "Fix safety" in doc.sections, f"{doc.path.name}: a fixable rule documents `## Fix safety`"


def test_rules_index_is_current() -> None:
    """rules/README.md is generated; regenerate with `katiblint rules --format markdown > rules/README.md`."""
    from katiblint.docs import rules_index

    index = ROOT / "rules" / "README.md"
    assert index.is_file() and index.read_text(encoding="utf-8") == rules_index(), (
        "rules/README.md is stale: run `katiblint rules --format markdown > rules/README.md`"
    )


def test_compiled_data_files_match_their_yaml_source() -> None:
    """rules/data/*.compiled.json are the YAML catalogs, precompiled for start-up speed.

    Regenerate with `python -m katiblint.katib.catalog` after editing a YAML data file.
    """
    import json

    from katiblint.katib.catalog import COMPILED_SUFFIX, DATA_FILES, parse_data_file

    for name in DATA_FILES:
        compiled = ROOT / "rules" / "data" / (name + COMPILED_SUFFIX)
        assert compiled.is_file(), f"missing {compiled.name}: run `python -m katiblint.katib.catalog`"
        data = json.loads(compiled.read_text(encoding="utf-8"))
        source = parse_data_file(name)
        # the same data, and in the same order: the catalog's order is the services' check order
        assert json.dumps(data) == json.dumps(source), f"{compiled.name} is stale: run `python -m katiblint.katib.catalog`"

"""The package's layering, checked on its source: no import cycle, and rules never import each other.

Imports inside functions count too (a function-level import that only dodges a cycle is still a
cycle); imports under `if TYPE_CHECKING:` do not, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "katiblint"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """The katiblint modules `name` imports at run time (module level and inside functions)."""
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name in MODULES)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    found.add(target if target in MODULES else node.module)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(ast.parse(MODULES[name].read_text(encoding="utf-8")).body)
    return {m for m in found if m in MODULES and m != name}


def cycles() -> list[list[str]]:
    graph = {name: imports(name) for name in MODULES}
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                found.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return found


def test_the_package_has_no_import_cycle() -> None:
    assert cycles() == []


def test_the_cycle_finder_finds_a_cycle(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "katiblint").mkdir()
    (tmp_path / "katiblint" / "a.py").write_text("def f():\n    from katiblint.b import g\n", encoding="utf-8")
    (tmp_path / "katiblint" / "b.py").write_text("from katiblint import a\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "katiblint")
    monkeypatch.setattr(
        __import__(__name__), "MODULES", {module_name(p): p for p in (tmp_path / "katiblint").rglob("*.py")}
    )
    assert cycles() == [["katiblint.a", "katiblint.b", "katiblint.a"]]


def test_rules_never_import_each_other() -> None:
    for name in MODULES:
        if name.startswith("katiblint.rules.") and not name.split(".")[-1].startswith("_"):
            others = {m for m in imports(name) if m.startswith("katiblint.rules.") and not m.split(".")[-1].startswith("_")}
            assert not others, f"{name} imports the rule modules {sorted(others)}; share a `_helper` module instead"

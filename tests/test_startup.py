"""`katiblint file.yaml` must start fast: heavy optional libraries are imported only when needed.

Measured with `python -X importtime`, which lists every module the process imported. The
ruamel.yaml package is allowed: the C composer (`_ruamel_yaml`) imports `ruamel.yaml.error`,
`nodes`, `constructor`, `representer`, ... itself, and those import the package, so they are the
price of libyaml's speed. What a user must not pay for on a plain lint is listed below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import BAD, GOOD, katiblint

# Imported lazily by the rules and commands that need them, never on the plain lint path.
HEAVY = (
    "jsonschema", "re2", "numpy", "scipy", "skopt", "sklearn", "kubernetes_validate", "kubernetes",
    "pygls", "lsprotocol", "cattrs",  # the language server's, loaded by `katiblint server` only
)


def imported_modules(stderr: str) -> set[str]:
    modules = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "imported package":
                modules.add(name)
    return modules


@pytest.mark.parametrize("text", [GOOD, BAD], ids=["clean", "finding"])
def test_linting_a_file_imports_no_heavy_library(tmp_path: Path, text: str) -> None:
    (tmp_path / "exp.yaml").write_text(text)
    run = katiblint("exp.yaml", cwd=tmp_path, python_flags=("-X", "importtime"))
    assert run.code == (0 if text is GOOD else 1), run.err[-2000:]
    modules = imported_modules(run.err)
    assert "katiblint.engine" in modules  # the measurement works
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert not heavy, f"imported on the start-up path: {heavy}"
    # one file is linted in this process: no process pool machinery
    assert not {"multiprocessing", "concurrent.futures", "traceback"} & modules


def test_rules_listing_and_explain_import_no_heavy_library() -> None:
    for args in (("rules",), ("explain", "KAT101")):
        run = katiblint(*args, python_flags=("-X", "importtime"))
        assert run.code == 0
        modules = imported_modules(run.err)
        assert not sorted(m for m in modules if m.split(".")[0] in HEAVY), args


def test_help_does_not_load_the_engine() -> None:
    run = katiblint("--help", python_flags=("-X", "importtime"))
    assert run.code == 0
    modules = imported_modules(run.err)
    assert "katiblint.engine" not in modules and "_ruamel_yaml" not in modules
    assert not sorted(m for m in modules if m.split(".")[0] in HEAVY)  # listing `server` loads no pygls

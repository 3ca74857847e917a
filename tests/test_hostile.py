"""Hostile inputs (tests/hostile/README.md): a finding or a clear error naming the file, never a traceback.

Inputs that cannot be committed as text (invalid UTF-8, binary, CRLF, huge or deep files) are
written here into `tmp_path`. Inputs that could crash the interpreter run in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clirun import Run, katiblint
from katiblint.config import Settings
from katiblint.engine import FileResult, Linter

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).parent / "hostile"
GOOD = (HOSTILE / "merge-keys-valid.yaml").read_text(encoding="utf-8")

# committed input -> codes that must be among the findings (an empty set: no finding at all)
EXPECTED: dict[str, set[str]] = {
    "empty.yaml": set(),
    "comment-only.yaml": set(),
    "scalar-document.yaml": set(),
    "list-document.yaml": set(),
    "bom.yaml": set(),  # a UTF-8 BOM is accepted by kubectl; no error about it
    "tabs.yaml": {"KAT001"},
    "unterminated-quote.yaml": {"KAT001"},
    "duplicate-keys.yaml": {"KAT002"},
    "non-string-keys.yaml": {"KAT011"},
    "wrong-shapes.yaml": {"KAT010"},
    "merge-keys-valid.yaml": set(),
    "python-tag.yaml": {"KAT007"},
    "alias-bomb.yaml": {"KAT009"},
    "recursive-alias.yaml": {"KAT001"},
    "undefined-alias.yaml": {"KAT001"},
    "helm-template.yaml": {"KAT040", "KAT001"},
}


def lint(path: Path) -> FileResult:
    return Linter(Settings()).lint_path(str(path))


def codes(result: FileResult) -> set[str]:
    return {d.code for d in result.diagnostics}


def test_every_committed_input_is_listed_in_the_readme() -> None:
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    committed = {p.name for p in HOSTILE.glob("*.yaml")}
    assert committed == set(EXPECTED)
    for name in committed:
        assert f"`{name}`" in readme, f"{name} is not documented in tests/hostile/README.md"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_committed_input(name: str) -> None:
    result = lint(HOSTILE / name)
    found = codes(result)
    assert "KAT006" not in found, [d.message for d in result.diagnostics if d.code == "KAT006"]
    if EXPECTED[name]:
        assert EXPECTED[name] <= found, f"{name}: expected {EXPECTED[name]}, got {sorted(found)}"
    else:
        assert not result.diagnostics, [f"{d.code} {d.message}" for d in result.diagnostics]


def test_tags_construct_and_execute_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "pwned"
    source = tmp_path / "tag.yaml"
    source.write_text(
        "apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata:\n"
        f'  name: !!python/object/apply:os.system ["touch {marker}"]\n'
        "  labels: !!python/object/new:subprocess.Popen [[touch, x]]\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = lint(source)
    assert [d.code for d in result.diagnostics].count("KAT007") == 2
    assert not marker.exists() and not (tmp_path / "x").exists()


def test_invalid_utf8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata:\n  name: caf\xe9\n")
    result = lint(path)
    assert [d.code for d in result.diagnostics] == ["KAT008"]
    diag = result.diagnostics[0]
    assert "UTF-8" in diag.message and "byte 71" in diag.message
    assert diag.start == (3, 11)  # line 4, column 12 (1-based) in the report


def test_binary_file(tmp_path: Path) -> None:
    # A binary file named .yaml cannot hold an Experiment: it is not parsed and not reported.
    png = tmp_path / "image.yaml"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = lint(png)
    assert result.diagnostics == [] and not result.judged
    nuls = tmp_path / "nuls.yaml"
    nuls.write_bytes(b"apiVersion: kubeflow.org/v1beta1\x00\x00\x00\nkind: Experiment\n")
    assert codes(lint(nuls)) == {"KAT001"}  # valid UTF-8, but YAML forbids control characters


def test_crlf_and_bom_lint_like_the_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode("utf-8"))
    assert lint(path).diagnostics == []
    broken = tmp_path / "crlf-broken.yaml"
    broken.write_bytes(GOOD.replace("  name: merge-keys\n", "  name: Merge_Keys\n").replace("\n", "\r\n").encode())
    diags = [d for d in lint(broken).diagnostics if d.code == "KAT101"]
    assert diags and diags[0].start == (5, 8)  # columns count characters, not the CR


def test_missing_path_and_directory_given_as_file(tmp_path: Path) -> None:
    missing = Linter(Settings()).lint_path(str(tmp_path / "nope.yaml"))
    assert [(d.code, d.message) for d in missing.diagnostics] == [("KAT008", "file not found")]
    folder = Linter(Settings()).lint_path(str(tmp_path))
    assert [d.code for d in folder.diagnostics] == ["KAT008"]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(GOOD, encoding="utf-8")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        path.chmod(0)
        try:
            result = lint(path)
        finally:
            path.chmod(0o644)
    else:  # root reads anything: simulate the OSError the kernel would give
        import builtins

        real_open = builtins.open

        def deny(file: object, *args: object, **kwargs: object) -> object:
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(builtins, "open", deny)
        result = lint(path)
    assert [d.code for d in result.diagnostics] == ["KAT008"]
    assert "Permission denied" in result.diagnostics[0].message


def test_thousands_of_documents_in_one_stream(tmp_path: Path) -> None:
    path = tmp_path / "stream.yaml"
    path.write_text(("---\n" + GOOD) * 2000, encoding="utf-8")
    started = time.perf_counter()
    result = lint(path)
    assert result.experiments == 2000 and result.diagnostics == []
    assert time.perf_counter() - started < 120


def test_alias_bomb_is_bounded_in_time_and_memory() -> None:
    # run apart, with tracemalloc, so that the peak measured is the bomb's alone (a process's
    # ru_maxrss would include the memory of the pytest process it was forked from)
    code = (
        "import time, tracemalloc\n"
        "from katiblint.config import Settings\nfrom katiblint.engine import Linter\n"
        "linter = Linter(Settings())\n"
        "tracemalloc.start()\n"
        "t = time.process_time()\n"
        f"r = linter.lint_path({str(HOSTILE / 'alias-bomb.yaml')!r})\n"
        "print(sorted({d.code for d in r.diagnostics}), time.process_time() - t, tracemalloc.get_traced_memory()[1])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    found, seconds, peak_bytes = out.stdout.rsplit(" ", 2)
    assert found.endswith("['KAT009']")
    assert float(seconds) < 10
    assert int(peak_bytes) < 50 * 1024 * 1024


def write_generated(folder: Path) -> list[Path]:
    """The inputs that are generated rather than committed."""
    folder.mkdir(exist_ok=True)
    files = {
        "invalid-utf8.yaml": b"kind: Experiment\nname: \xff\xfe\xfa\n",
        "png.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",  # no Katib document: not parsed
        "nul.yaml": b"kind: Experiment\napiVersion: kubeflow.org/v1beta1\x00\n",
        "crlf.yaml": GOOD.replace("\n", "\r\n").encode(),
        "long-line.yaml": b"apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata:\n  name: " + b"a" * (1 << 20) + b"\n",
        "deep-flow.yaml": b"kind: Experiment\nspec: " + b"[" * 10_000,
        "deep-flow-closed.yaml": b"spec: " + b"[" * 10_000 + b"]" * 10_000 + b"\n---\n" + GOOD.encode(),
        "deep-block.yaml": b"kind: Experiment\n" + b"".join(b"  " * i + b"a:\n" for i in range(2_000)),
        "deep-compact.yaml": b"kind: Experiment\nspec:\n" + b"- " * 20_000 + b"x\n",
    }
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def run_cli(args: list[str], timeout: float) -> Run:
    return katiblint(*args, cwd=ROOT, timeout=timeout)


def test_deep_nesting_does_not_crash_the_process(tmp_path: Path) -> None:
    paths = write_generated(tmp_path)
    deep = [str(p) for p in paths if p.name.startswith("deep")]
    out = run_cli([*deep, "--format", "concise", "--jobs", "1"], timeout=300)
    assert out.code == 1, out.err  # a segfault would be -11
    lines = out.out.splitlines()
    for name in ("deep-flow.yaml", "deep-flow-closed.yaml", "deep-block.yaml", "deep-compact.yaml"):
        assert [line for line in lines if f"{name}:" in line and "KAT009" in line], out.out
    assert out.out.count("KAT009") == 4
    # linting goes on after the too-deep document: the valid Experiment after it gets no finding
    assert len([line for line in lines if "deep-flow-closed.yaml:" in line]) == 1


def test_everything_at_once_in_bounded_time(tmp_path: Path) -> None:
    generated = write_generated(tmp_path / "generated")
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "a.yaml").write_text(GOOD, encoding="utf-8")
    os.symlink(loop, loop / "again")  # a directory symlink loop
    stream = tmp_path / "stream.yaml"
    stream.write_text(("---\n" + GOOD) * 1000, encoding="utf-8")
    args = [str(HOSTILE), str(tmp_path / "generated"), str(loop), str(stream), str(tmp_path / "missing.yaml")]
    started = time.perf_counter()
    out = run_cli([*args, "--format", "concise", "--color", "never"], timeout=600)
    assert out.code == 1, out.err  # findings; an internal error would be 2
    assert "Traceback" not in out.err and "Traceback" not in out.out
    assert "KAT006" not in out.out, out.out
    assert "missing.yaml:1:1: KAT008 [error] file not found" in out.out
    for path in generated:
        if path.name in ("crlf.yaml", "png.yaml"):  # a valid Experiment; a file with no Katib document
            assert path.name not in out.out
        else:
            assert path.name in out.out, f"no finding for {path.name}"
    assert time.perf_counter() - started < 600

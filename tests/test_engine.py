"""The engine contains failures: a rule that raises, undecodable bytes, unreadable or missing files."""

from __future__ import annotations

import sys
import os
from pathlib import Path
from typing import Iterator

import pytest

from katiblint import registry
from katiblint.cli import main
from katiblint.config import Settings
from katiblint.engine import Linter

EXPERIMENT = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: {name}
spec:
  maxTrialCount: 3
"""


@pytest.fixture
def failing_rule() -> Iterator[type[registry.Rule]]:
    """A rule that raises on every Experiment, registered for this test only."""

    class AlwaysFails(registry.Rule):
        code = "KAT998"
        name = "always-fails"
        summary = "A rule that fails, for the engine tests"

        def check(self, exp, ctx):  # type: ignore[no-untyped-def]
            yield self.report(exp.root, "about to fail")
            raise ZeroDivisionError("deliberate failure")

    try:
        yield AlwaysFails
    finally:
        registry.RULES.pop("KAT998", None)
        registry._BY_NAME.pop("always-fails", None)


def test_a_failing_rule_is_kat006_and_the_other_rules_still_run(failing_rule: type[registry.Rule]) -> None:
    text = EXPERIMENT.format(name="Bad_Name") + "---\n" + EXPERIMENT.format(name="good")
    result = Linter(Settings()).lint_text(text, "two.yaml")
    internal = [d for d in result.diagnostics if d.code == "KAT006"]
    assert len(internal) == 2  # once per Experiment
    assert "KAT998 (always-fails): ZeroDivisionError: deliberate failure" in internal[0].message
    assert internal[0].start[0] == 1  # at `kind:` of the first document
    assert "KAT101" in {d.code for d in result.diagnostics}  # another rule on the same Experiment
    assert "about to fail" in {d.message for d in result.diagnostics}  # what it yielded before failing


def test_kat006_cannot_be_suppressed_or_deselected(failing_rule: type[registry.Rule]) -> None:
    text = "# katiblint: disable=KAT006\n" + EXPERIMENT.format(name="ok")
    settings = Settings().with_overrides(select=("KAT101", "KAT998"), ignore=("KAT006",))
    result = Linter(settings).lint_text(text, "x.yaml")
    assert [d.code for d in result.diagnostics if d.code == "KAT006"] == ["KAT006"]


def test_cli_exit_code_2_and_every_file_linted(
    failing_rule: type[registry.Rule], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(EXPERIMENT.format(name="a"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(EXPERIMENT.format(name="B"), encoding="utf-8")
    code = main([str(tmp_path), "--format", "concise", "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 2
    assert out.count("KAT006") == 2
    assert "b.yaml:4:9: KAT101" in out


def test_an_engine_failure_is_reported_for_that_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(EXPERIMENT.format(name="a"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(EXPERIMENT.format(name="B"), encoding="utf-8")
    real = Linter.lint_bytes

    def broken(self: Linter, data: bytes, display: str):  # type: ignore[no-untyped-def]
        if display.endswith("a.yaml"):
            raise MemoryError("simulated")
        return real(self, data, display)

    monkeypatch.setattr(Linter, "lint_bytes", broken)
    code = main([str(tmp_path), "--format", "concise", "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 2
    assert "a.yaml:1:1: KAT006 [error] internal error while linting this file: MemoryError: simulated" in out
    assert "b.yaml:4:9: KAT101" in out


def test_undecodable_bytes_are_kat008_at_their_position() -> None:
    result = Linter(Settings()).lint_bytes(b"kind: Experiment\nname: \xc3\x28\n", "bad.yaml")
    assert [(d.code, d.start) for d in result.diagnostics] == [("KAT008", (1, 6))]
    assert "byte 23" in result.diagnostics[0].message


def test_utf16_with_bom_is_read() -> None:
    data = EXPERIMENT.format(name="Upper").encode("utf-16")
    result = Linter(Settings()).lint_bytes(data, "utf16.yaml")
    assert "KAT101" in {d.code for d in result.diagnostics}


def test_missing_and_unreadable_files_are_kat008(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    linter = Linter(Settings())
    missing = linter.lint_path(str(tmp_path / "absent.yaml"))
    assert [(d.code, d.message) for d in missing.diagnostics] == [("KAT008", "file not found")]

    def refuse(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    target = tmp_path / "locked.yaml"
    target.write_text(EXPERIMENT.format(name="x"), encoding="utf-8")
    monkeypatch.setattr("builtins.open", refuse)
    locked = linter.lint_path(str(target))
    assert [d.code for d in locked.diagnostics] == ["KAT008"]
    assert "cannot read the file: Permission denied" in locked.diagnostics[0].message


def test_parallel_and_sequential_output_are_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(60):
        name = "Bad_Name" if i % 3 == 0 else f"ok-{i}"
        (tmp_path / f"{i:03d}.yaml").write_text(EXPERIMENT.format(name=name), encoding="utf-8")
    (tmp_path / "zz-broken.yaml").write_bytes(b"\xff\xfe\xfa not utf")
    outputs = []
    for jobs in ("1", "2"):
        code = main([str(tmp_path), "--format", "json", "--jobs", jobs])
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == 1 and '"KAT101"' in outputs[0][1]


def test_pool_is_not_used_for_few_files() -> None:
    from katiblint.parallel import plan_workers

    linter = Linter(Settings())
    assert plan_workers(8, ["a.yaml"] * 3, linter) == 1
    assert plan_workers(1, ["a.yaml"] * 1000, linter) == 1
    assert plan_workers(2, ["a.yaml"] * 1000, linter) == 2
    assert plan_workers(4, ["-"] + ["a.yaml"] * 1000, linter) == 1
    assert sys.modules.get("katiblint.parallel") is not None


def test_without_libyamls_c_parser_the_pure_python_parser_gives_the_same_findings(tmp_path: Path) -> None:
    """ruamel.yaml.clib is a dependency, but an environment can lack it (a platform with no wheel):
    katiblint then parses with ruamel.yaml's own parser instead of failing every file."""
    from clirun import ROOT, katiblint

    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys, importlib.util\n"
        "sys.modules['_ruamel_yaml'] = None\n"
        "_find = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a, **k: None if name == '_ruamel_yaml' else _find(name, *a, **k)\n",
        encoding="utf-8",
    )
    examples = ROOT / "examples"
    with_c = katiblint(examples, "--format", "concise", "--color", "never", cwd=ROOT)
    pure = katiblint(examples, "--format", "concise", "--color", "never", cwd=ROOT,
                     env={"PYTHONPATH": f"{blocker}{os.pathsep}{ROOT}"})
    assert (pure.code, pure.out) == (with_c.code, with_c.out)
    assert "KAT006" not in pure.out
    assert "the slower pure-Python parser was used" in pure.err and "pure-Python" not in with_c.err


def test_without_ruamel_yaml_the_run_stops_once_and_names_it(tmp_path: Path) -> None:
    """An installation that lacks ruamel.yaml altogether cannot parse anything: one message and
    exit 2, not an internal error (KAT006) on every file, pooled or not."""
    from clirun import ROOT, katiblint

    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys, importlib.util\n"
        "for name in ('ruamel', 'ruamel.yaml', '_ruamel_yaml'):\n"
        "    sys.modules[name] = None\n"
        "_find = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a, **k: None if name == '_ruamel_yaml' else _find(name, *a, **k)\n",
        encoding="utf-8",
    )
    many = tmp_path / "many"  # enough files for the process pool
    many.mkdir()
    for i in range(60):
        (many / f"{i:02d}.yaml").write_text(EXPERIMENT.format(name=f"ok-{i}"), encoding="utf-8")
    env = {"PYTHONPATH": f"{blocker}{os.pathsep}{ROOT}"}
    for jobs in ("1", "2"):
        run = katiblint(many, "--jobs", jobs, "--format", "concise", cwd=ROOT, env=env)
        assert run.code == 2, (run.out, run.err)
        assert "KAT006" not in run.out
        assert "the Python package `ruamel` is missing" in run.err

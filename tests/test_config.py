"""Configuration files (`.katiblint.toml`, `.katiblint.yaml`, `[tool.katiblint]`) and their options."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import BAD, GOOD, katiblint
from katiblint.config import find_config, resolve
from katiblint.engine import Linter

WARNING_ONLY = GOOD.replace("kind: Experiment\n", "kind: Experiment  # katiblint: disable=KAT302\n")
CUSTOM_ALGORITHM = GOOD.replace("algorithmName: random", "algorithmName: my-suggestion")
# no `sidecar.istio.io/inject` on the trial pods, in the `kubeflow` namespace (Istio-injected)
ISTIO_ON = GOOD.replace('          metadata:\n            labels:\n              sidecar.istio.io/inject: "false"\n', "")


def _codes(run_out: str) -> list[str]:
    return [line.split(": ", 1)[1].split()[0] for line in run_out.splitlines() if ": KAT" in line]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".katiblint.toml", 'ignore = ["KAT302"]\n'),
        (".katiblint.yaml", "ignore: [KAT302]\n"),
        (".katiblint.yml", "ignore:\n  - undefined-trial-parameter\n"),
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.katiblint]\nignore = ["KAT302"]\n'),
    ],
)
def test_config_file_is_found_upward_from_the_linted_path(tmp_path: Path, name: str, text: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / name).write_text(text)
    deep = project / "a" / "b"
    deep.mkdir(parents=True)
    (deep / "bad.yaml").write_text(BAD)
    assert find_config(deep / "bad.yaml") == (project / name).resolve()
    # From elsewhere: the config next to the linted path is used, not the working directory's.
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    run = katiblint(deep / "bad.yaml", cwd=elsewhere)
    assert run.code == 0, run.both
    # Without the config file the same file fails.
    (project / name).unlink()
    assert katiblint(deep / "bad.yaml", cwd=elsewhere).code == 1


def test_pyproject_without_a_katiblint_table_is_not_a_config(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / ".katiblint.toml").write_text("")
    assert find_config(project / "exp.yaml") == (tmp_path / ".katiblint.toml").resolve()


def test_the_nearest_config_wins(tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('ignore = ["KAT302"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".katiblint.toml").write_text('fail-on = "warning"\n')
    (tmp_path / "sub" / "bad.yaml").write_text(BAD)
    assert katiblint("sub/bad.yaml", cwd=tmp_path).code == 1


def test_explicit_config(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    (tmp_path / ".katiblint.toml").write_text('select = ["KAT302"]\n')
    (tmp_path / "ci.toml").write_text('ignore = ["KAT3"]\n')
    assert katiblint("bad.yaml", cwd=tmp_path).code == 1
    assert katiblint("bad.yaml", "--config", "ci.toml", cwd=tmp_path).code == 0
    settings = resolve(str(tmp_path / "ci.toml"), tmp_path)
    assert settings.ignore == ("KAT3",) and settings.config_path == str(tmp_path / "ci.toml")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ('select = ["KAT302"]', ["KAT302"]),
        ('select = ["KAT30"]', ["KAT302"]),
        ('select = ["undefined-trial-parameter"]', ["KAT302"]),
        ('select = ["KAT1"]', []),
        ('ignore = ["KAT302"]', ["KAT401"]),
        ('ignore = ["KAT3"]', ["KAT401"]),
        ('ignore = ["undefined-trial-parameter"]', ["KAT401"]),
        ('select = ["KAT1"]\nextend-select = ["KAT302"]', ["KAT302"]),
        ('select = ["KAT1"]\nextend-select = ["KAT4"]', ["KAT401"]),
        ('select = ["ALL"]\nignore = ["KAT401"]', ["KAT302"]),
    ],
)
def test_select_ignore_extend_select_by_code_prefix_and_name(tmp_path: Path, config: str, expected: list[str]) -> None:
    # BAD has a KAT302 error; with istio-inject=true every trial pod also gets a KAT401.
    (tmp_path / ".katiblint.toml").write_text(config + '\nistio-inject = "true"\n')
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint("bad.yaml", "--format", "concise", cwd=tmp_path)
    assert sorted(_codes(run.out)) == expected, run.both


def test_command_line_selection_overrides_and_extends_the_file(tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('ignore = ["KAT401"]\nistio-inject = "true"\n')
    (tmp_path / "bad.yaml").write_text(BAD)
    assert _codes(katiblint("bad.yaml", "--format", "concise", cwd=tmp_path).out) == ["KAT302"]
    assert _codes(katiblint("bad.yaml", "--format", "concise", "--ignore", "KAT302", cwd=tmp_path).out) == []
    run = katiblint("bad.yaml", "--format", "concise", "--select", "KAT401,KAT302", cwd=tmp_path)
    assert _codes(run.out) == ["KAT302"]  # the file's ignore still applies


def test_per_rule_severity(tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('[severity]\nKAT302 = "warning"\n')
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint("bad.yaml", "--format", "concise", cwd=tmp_path)
    assert "KAT302 [warning]" in run.out
    assert run.code == 0
    assert katiblint("bad.yaml", "--fail-on", "warning", cwd=tmp_path).code == 1


def test_per_rule_severity_by_name_in_yaml(tmp_path: Path) -> None:
    (tmp_path / ".katiblint.yaml").write_text("severity:\n  unused-suppression: error\n")
    (tmp_path / "w.yaml").write_text(WARNING_ONLY)
    run = katiblint("w.yaml", "--format", "concise", cwd=tmp_path)
    assert "KAT003 [error]" in run.out and run.code == 1


@pytest.mark.parametrize(("policy", "codes"), [("true", ["KAT401"]), ("off", []), ("auto", ["KAT401"])])
def test_istio_inject(tmp_path: Path, policy: str, codes: list[str]) -> None:
    (tmp_path / ".katiblint.toml").write_text(f'istio-inject = "{policy}"\n')
    (tmp_path / "good.yaml").write_text(ISTIO_ON)
    assert _codes(katiblint("good.yaml", "--format", "concise", cwd=tmp_path).out) == codes
    # The command line wins over the file.
    assert _codes(katiblint("good.yaml", "--format", "concise", "--istio-inject", "off", cwd=tmp_path).out) == []


def test_custom_algorithm_makes_unknown_algorithm_silent(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(CUSTOM_ALGORITHM)
    run = katiblint("exp.yaml", "--format", "concise", cwd=tmp_path)
    assert "KAT201" in _codes(run.out) and "my-suggestion" in run.out
    (tmp_path / ".katiblint.toml").write_text('algorithms = ["my-suggestion"]\n')
    assert "KAT201" not in _codes(katiblint("exp.yaml", "--format", "concise", cwd=tmp_path).out)
    (tmp_path / ".katiblint.toml").unlink()
    assert "KAT201" not in _codes(katiblint("exp.yaml", "--format", "concise", "--algorithm", "my-suggestion", cwd=tmp_path).out)


def test_settings_reach_the_linter(tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('algorithms = ["my-suggestion"]\nexclude = ["vendor"]\n')
    settings = resolve(None, tmp_path / "exp.yaml")
    assert settings.algorithms == ("my-suggestion",) and settings.exclude == ("vendor",)
    result = Linter(settings).lint_text(CUSTOM_ALGORITHM, "exp.yaml")
    assert not [d for d in result.diagnostics if d.code == "KAT201"]


def test_exclude_from_config(tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('exclude = ["vendor"]\n')
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "bad.yaml").write_text(BAD)
    (tmp_path / "good.yaml").write_text(GOOD)
    run = katiblint(".", cwd=tmp_path)
    assert run.code == 0 and "(1 file checked)" in run.out


@pytest.mark.parametrize(
    ("name", "text", "needles"),
    [
        (".katiblint.toml", 'selct = ["KAT3"]\n', ["`selct`", "did you mean `select`?"]),
        (".katiblint.toml", 'istio-injct = "true"\n', ["`istio-injct`", "did you mean `istio-inject`?"]),
        (".katiblint.yaml", "extend_select: [KAT3]\n", ["`extend_select`", "did you mean `extend-select`?"]),
        ("pyproject.toml", '[tool.katiblint]\nignor = ["KAT3"]\n', ["`ignor`", "did you mean `ignore`?"]),
        (".katiblint.toml", 'select = ["KAT999"]\n', ["`select`", "`KAT999`"]),
        (".katiblint.toml", 'istio-inject = "maybe"\n', ["`istio-inject`", "must be one of"]),
        (".katiblint.toml", '[severity]\nKAT302 = "fatal"\n', ["`severity.KAT302`", "must be error, warning or info"]),
        (".katiblint.toml", '[severity]\nKAT999 = "error"\n', ["unknown rule `KAT999`"]),
        (".katiblint.toml", "select = 3\n", ["`select`", "list of strings"]),
        (".katiblint.toml", "select = [\n", ["invalid TOML"]),
        (".katiblint.yaml", "select: [KAT3\n", ["YAML syntax error"]),
        (".katiblint.yaml", "- KAT3\n", ["must be a mapping"]),
        (
            ".katiblint.toml",
            'select = ["ALL"]\nkatib-version = "banana"\n',
            [".katiblint.toml:2: `katib-version`: `banana` is not a Katib release katiblint knows; expected 0.10 to 0.19"],
        ),
        (
            "pyproject.toml",
            '[tool.other]\nkubernetes-version = 1\n[tool.katiblint]\nkubernetes-version = "banana"\n',
            ["pyproject.toml:4: `kubernetes-version`: `banana` is not a Kubernetes version; expected 1.MINOR"],
        ),
        (".katiblint.toml", 'katib-version = "\\u001b[31mred"\n', ["`\\x1b[31mred` is not a Katib release"]),  # shown escaped
        (".katiblint.yaml", "katib-version: banana\n", [".katiblint.yaml:1: `katib-version`: `banana` is not a Katib release"]),
        (".katiblint.yaml", "select: [ALL]\nseverity:\n  KAT302: fatal\n", [".katiblint.yaml:3: `severity.KAT302`"]),
    ],
)
def test_bad_config_exits_2_naming_the_file_and_key(tmp_path: Path, name: str, text: str, needles: list[str]) -> None:
    (tmp_path / name).write_text(text)
    (tmp_path / "bad.yaml").write_text(BAD)
    run = katiblint("bad.yaml", cwd=tmp_path)
    assert run.code == 2, run.both
    assert name in run.err
    for needle in needles:
        assert needle in run.err, run.err
    assert "Traceback" not in run.err and run.out == ""


def test_every_option_is_declared_once_and_documented_in_the_readme() -> None:
    """`config.Settings` declares each option (type, default, doc, flag); README shows each one."""
    from katiblint.config import OPTIONS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = readme.split("# .katiblint.toml", 1)[1].split("```", 1)[0]
    for spec in OPTIONS:
        key = spec.name.replace("_", "-")
        assert f"\n{key} =" in example or f"\n{key}=" in example, f"`{key}` is missing from README's configuration example"
        flag = spec.metadata["flag"]
        if flag is not None:
            assert f"`{flag}" in readme, f"`{flag}` is missing from README's option table"

"""Command line: `katiblint [check] PATHS...`, `explain`, `rules`, and lazily loaded extras.

Exit codes: 0 nothing at or above `--fail-on`, 1 findings at that level, 2 usage, configuration
or internal errors.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn, Sequence

import click

from katiblint.options import settings_options
from katiblint.version import __version__
from katiblint.errors import KatibLintError

# Subcommands imported only when used, so that `katiblint file.yaml` starts fast.
LAZY_COMMANDS = {
    "check": "katiblint.cli:check",
    "explain": "katiblint.cli:explain",
    "rules": "katiblint.cli:rules_command",
    "new": "katiblint.new:new",
    "schema": "katiblint.schema:schema",
    "webhook": "katiblint.webhook.command:webhook",
    "server": "katiblint.server:server",
}


class KatibLintGroup(click.Group):
    """A group whose default command is `check`: `katiblint a.yaml` means `katiblint check a.yaml`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in LAZY_COMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._load(name) if name in LAZY_COMMANDS else None

    def _load(self, name: str) -> click.Command | None:
        module_name, attr = LAZY_COMMANDS[name].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attr, None)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and args[0] not in LAZY_COMMANDS and args[0] not in ("--help", "-h", "--version"):
            args.insert(0, "check")
        return super().resolve_command(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] PATH...")
        formatter.write_usage(ctx.command_path, "COMMAND [ARGS]...", prefix="       ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The lint options first (a bare `katiblint PATH` is `check`), then the subcommands."""
        check_command = self._load("check")
        lint_options = [p for p in (check_command.params if check_command is not None else []) if isinstance(p, click.Option)]
        params = lint_options + self.get_params(ctx)  # the group's own: --version, --help
        records = [record for param in params if (record := param.get_help_record(ctx)) is not None]
        if records:
            with formatter.section("Options"):
                formatter.write_dl(records)
        self.format_commands(ctx, formatter)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in LAZY_COMMANDS and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=KatibLintGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="katiblint")
def main_group() -> None:
    """Lint Kubeflow Katib Experiment manifests.

    `katiblint PATH...` lints files and folders (`-` reads standard input); it is short for
    `katiblint check PATH...` and takes the options below. `katiblint COMMAND --help` describes
    the other commands.
    """


@main_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["full", "concise", "json", "sarif", "github", "gitlab"]),
    default=None,
    help="Output format (default: full; github under GitHub Actions).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--config", "config_path", type=click.Path(), help="Configuration file to use.")
@click.option("--stdin-filename", default=None, help="Name to report for `-` (standard input).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", help="Colour the output.")
@click.option("-j", "--jobs", type=int, default=None, help="Parallel workers (default: CPU count).")
@click.option("--statistics", is_flag=True, help="Print counts per rule instead of findings.")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place (`-`: write the fixed input to standard output).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (with --fix) or show fixes that may change meaning.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a diff of what --fix would change, change nothing.")
@click.option("--diff-base", default=None, metavar="REF", help="Report edits of applied Experiments since git revision REF that Katib refuses.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not recorded in this baseline.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record all current findings in this baseline file.")
@settings_options()
def check(paths: tuple[str, ...], **options: Any) -> None:
    """Lint Experiment manifests (files, folders, or `-` for standard input)."""
    from katiblint.run import run_check

    code = run_check(paths, options)
    sys.exit(code)


@main_group.command("explain")
@click.argument("rule")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def explain(rule: str, output_format: str) -> None:
    """Print a rule's documentation (by code or name)."""
    import json

    from katiblint.docs import doc_for
    from katiblint.registry import lookup

    found = lookup(rule)
    if found is None:
        from katiblint.registry import discover
        from katiblint.suggest import closest

        rules = list(discover().values())
        # A code typo (`KAT3020`) or a name typo; else the one rule whose name starts with the input.
        guess = closest(rule, [r.code for r in rules] + [r.name for r in rules])
        if guess is None:
            started = [r.name for r in rules if len(rule) >= 3 and r.name.startswith(rule.lower())]
            guess = started[0] if len(started) == 1 else None
        click.echo(f"katiblint: unknown rule `{rule}`" + (f"; did you mean `{guess}`?" if guess else ""), err=True)
        sys.exit(2)
    doc = doc_for(found.code)
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "code": found.code,
                    "name": found.name,
                    "summary": found.summary,
                    "severity": found.severity.value,
                    "fix": found.fixable.value,
                    "explanation": doc.text if doc else "",
                },
                indent=2,
            )
        )
        return
    click.echo(f"{found.code} {found.name}  (default severity: {found.severity.value}; fix: {found.fixable.value})\n")
    click.echo(doc.text if doc else found.summary)


@main_group.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_command(output_format: str) -> None:
    """List every rule: code, name, default severity, fix availability."""
    import json

    from katiblint.registry import discover

    rules = discover().values()
    if output_format == "markdown":
        from katiblint.docs import rules_index

        click.echo(rules_index(), nl=False)
        return
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity.value,
                        "fix": r.fixable.value,
                        "default_enabled": r.default_enabled,
                        "api_versions": list(r.api_versions),
                        "summary": r.summary,
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return
    width = max(len(r.name) for r in rules)
    click.echo(f"{'code':<7} {'name':<{width}} {'severity':<8} {'fix':<9} summary")
    for r in rules:
        state = "" if r.default_enabled else " (off by default)"
        click.echo(f"{r.code:<7} {r.name:<{width}} {r.severity.value:<8} {r.fixable.value:<9} {r.summary}{state}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code instead of raising SystemExit."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        main_group.main(args=args, prog_name="katiblint", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 2
    except click.ClickException as exc:
        exc.show()
        return 2
    except KatibLintError as exc:
        from katiblint.reporters._visible import visible

        click.echo(f"katiblint: error: {visible(str(exc))}", err=True)  # it may quote a value from a file
        return 2
    except ModuleNotFoundError as exc:  # installed without a dependency (e.g. ruamel.yaml)
        missing = (exc.name or "").split(".")[0] or str(exc)
        click.echo(
            f"katiblint: error: the Python package `{missing}` is missing, and katiblint needs it; "
            "reinstall katiblint with its dependencies (`pip install katiblint`, or `pip install -e .` "
            "in a checkout)",
            err=True,
        )
        return 2
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # pragma: no cover - the last line of defence
        click.echo(f"katiblint: internal error: {type(exc).__name__}: {exc}\nPlease report this with the input.", err=True)
        return 2
    return 0


def run() -> NoReturn:
    """The `katiblint` command: `main`, then exit without tearing the interpreter down.

    The run's objects (every file's source and findings) are freed by the operating system when
    the process ends; Python's own teardown would free them one by one first, a noticeable part
    of a short run. Output is flushed before; nothing katiblint needs runs at teardown.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing left to deliver
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()



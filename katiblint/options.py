"""The settings `config.Settings` declares with a flag, as click options: declared once, there."""

from __future__ import annotations

from typing import Any, Callable

import click

from katiblint.config import OPTIONS


def settings_options(only: tuple[str, ...] | None = None) -> Callable[[Any], Any]:
    """A decorator adding the flag of every setting (or of those named in `only`) to a command."""

    def add(command: Any) -> Any:
        for spec in reversed(OPTIONS):
            flag, kind, doc = spec.metadata["flag"], spec.metadata["kind"], spec.metadata["doc"]
            if flag is None or (only is not None and spec.name not in only):
                continue
            if kind == "list":
                command = click.option(flag, spec.name, multiple=True, help=doc)(command)
            elif kind == "bool":
                command = click.option(flag, spec.name, flag_value=not spec.default, default=None, help=doc)(command)
            elif spec.metadata["choices"]:
                choice = click.Choice(spec.metadata["choices"])
                command = click.option(flag, spec.name, type=choice, default=None, help=doc)(command)
            else:
                command = click.option(flag, spec.name, default=None, help=doc)(command)
        return command

    return add

"""`katiblint schema`: print the JSON Schema of a v1beta1 Experiment, for editors.

The schema lives in `rules/data/experiment.schema.json`; it is written from Katib's Go API
types and webhook checks (see its `$comment`), since Katib's own CRD carries no schema.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click

from katiblint.errors import KatibLintError
from katiblint.resources import data_path

SCHEMA_FILE = "experiment.schema.json"


def load_schema() -> dict[str, Any]:
    """The Experiment JSON Schema as a dict."""
    path = data_path(SCHEMA_FILE)
    try:
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return schema
    except OSError as exc:
        raise KatibLintError(f"cannot read the bundled schema {path.name}: {exc.strerror or exc}") from None


@click.command("schema")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the schema to this file (its folder is created).")
def schema(output: str | None) -> None:
    """Print the JSON Schema of a Katib v1beta1 Experiment (for yaml-language-server and editors)."""
    text = json.dumps(load_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise KatibLintError(f"{output}: cannot write the schema: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}", err=True)

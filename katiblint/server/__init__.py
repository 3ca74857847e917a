"""`katiblint server`: a language server (LSP over stdio) on the same engine as `katiblint check`.

pygls and lsprotocol come with the optional `server` extra and are imported only when the
server starts, so `katiblint file.yaml` and `katiblint --help` never pay for them.
"""

from __future__ import annotations

import sys

import click

from katiblint.errors import KatibLintError

DEFAULT_DEBOUNCE_MS = 10


@click.command("server")
@click.option(
    "--debounce",
    "debounce_ms",
    type=click.IntRange(0, 10_000),
    default=DEFAULT_DEBOUNCE_MS,
    show_default=True,
    metavar="MS",
    help="Quiet time after an edit before the document is linted again; edits within it are linted once.",
)
def server(debounce_ms: int) -> None:
    """Run the language server on standard input and output (for editors)."""
    try:
        from katiblint.server.app import make_server
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise KatibLintError(
                "`katiblint server` needs pygls: install katiblint with its `server` extra "
                "(in a clone of katiblint: `python3 -m pip install '.[server]'`)"
            ) from None
        raise
    ls = make_server(debounce_ms / 1000)
    ls.start_io()
    sys.exit(0 if ls.protocol._shutdown else 1)  # LSP: `exit` without `shutdown` first is code 1

"""`katiblint webhook`: the click command. The server's libraries are imported only when it runs."""

from __future__ import annotations

from typing import Any

import click

from katiblint.options import settings_options

# The settings a review uses (files are not walked, nothing fails a run): those `Checker` takes.
CHECKER_SETTINGS = ("select", "extend_select", "ignore", "istio_inject", "algorithms", "katib_version",
                    "kubernetes_version", "katib_config")


@click.command("webhook")
@click.option("--cert-file", required=True, type=click.Path(dir_okay=False), help="TLS certificate (PEM); reloaded when it changes.")
@click.option("--key-file", required=True, type=click.Path(dir_okay=False), help="TLS private key (PEM); reloaded when it changes.")
@click.option("--port", type=int, default=8443, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--deny-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
              help="Lowest severity that denies the request; warnings below it come back as admission warnings.")
@click.option("--dry-run", is_flag=True, help="Never deny: what would deny comes back as a warning.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="katiblint configuration file (select, ignore, severity, ...).")
@settings_options(only=CHECKER_SETTINGS)  # the cluster's katib-config is reloaded when its file changes
@click.option("--max-body-bytes", type=int, default=3 * 1024 * 1024, show_default=True, help="Larger requests are refused (413).")
@click.option("--timeout", type=float, default=2.0, show_default=True,
              help="Seconds one review may take; past it the request is allowed with a warning.")
@click.option("--keep-alive", type=int, default=60, show_default=True, help="Seconds an idle connection is kept open.")
@click.option("--reload-interval", type=float, default=10.0, show_default=True, help="Seconds between checks of the certificate and katib-config files.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info", show_default=True)
def webhook(**options: Any) -> None:
    """Serve a validating admission webhook for Katib Experiments over TLS.

    POST /validate takes an admission.k8s.io/v1 AdmissionReview of an Experiment (CREATE or
    UPDATE); GET /healthz and /readyz are the probes. Logs are JSON lines on standard error.
    """
    import sys

    from katiblint.api import Checker
    from katiblint.diagnostics import Severity
    from katiblint.errors import KatibLintError
    from katiblint.webhook.review import Policy
    from katiblint.webhook.server import ServeOptions, serve

    if options["max_body_bytes"] < 1024:
        raise KatibLintError("--max-body-bytes: at least 1024")
    if not 0 < options["timeout"] <= 30:
        raise KatibLintError("--timeout: between 0 and 30 seconds (the API server waits at most 30)")
    if options["reload_interval"] <= 0:
        raise KatibLintError("--reload-interval: must be positive")

    def split(key: str) -> tuple[str, ...] | None:
        values = tuple(v.strip() for value in options[key] for v in value.split(",") if v.strip())
        return values or None

    def make_checker() -> Checker:
        listed: dict[str, Any] = {name: split(name) for name in ("select", "extend_select", "ignore", "algorithms")}
        single = {name: options[name] for name in CHECKER_SETTINGS if name not in listed}
        return Checker(config=options["config_path"], **listed, **single)

    serve_options = ServeOptions(
        cert_file=options["cert_file"],
        key_file=options["key_file"],
        host=options["host"],
        port=options["port"],
        max_body=options["max_body_bytes"],
        timeout=options["timeout"],
        keep_alive=options["keep_alive"],
        reload_interval=options["reload_interval"],
        log_level=options["log_level"],
    )
    policy = Policy(deny_on=Severity(options["deny_on"]), dry_run=options["dry_run"])
    sys.exit(serve(serve_options, make_checker, options["katib_config"], policy))

"""Run the webhook on uvicorn over TLS; reload the certificate and the katib-config when their files change.

Kubernetes updates a mounted Secret or ConfigMap by swapping a symlink; the files are polled
(`os.stat` follows the link). A new certificate is loaded into the running server's SSLContext,
so new connections get it and open ones are not cut. A half-written pair (the certificate
updated, the key not yet) fails to load: the old one is kept and the load is tried again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any, Callable, Coroutine

from katiblint.errors import KatibLintError

log = logging.getLogger("katiblint.webhook")


@dataclass(frozen=True)
class ServeOptions:
    cert_file: str
    key_file: str
    host: str
    port: int
    max_body: int
    timeout: float
    keep_alive: int
    reload_interval: float
    log_level: str


def _stamp(*paths: str) -> tuple[Any, ...] | None:
    try:
        return tuple((s.st_mtime_ns, s.st_ino, s.st_size) for s in (os.stat(p) for p in paths))
    except OSError:
        return None


def watch(paths: tuple[str, ...], interval: float, reload: Callable[[], None], what: str) -> Callable[[], Any]:
    """A background job that calls `reload` when the files at `paths` change."""

    async def job() -> None:
        seen = _stamp(*paths)
        while True:
            await asyncio.sleep(interval)
            now = _stamp(*paths)
            if now is None or now == seen:
                continue
            try:
                reload()
            except Exception as exc:  # keep serving with what was loaded before
                log.warning(f"{what} reload failed; keeping the current one", extra={"fields": {"error": str(exc)[:300]}})
                continue
            seen = now
            log.info(f"{what} reloaded", extra={"fields": {"files": list(paths)}})

    return job


def serve(options: ServeOptions, make_checker: Callable[[], Any], katib_config: str | None, policy: Any) -> int:
    try:
        import uvicorn
    except ModuleNotFoundError:
        raise KatibLintError("`katiblint webhook` needs the webhook extra: pip install 'katiblint[webhook]'") from None
    import ssl

    from katiblint.webhook.app import WebhookApp
    from katiblint.webhook.logs import log_config
    from katiblint.webhook.review import Reviewer

    for path in (options.cert_file, options.key_file):
        if not os.path.isfile(path):
            raise KatibLintError(f"{path}: file not found")
    reviewer = Reviewer(make_checker(), policy)

    def reload_config() -> None:
        reviewer.checker = make_checker()

    background: list[Callable[[], Coroutine[Any, Any, None]]] = []
    app = WebhookApp(reviewer, max_body=options.max_body, timeout=options.timeout, background=background)
    config = uvicorn.Config(
        app,
        ssl_certfile=options.cert_file,
        ssl_keyfile=options.key_file,
        log_config=log_config(options.log_level),
        access_log=False,
        lifespan="on",
        timeout_keep_alive=options.keep_alive,
        timeout_graceful_shutdown=10,
        server_header=False,
        proxy_headers=False,
    )
    try:
        config.load()
    except (ssl.SSLError, OSError) as exc:
        raise KatibLintError(f"cannot load the TLS certificate {options.cert_file} / key {options.key_file}: {exc}") from None
    context = config.ssl
    assert context is not None
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # what the API server speaks; nothing older

    def reload_cert() -> None:
        context.load_cert_chain(options.cert_file, options.key_file)

    background.append(watch((options.cert_file, options.key_file), options.reload_interval, reload_cert, "certificate"))
    if katib_config:
        background.append(watch((katib_config,), options.reload_interval, reload_config, "katib-config"))
    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((options.host, options.port))
    except OSError as exc:
        raise KatibLintError(f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    log.info("listening", extra={"fields": {"host": options.host, "port": port, "deny_on": policy.deny_on.value, "dry_run": policy.dry_run}})
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0

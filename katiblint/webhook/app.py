"""The ASGI application: `POST /validate`, `GET /healthz`, `GET /readyz`. No framework.

Every answer comes within the time limit: the review runs in a worker thread, and a review that
has not finished in time is answered "allowed, not checked" (the thread finishes on its own).
A body over the limit is refused (413) before it is read whole.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Coroutine

from katiblint.webhook import review
from katiblint.webhook.review import BadReview, Reviewer

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

log = logging.getLogger("katiblint.webhook")


class TooLarge(Exception):
    pass


class WebhookApp:
    def __init__(
        self,
        reviewer: Reviewer,
        *,
        max_body: int,
        timeout: float,
        workers: int = 4,
        background: list[Callable[[], Coroutine[Any, Any, None]]] | None = None,
    ) -> None:
        self.reviewer = reviewer
        self.max_body = max_body
        self.timeout = timeout
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="review")
        self.background = background if background is not None else []
        self.ready = False
        self._tasks: list[asyncio.Task[None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path, method = scope.get("path", ""), scope.get("method", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            await _send(send, 200, b"ok\n", "text/plain")
        elif path == "/readyz" and method in ("GET", "HEAD"):
            await _send(send, 200 if self.ready else 503, b"ok\n" if self.ready else b"starting\n", "text/plain")
        elif path == "/validate":
            if method != "POST":
                await _send(send, 405, _error("use POST with an AdmissionReview"), headers=[(b"allow", b"POST")])
            else:
                await self._validate(scope, receive, send)
        else:
            await _send(send, 404, _error("no such path; the webhook serves POST /validate"))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                loop = asyncio.get_running_loop()
                # Warm the rules and catalogs before the first review, then say ready.
                await loop.run_in_executor(self.pool, self.reviewer.warm)
                import gc

                gc.freeze()  # rules, catalogs and schemas live as long as the process: no collection scans them again
                self._tasks = [asyncio.create_task(job()) for job in self.background]
                self.ready = True
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.ready = False
                for task in self._tasks:
                    task.cancel()
                self.pool.shutdown(wait=False, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _validate(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            body = await self._body(scope, receive)
        except TooLarge:
            log.warning("refused", extra={"fields": {"status": 413, "reason": f"body over {self.max_body} bytes"}})
            await _send(send, 413, _error(f"the request body is larger than {self.max_body} bytes"))
            return
        try:
            # In the event loop: the body is bounded, JSON parsing is linear, and no busy worker can delay it.
            request = review.parse(body)
        except BadReview as exc:
            log.warning("refused", extra={"fields": {"status": 400, "reason": str(exc)[:300]}})
            await _send(send, 400, _error(str(exc)))
            return
        loop = asyncio.get_running_loop()
        try:
            verdict = await asyncio.wait_for(loop.run_in_executor(self.pool, self.reviewer.judge, request), self.timeout)
        except asyncio.TimeoutError:
            log.warning("timeout", extra={"fields": {"uid": request.uid, "name": request.name, "namespace": request.namespace,
                                                     "limit_s": self.timeout}})
            answer = review.unchecked(request.uid, f"checking took longer than {self.timeout:g}s")
            await _send(send, 200, json.dumps(answer).encode())
            return
        except Exception as exc:  # a bug must not turn into a failed call: the review is answered
            log.error("internal error", extra={"fields": {"uid": request.uid, "error": f"{type(exc).__name__}: {exc}"[:500]}})
            answer = review.unchecked(request.uid, f"internal error ({type(exc).__name__}); please report it")
            await _send(send, 200, json.dumps(answer).encode())
            return
        log.info("review", extra={"fields": review.log_fields(request, verdict, started)})
        await _send(send, 200, json.dumps(review.response(request.uid, verdict)).encode())

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    if int(value) > self.max_body:
                        raise TooLarge
                except ValueError:
                    pass
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise TooLarge
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)


def _error(message: str) -> bytes:
    return json.dumps({"error": message}).encode() + b"\n"


async def _send(
    send: Send, status: int, body: bytes, content_type: str = "application/json", headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    head = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())] + (headers or [])
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})

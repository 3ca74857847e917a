"""Run `katiblint webhook` as a cluster does: its own process, real TLS, an ephemeral port.

Certificates are made by `trustme` for the test; the client trusts only that CA. The server's
JSON log lines are collected so that tests can read what it said.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import trustme

from clirun import ROOT


def issue(folder: Path, ca: trustme.CA | None = None) -> trustme.CA:
    """A certificate for 127.0.0.1 in `folder` (tls.crt, tls.key), written as a Secret update is: by rename."""
    ca = ca or trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    for name, data in (("tls.key", cert.private_key_pem.bytes()), ("tls.crt", b"".join(p.bytes() for p in cert.cert_chain_pems))):
        tmp = folder / f".{name}.new"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
    return ca


class Webhook:
    def __init__(self, folder: Path, *args: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.ca = issue(folder)
        environ = dict(os.environ)
        environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "katiblint", "webhook", "--host", "127.0.0.1", "--port", "0",
             "--cert-file", str(folder / "tls.crt"), "--key-file", str(folder / "tls.key"), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environ, cwd=folder,
        )
        self.lines: list[str] = []
        self._listening = threading.Event()
        self.port = 0
        threading.Thread(target=self._read, daemon=True).start()
        if not self._listening.wait(60):
            self.stop()
            raise RuntimeError("the webhook did not start:\n" + "\n".join(self.lines))
        deadline = time.monotonic() + 60
        while self.get("/readyz")[0] != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("the webhook did not become ready:\n" + "\n".join(self.lines))
            time.sleep(0.05)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            if not self._listening.is_set():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("message") == "listening":
                    self.port = int(entry["port"])
                    self._listening.set()

    def logs(self, message: str | None = None) -> list[dict[str, Any]]:
        """The JSON log entries (with that message)."""
        entries = [json.loads(line) for line in list(self.lines)]
        return [e for e in entries if message is None or e.get("message") == message]

    def wait_for_log(self, message: str, count: int = 1, seconds: float = 10.0) -> list[dict[str, Any]]:
        """The entries with that message, once there are `count` of them (the log is read by a thread)."""
        deadline = time.monotonic() + seconds
        while len(found := self.logs(message)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def context(self, ca: trustme.CA | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        (ca or self.ca).configure_trust(ctx)
        return ctx

    def connect(self, ca: trustme.CA | None = None) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(ca), timeout=30)

    def request(
        self, method: str, path: str, body: bytes | None = None, conn: http.client.HTTPSConnection | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        own = conn is None
        conn = conn or self.connect()
        try:
            conn.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            if own:
                conn.close()

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            return self.request("GET", path)
        except (ConnectionError, ssl.SSLError, OSError):
            return 0, b""

    def review(self, payload: Any, conn: http.client.HTTPSConnection | None = None) -> tuple[int, Any]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        status, data = self.request("POST", "/validate", body, conn)
        return status, json.loads(data)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def admission_review(obj: Any, operation: str = "CREATE", old: Any = None, uid: str = "705ab4f5-6393-11e8-b7cc-42010a800002") -> dict[str, Any]:
    """An `admission.k8s.io/v1` AdmissionReview as the API server sends it for an Experiment."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    request: dict[str, Any] = {
        "uid": uid,
        "kind": {"group": "kubeflow.org", "version": "v1beta1", "kind": "Experiment"},
        "resource": {"group": "kubeflow.org", "version": "v1beta1", "resource": "experiments"},
        "requestKind": {"group": "kubeflow.org", "version": "v1beta1", "kind": "Experiment"},
        "requestResource": {"group": "kubeflow.org", "version": "v1beta1", "resource": "experiments"},
        "name": str(meta.get("name", "")),
        "namespace": str(meta.get("namespace", "")),
        "operation": operation,
        "userInfo": {"username": "alice@example.com", "groups": ["system:authenticated"]},
        "object": obj,
        "oldObject": old,
        "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions" if operation == "CREATE" else "UpdateOptions"},
    }
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}

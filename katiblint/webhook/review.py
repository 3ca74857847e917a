"""One AdmissionReview in, one verdict out: parsing, policy and the response, with no I/O.

The API server sends `admission.k8s.io/v1` AdmissionReview objects (Kubernetes
`staging/src/k8s.io/api/admission/v1/types.go`): `request.uid` must come back in `response.uid`,
`response.allowed` says the verdict, `response.status.message` is what `kubectl` prints when it
is false, and `response.warnings` are printed as `Warning: ...` either way.

Policy:
- findings at or above `deny_on` (default: error) deny, in one message listing each of them;
- other findings of warning level or above come back as warnings; info findings are not sent;
- `dry_run`: nothing denies, what would have is sent as a warning marked `would deny`;
- UPDATE: the edit is compared with `oldObject` as `--diff-base` compares with a git revision
  (KAT062, KAT063), and findings the stored object already had are not repeated: the update did not
  bring them, and the Katib controller must stay able to update (e.g. remove its finalizer);
- an Experiment being deleted (`metadata.deletionTimestamp`) is not checked;
- a body that is not an AdmissionReview is a 400 with a message; a review of anything but an
  Experiment, or an object katiblint cannot read, is allowed with a warning saying it was not checked.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from katiblint.api import MAX_DEPTH, Checker, Finding
from katiblint.diagnostics import Severity

API_VERSION = "admission.k8s.io/v1"
CHECKED_OPERATIONS = ("CREATE", "UPDATE")
# Only the edit itself can bring these; they never count as "already there".
EDIT_CODES = ("KAT062", "KAT063")
MAX_WARNINGS = 20
MAX_WARNING_CHARS = 512


WARM_UP = {
    "apiVersion": "kubeflow.org/v1beta1",
    "kind": "Experiment",
    "metadata": {"name": "warm-up", "namespace": "default"},
    "spec": {
        "objective": {"type": "maximize", "objectiveMetricName": "accuracy"},
        "algorithm": {"algorithmName": "random"},
        "parameters": [{"name": "lr", "parameterType": "double", "feasibleSpace": {"min": "0.01", "max": "0.1"}}],
        "trialTemplate": {
            "primaryContainerName": "training",
            "trialParameters": [{"name": "lr", "reference": "lr"}],
            "trialSpec": {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                    {"name": "training", "image": "python:3.11", "command": ["python", "train.py", "--lr=${trialParameters.lr}"]}
                ]}}},
            },
        },
    },
}


class BadReview(Exception):
    """The body is not an AdmissionReview: answered with HTTP 400 and this message."""


@dataclass(frozen=True)
class Policy:
    deny_on: Severity = Severity.ERROR
    dry_run: bool = False


@dataclass
class Request:
    """The parts of an AdmissionReview request the verdict needs."""

    uid: str
    operation: str
    obj: Any
    old: Any
    namespace: str
    name: str
    kind: str


@dataclass
class Verdict:
    allowed: bool
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # of every finding reported, for the log
    checked: bool = True


def parse(body: bytes) -> Request:
    """The request of an AdmissionReview body, or `BadReview` saying what is wrong with it."""
    try:
        review = json.loads(body)
    except RecursionError:
        raise BadReview("the request body is nested too deeply to be an AdmissionReview") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise BadReview(f"the request body is not JSON: {exc}") from None
    if not isinstance(review, dict):
        raise BadReview("the request body is not a JSON object; expected an AdmissionReview")
    if review.get("kind") != "AdmissionReview" or review.get("apiVersion") != API_VERSION:
        found = f"{review.get('apiVersion')!s}/{review.get('kind')!s}"
        raise BadReview(f"expected an {API_VERSION} AdmissionReview, got {found[:100]}")
    request = review.get("request")
    if not isinstance(request, dict):
        raise BadReview("the AdmissionReview has no `request` object")
    uid = request.get("uid")
    if not isinstance(uid, str) or not uid:
        raise BadReview("the AdmissionReview request has no `uid`")
    kind = request.get("kind")
    kind_name = kind.get("kind") if isinstance(kind, dict) else None
    return Request(
        uid=uid,
        operation=str(request.get("operation") or ""),
        obj=request.get("object"),
        old=request.get("oldObject"),
        namespace=str(request.get("namespace") or ""),
        name=str(request.get("name") or ""),
        kind=str(kind_name or ""),
    )


def _depth_ok(value: Any) -> bool:
    """No deeper than the API's limit, checked without recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def _is_experiment(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("kind") == "Experiment"
        and isinstance(obj.get("apiVersion"), str)
        and obj["apiVersion"].startswith("kubeflow.org/")
    )


def _line(finding: Finding) -> str:
    where = f" {finding.field_path}" if finding.field_path else ""
    return f"{finding.code}{where}: {finding.message}"


def _clip(text: str) -> str:
    text = " ".join(text.split())  # one line: kubectl prints each warning on its own line
    return text if len(text) <= MAX_WARNING_CHARS else text[: MAX_WARNING_CHARS - 3] + "..."


class Reviewer:
    """Judges AdmissionReviews with one prepared `Checker` (rules and katib-config loaded once)."""

    def __init__(self, checker: Checker, policy: Policy) -> None:
        self.checker = checker
        self.policy = policy

    def warm(self) -> None:
        """Load the rules and catalogs now, so that the first review is as fast as the others."""
        self.checker.lint(WARM_UP)

    def judge(self, request: Request) -> Verdict:
        if request.operation not in CHECKED_OPERATIONS:
            return Verdict(True, checked=False)
        obj = request.obj
        if not _is_experiment(obj):
            kind = obj.get("kind") if isinstance(obj, dict) else None
            what = f"this {kind[:60]}" if isinstance(kind, str) and kind else "this request's object"
            return Verdict(True, warnings=[f"katiblint checks kubeflow.org Experiments only; {what} was not checked"], checked=False)
        meta = obj.get("metadata")
        if request.operation == "UPDATE" and isinstance(meta, dict) and meta.get("deletionTimestamp"):
            return Verdict(True, checked=False)  # being deleted: the controller removes its finalizer
        old = request.old if request.operation == "UPDATE" and _is_experiment(request.old) else None
        if not _depth_ok(obj) or (old is not None and not _depth_ok(old)):
            return Verdict(True, warnings=[f"katiblint could not check this Experiment: it is nested deeper than {MAX_DEPTH} levels"],
                           checked=False)
        try:
            findings = self.checker.lint(obj, old=old)
            if old is not None:
                before = {(f.code, f.field_path, f.message) for f in self.checker.lint(old)}
                findings = [f for f in findings if f.code in EDIT_CODES or (f.code, f.field_path, f.message) not in before]
        except (TypeError, ValueError) as exc:
            return Verdict(True, warnings=[_clip(f"katiblint could not check this Experiment: {exc}")], checked=False)
        return self.verdict(findings)

    def verdict(self, findings: list[Finding]) -> Verdict:
        threshold = self.policy.deny_on.rank
        denying = [f for f in findings if f.severity.rank >= threshold]
        warning = [f for f in findings if f.severity.rank < threshold and f.severity.rank >= Severity.WARNING.rank]
        codes = [f.code for f in denying + warning]
        if self.policy.dry_run:
            warnings = [_clip(f"would deny: {_line(f)}") for f in denying] + [_clip(_line(f)) for f in warning]
            return Verdict(True, warnings=_capped(warnings), codes=codes)
        warnings = _capped([_clip(_line(f)) for f in warning])
        if not denying:
            return Verdict(True, warnings=warnings, codes=codes)
        count = f"{len(denying)} finding" + ("s" if len(denying) > 1 else "")
        lines = [f"katiblint: {count} the cluster should not accept:"]
        for f in denying[:MAX_WARNINGS]:
            lines.append(f"- {_line(f)}" + (f" (help: {f.help})" if f.help else ""))
        if len(denying) > MAX_WARNINGS:
            lines.append(f"- ... and {len(denying) - MAX_WARNINGS} more; run katiblint on the manifest to see them all")
        return Verdict(False, message="\n".join(lines), warnings=warnings, codes=codes)


def _capped(warnings: list[str]) -> list[str]:
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    rest = len(warnings) - (MAX_WARNINGS - 1)
    return warnings[: MAX_WARNINGS - 1] + [f"... and {rest} more katiblint warnings; run katiblint on the manifest to see them all"]


def response(uid: str, verdict: Verdict) -> dict[str, Any]:
    """The AdmissionReview the API server expects back."""
    answer: dict[str, Any] = {"uid": uid, "allowed": verdict.allowed}
    if not verdict.allowed:
        answer["status"] = {"code": 403, "reason": "Forbidden", "message": verdict.message}
    if verdict.warnings:
        answer["warnings"] = verdict.warnings
    return {"apiVersion": API_VERSION, "kind": "AdmissionReview", "response": answer}


def unchecked(uid: str, why: str) -> dict[str, Any]:
    """Allowed with a warning: what the time limit answers."""
    return response(uid, Verdict(True, warnings=[_clip(f"katiblint did not check this Experiment: {why}")], checked=False))


def log_fields(request: Request, verdict: Verdict, started: float) -> dict[str, Any]:
    return {
        "uid": request.uid,
        "operation": request.operation,
        "namespace": request.namespace,
        "name": request.name,
        "allowed": verdict.allowed,
        "checked": verdict.checked,
        "codes": verdict.codes,
        "warnings": len(verdict.warnings),
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    }

"""`sarif`: SARIF 2.1.0 for GitHub code scanning (one run, rule help from the rule docs)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Sequence

from katiblint.version import __version__
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.engine import FileResult
from katiblint.reporters import ReportOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_MASK = (1 << 64) - 1
_BLOCK = 100
_MOD = 37


def line_hashes(data: bytes) -> dict[int, str]:
    """GitHub's `primaryLocationLineHash` for every line (codeql-action's fingerprint scheme):
    a rolling hash over the next 100 non-blank bytes from the start of each line."""
    first_mod = pow(_MOD, _BLOCK, 1 << 64)
    window = [0] * _BLOCK
    line_numbers = [-1] * _BLOCK
    state = {"hash": 0, "index": 0}
    counts: dict[str, int] = {}
    out: dict[int, str] = {}

    def output() -> None:
        value = format(state["hash"] & _MASK, "x")
        counts[value] = counts.get(value, 0) + 1
        out[line_numbers[state["index"]]] = f"{value}:{counts[value]}"
        line_numbers[state["index"]] = -1

    def update(current: int) -> None:
        index = state["index"]
        begin = window[index]
        window[index] = current
        state["hash"] = (_MOD * state["hash"] + current - first_mod * begin) & _MASK
        state["index"] = (index + 1) % _BLOCK

    line_number = 0
    line_start = True
    prev_cr = False
    for current in data:
        if current in (0x20, 0x09) or (prev_cr and current == 0x0A):
            prev_cr = False
            continue
        if current == 0x0D:
            current, prev_cr = 0x0A, True
        else:
            prev_cr = False
        if line_numbers[state["index"]] != -1:
            output()
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[state["index"]] = line_number
        if current == 0x0A:
            line_start = True
        update(current)
    for _ in range(_BLOCK):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
    return out


def find_root(start: str = ".") -> Path:
    """The repository root (nearest folder with `.git`), else the working directory."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def _artifact(path: str, root: Path) -> dict[str, str]:
    """A repository-relative URI under `%SRCROOT%`; a file outside the repository gets an
    absolute `file:` URI instead (GitHub rejects relative URIs that climb out with `..`)."""
    absolute = Path(path).resolve()
    try:
        return {"uri": absolute.relative_to(root).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": absolute.as_uri()}


def semantic_fingerprint(uri: str, d: Diagnostic) -> str:
    """Survives line shifts and edits elsewhere: rule, file, Experiment name and field path.

    Findings that share all four (two placeholders in one string) are told apart by counting
    occurrences where the fingerprint is used (baselines, GitLab).
    """
    key = "\x1f".join([d.code, uri, d.object_name or "", d.field_path or ""])
    return hashlib.sha256(key.encode()).hexdigest()


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    from katiblint.docs import doc_for

    doc = doc_for(rule.code)
    full = doc.what if doc else rule.summary
    text = doc.text if doc else rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["katib", "kubeflow"], "precision": "high"},
    }


def render(results: Sequence[FileResult], options: ReportOptions) -> str:
    from katiblint.registry import discover

    root = find_root(options.root)
    # Like ruff, describe the rules that reported something: each carries its whole doc as help,
    # so listing every enabled rule would make a clean run's SARIF hundreds of kilobytes.
    registry = discover()
    fired = {d.code for r in results for d in r.diagnostics}
    rules = [registry[code] for code in sorted(fired) if code in registry]
    index = {r.code: i for i, r in enumerate(rules)}
    out_results = []
    for result in results:
        artifact = _artifact(result.path, root) if result.path != "-" else {"uri": "stdin"}
        uri = artifact["uri"]
        hashes: dict[int, str] | None = None
        for d in result.diagnostics:
            (l0, c0), (l1, c1) = d.start, d.end
            end_column = c1 + 1 if (l1, c1) > (l0, c0) else c0 + 2  # SARIF: the column after the span
            region = {"startLine": l0 + 1, "startColumn": c0 + 1, "endLine": l1 + 1, "endColumn": end_column}
            if hashes is None:
                text = result.source.text if result.source is not None else ""
                hashes = line_hashes(text.encode("utf-8"))
            location = {"artifactLocation": dict(artifact), "region": region}
            entry: dict[str, Any] = {
                "ruleId": d.code,
                "level": _LEVEL[d.severity],
                "message": {"text": d.message + (f"\nhelp: {d.help}" if d.help else "")},
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {
                    "primaryLocationLineHash": hashes.get(l0 + 1, "0:1"),
                    "katiblint/v1": semantic_fingerprint(uri, d),
                },
                "properties": {"field": d.field_path, "document": d.document, "object": d.object_name},
            }
            if d.code in index:
                entry["ruleIndex"] = index[d.code]
            if d.fix is not None and result.source is not None:
                src = result.source
                replacements = []
                for edit in d.fix.edits:
                    sl, sc = src.position(edit.span.start)
                    el, ec = src.position(edit.span.end)
                    replacements.append(
                        {
                            "deletedRegion": {"startLine": sl + 1, "startColumn": sc + 1, "endLine": el + 1, "endColumn": ec + 1},
                            "insertedContent": {"text": edit.content},
                        }
                    )
                entry["fixes"] = [
                    {
                        "description": {"text": f"{d.fix.title} ({d.fix.applicability.value} fix)"},
                        "artifactChanges": [{"artifactLocation": dict(artifact), "replacements": replacements}],
                    }
                ]
            out_results.append(entry)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "katiblint",
                        "semanticVersion": __version__,
                        "informationUri": "https://pypi.org/project/katiblint/",
                        "rules": [_rule_descriptor(r) for r in rules],
                    }
                },
                "automationDetails": {"id": "katiblint/"},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": options.exit_code in (0, 1), "exitCode": options.exit_code}],
                "results": out_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"

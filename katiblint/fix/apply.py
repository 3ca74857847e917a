"""Applying fixes: splice edits into the original text, re-lint, repeat until nothing changes.

Edits replace spans of the decoded text, so everything outside them (comments, key order,
quoting, indentation, document markers, other documents, CRLF line endings, a BOM) stays as it
was. Every result is parsed back with ruamel.yaml's round-trip parser, the project's tool for
fixes; a fix whose result does not parse is dropped. Files are replaced atomically.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from typing import BinaryIO, Sequence

from katiblint.diagnostics import Applicability, Diagnostic, Edit, Fix
from katiblint.engine import FileResult, Linter
from katiblint.errors import KatibLintError
from katiblint.source import SourceFile
from katiblint.walk import display_path

MAX_ROUNDS = 10
SYNTAX_ERROR = "KAT001"


@dataclass
class FixOutcome:
    """The fixed text of one file, how many findings were fixed, and the final lint result."""

    source: SourceFile
    text: str
    fixed: int
    result: FileResult
    rounds: int = 0
    rejected: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.text != self.source.text


def applicable(diag: Diagnostic, unsafe: bool) -> bool:
    return diag.fix is not None and bool(diag.fix.edits) and (unsafe or diag.fix.applicability == Applicability.SAFE)


def parses(text: str) -> int | None:
    """The number of documents ruamel.yaml (round-trip mode) reads from `text`, None if it fails."""
    from ruamel.yaml import YAML  # lazy: only `--fix` and `--diff` pay for it

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True  # duplicates are KAT002's finding, not a reason to refuse a fix
    try:
        return sum(1 for _ in yaml.load_all(text))
    except Exception:  # any parser or constructor error: the text is not YAML we can trust
        return None


def _conflicts(edit: Edit, taken: Sequence[Edit]) -> bool:
    """Overlapping or touching edits (two insertions at one offset included) conflict."""
    return any(edit.span.start <= other.span.end and other.span.start <= edit.span.end for other in taken)


def _normalize(content: str, newline: str) -> str:
    if newline == "\r\n" and "\n" in content:
        return content.replace("\r\n", "\n").replace("\n", "\r\n")
    return content


def splice(text: str, edits: Sequence[Edit], newline: str = "\n") -> str:
    """`text` with non-overlapping `edits` applied (offsets are those of `text`)."""
    out = []
    last = 0
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        out.append(text[last : edit.span.start])
        out.append(_normalize(edit.content, newline))
        last = edit.span.end
    out.append(text[last:])
    return "".join(out)


def choose(diagnostics: Sequence[Diagnostic], unsafe: bool) -> list[tuple[Fix, list[Diagnostic]]]:
    """Fixes to apply together: sorted by position, skipping any that overlaps one already taken.

    Identical fixes carried by several findings (one declaration for two placeholders) are
    applied once and fix all of them.
    """
    candidates = sorted(
        (d for d in diagnostics if applicable(d, unsafe)),
        key=lambda d: (d.fix.span.start, d.fix.span.end, d.code),  # type: ignore[union-attr]  # applicable() keeps only findings with a fix
    )
    chosen: list[tuple[Fix, list[Diagnostic]]] = []
    taken: list[Edit] = []
    for diag in candidates:
        fix = diag.fix
        assert fix is not None
        same = next((group for f, group in chosen if f.edits == fix.edits), None)
        if same is not None:
            same.append(diag)
            continue
        if any(_conflicts(edit, taken) for edit in fix.edits):
            continue  # left for the next round, on re-linted text
        chosen.append((fix, [diag]))
        taken.extend(fix.edits)
    return chosen


def _apply_round(
    source: SourceFile, chosen: list[tuple[Fix, list[Diagnostic]]], documents: int
) -> tuple[str, int, list[Diagnostic]]:
    """Apply `chosen` to the text; returns (text, findings fixed, findings whose fix broke YAML)."""
    text = source.text
    edits = [e for fix, _ in chosen for e in fix.edits]
    new = splice(text, edits, source.newline)
    if parses(new) == documents:
        return new, sum(len(group) for _, group in chosen), []
    # Something broke the YAML: apply one fix at a time, right to left (offsets stay valid),
    # keeping those after which the text still parses into as many documents.
    fixed = 0
    rejected: list[Diagnostic] = []
    for fix, group in sorted(chosen, key=lambda item: item[0].span.start, reverse=True):
        attempt = splice(text, fix.edits, source.newline)
        if parses(attempt) == documents:
            text = attempt
            fixed += len(group)
        else:
            rejected.extend(group)
    return text, fixed, rejected


def fix_result(linter: Linter, result: FileResult, unsafe: bool = False, max_rounds: int = MAX_ROUNDS) -> FixOutcome:
    """Apply fixes to an already linted file until no applicable fix is left (or `max_rounds`)."""
    original = result.source
    if original is None:
        raise ValueError("a file that could not be read cannot be fixed")
    outcome = FixOutcome(original, original.text, 0, result)
    if not any(applicable(d, unsafe) for d in result.diagnostics):
        return outcome
    if any(d.code == SYNTAX_ERROR for d in result.diagnostics):
        return outcome  # never edit a file that is not YAML
    documents = parses(original.text)
    if documents is None:
        return outcome
    current = result
    source = original
    blocked: set[tuple[str, int, int, str]] = set()
    for round_number in range(1, max_rounds + 1):
        pending = [d for d in current.diagnostics if _key(d) not in blocked]
        chosen = choose(pending, unsafe)
        if not chosen:
            break
        text, fixed, rejected = _apply_round(source, chosen, documents)
        outcome.rejected.extend(rejected)
        blocked.update(_key(d) for d in rejected)
        outcome.rounds = round_number
        if fixed == 0:
            continue
        outcome.fixed += fixed
        source = SourceFile(original.path, text, had_bom=original.had_bom, newline=original.newline)
        current = linter.lint_source(source)
    outcome.text = source.text
    outcome.result = current
    return outcome


def _key(diag: Diagnostic) -> tuple[str, int, int, str]:
    return (diag.code, diag.span.start, diag.span.end, diag.message)


def fix_text(linter: Linter, text: str, display: str = "<string>", unsafe: bool = False) -> FixOutcome:
    """Lint and fix `text` (a convenience for tests and the API)."""
    result = linter.lint_text(text, display)
    if result.source is None and not result.judged:  # no Katib document: nothing to fix
        return FixOutcome(SourceFile(display, text), text, 0, result)
    return fix_result(linter, result, unsafe=unsafe)


# -- bytes and files ------------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def encode_like(original: bytes, text: str) -> bytes:
    """Encode `text` as `original` was: same BOM and encoding (UTF-8 without a BOM otherwise)."""
    for bom, encoding in _BOMS:
        if original.startswith(bom):
            return bom + text.encode(encoding)
    return text.encode("utf-8")


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of a fix (`patch -p0` applies it); line endings are kept as they are."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=path, tofile=path
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _writable(path: str, st: os.stat_result | None) -> bool:
    """Write access, and at least one write bit (root ignores permissions; we do not)."""
    if not os.access(path, os.W_OK):
        return False
    mode = st.st_mode if st is not None else os.stat(path).st_mode
    return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def write_atomic(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace the file at `path` (its target, for a symlink) with `data`, atomically.

    The new content goes to a temporary file in the same folder, gets the original's
    permission bits, and replaces the target with `os.replace`. A symlink stays a symlink.
    When `expected` is given and the file changed since it was read, nothing is written.
    Raises KatibLintError with a message for the user when the file cannot be written.
    """
    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    try:
        st = os.stat(target)
    except OSError as exc:
        raise KatibLintError(f"cannot fix `{path}`: {exc.strerror or exc}") from exc
    if not _writable(target, st):
        raise KatibLintError(f"cannot fix `{path}`: the file is read-only (nothing was changed)")
    if not _writable(folder, None):
        raise KatibLintError(
            f"cannot fix `{path}`: its folder `{folder}` is read-only, so the file cannot be replaced "
            "atomically (nothing was changed)"
        )
    if expected is not None:
        with open(target, "rb") as fh:
            if fh.read() != expected:
                raise KatibLintError(f"cannot fix `{path}`: the file changed while it was being linted (nothing was changed)")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".katiblint-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass  # only root may give the file away; the content matters more than the owner
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise KatibLintError(f"cannot fix `{path}`: {exc.strerror or exc} (nothing was changed)") from exc


def fixed_bytes(original: bytes, outcome: FixOutcome) -> bytes | None:
    """The bytes to write for `outcome`, or None when nothing changed or the result is unsafe."""
    if not outcome.changed:
        return None
    data = encode_like(original, outcome.text)
    return data if data != original else None


def describe_rejected(outcome: FixOutcome) -> list[str]:
    return [
        f"{d.path}: fix for {d.code} ({d.fix.title if d.fix else ''}) skipped: the result would not parse as YAML"
        for d in outcome.rejected
    ]



@dataclass
class FixRun:
    """What `--fix` / `--diff` did over a set of files."""

    results: list[FileResult] = field(default_factory=list)
    fixed: int = 0
    diffs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stdout: bytes | None = None  # the fixed standard input, for `--fix -`


def fix_files(
    linter: Linter, files: Sequence[str], stdin_name: str | None, *, unsafe: bool, write: bool, stdin: BinaryIO | None = None
) -> FixRun:
    """Lint and fix every file; write them (`write`) or collect unified diffs (otherwise).

    A file that cannot be written is reported in `errors` and left exactly as it was; its
    findings are those of the original text.
    """
    import sys

    run = FixRun()
    for path in files:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read()
            display = stdin_name or "-"
        else:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                run.results.append(linter.lint_path(path))  # reports KAT008 as a normal lint does
                continue
            display = display_path(path)
        result = linter.lint_bytes(data, display)
        if result.source is None or not result.diagnostics:
            run.results.append(result)
            if path == "-" and write:
                run.stdout = data
            continue
        outcome = fix_result(linter, result, unsafe=unsafe)
        run.notes.extend(describe_rejected(outcome))
        new = fixed_bytes(data, outcome)
        if path == "-":
            if write:
                run.stdout = new if new is not None else data
        elif new is not None and write:
            try:
                write_atomic(path, new, expected=data)
            except KatibLintError as exc:
                run.errors.append(str(exc))
                run.results.append(result)
                continue
        if new is not None and not write:
            run.diffs.append(unified_diff(display, outcome.source.text, outcome.text))
        run.fixed += outcome.fixed if new is not None else 0
        run.results.append(outcome.result if (write or new is None) else result)
    return run


def run_fixes(linter: Linter, files: Sequence[str], options: dict[str, object]) -> FixRun:
    """`check --fix` / `--diff`: fix or diff every file; diffs go to stdout, notes to stderr."""
    import sys

    diff_only = bool(options.get("show_diff"))
    run = fix_files(
        linter,
        files,
        options.get("stdin_filename"),  # type: ignore[arg-type]  # a str or None: the --stdin-filename option
        unsafe=bool(options.get("unsafe_fixes")),
        write=not diff_only,
    )
    for line in run.notes + [f"katiblint: error: {e}" for e in run.errors]:
        sys.stderr.write(line + "\n")
    if diff_only:
        sys.stdout.write("".join(run.diffs))
        sys.stdout.flush()
        count = sum(1 for r in run.results for d in r.diagnostics if applicable(d, bool(options.get("unsafe_fixes"))))
        files_changed = len(run.diffs)
        if files_changed:
            sys.stderr.write(
                f"Would fix findings in {files_changed} file{'s' if files_changed != 1 else ''} "
                f"({count} fixable finding{'s' if count != 1 else ''}).\n"
            )
        else:
            sys.stderr.write("No fixes to apply.\n")
    return run


def diff_exit_code(run: FixRun) -> int:
    """`--diff`: 1 when applying fixes would change a file, 0 otherwise, 2 on errors."""
    if run.errors or any(d.code == "KAT006" for r in run.results for d in r.diagnostics):
        return 2
    return 1 if run.diffs else 0

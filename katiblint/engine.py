"""The lint engine: read, load once, pick Experiments, run the selected rules, suppress, sort."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from katiblint import gitops
from katiblint.config import Settings
from katiblint.context import Context
from katiblint.diagnostics import ONCE_PER_RUN, Diagnostic, Severity
from katiblint.loader import Document, LoadProblem, load
from katiblint.model import SERVED_VERSION, Experiment, is_experiment
from katiblint.registry import Rule, discover
from katiblint.source import SourceFile, Span, byte_offset_position, decode
from katiblint.suppress import find_directives, is_suppressed
from katiblint.templating import drop_findings_on_tokens

IO_ERROR = "KAT008"
INTERNAL_ERROR = "KAT006"
UNUSED_SUPPRESSION = "KAT003"
UNSUPPORTED_API = "KAT004"
UNRENDERED = "KAT040"
DEFAULT_EXCLUDES = (".git", ".hg", ".svn", ".tox", ".venv", "venv", "node_modules", "__pycache__")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class FileResult:
    path: str
    source: SourceFile | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    experiments: int = 0


def selected_rules(settings: Settings) -> list[type[Rule]]:
    """The rules `select`/`extend-select`/`ignore` leave on, ordered by code."""
    rules = discover()

    def matches(rule: type[Rule], selectors: Iterable[str]) -> bool:
        for s in selectors:
            if s.upper() == "ALL" or rule.code.startswith(s.upper()) or rule.name == s.lower():
                return True
        return False

    chosen = []
    for rule in rules.values():
        if settings.select:
            on = matches(rule, settings.select)
        else:
            on = rule.default_enabled
        if settings.extend_select and matches(rule, settings.extend_select):
            on = True
        if settings.ignore and matches(rule, settings.ignore):
            on = False
        if rule.code == INTERNAL_ERROR:
            on = True  # internal errors are never hidden
        if on:
            chosen.append(rule)
    return chosen


class Linter:
    """Lints sources with one settings object; rule instances are created once and reused."""

    def __init__(self, settings: Settings, extras: dict[str, object] | None = None) -> None:
        self.settings = settings
        self.rule_classes = selected_rules(settings)
        self.enabled = {r.code for r in self.rule_classes}
        self.rules = [r() for r in self.rule_classes if not r.engine]
        self.extras = extras or {}
        self.all_documents: list[Document] = []

    # -- entry points --------------------------------------------------------------------------

    def lint_path(self, path: str, display: str | None = None) -> FileResult:
        display = display or display_path(path)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            return self._io_error(display, "file not found")
        except IsADirectoryError:
            return self._io_error(display, "is a directory")
        except OSError as exc:
            return self._io_error(display, f"cannot read the file: {exc.strerror or exc}")
        return self.lint_bytes(data, display)

    def lint_bytes(self, data: bytes, display: str) -> FileResult:
        source, error, byte_offset = decode(data, display)
        if source is None:
            line, col = byte_offset_position(data, byte_offset)
            fake = SourceFile(display, data.decode("utf-8", errors="replace"))
            diag = self._make(IO_ERROR, f"{error} at byte {byte_offset}; Kubernetes reads manifests as UTF-8", None)
            start = fake.offset(line, col)
            diag.span = Span(start, start + 1)
            result = FileResult(display, fake)
            if diag.code in self.enabled:
                result.diagnostics.append(diag)
            self._place(result)
            return result
        return self.lint_source(source)

    def lint_text(self, text: str, display: str = "<string>") -> FileResult:
        return self.lint_bytes(text.encode("utf-8"), display)

    def lint_source(self, source: SourceFile) -> FileResult:
        loaded = load(source)
        result = FileResult(source.path, source, documents=loaded.documents)
        diags: list[Diagnostic] = []
        for problem in loaded.problems:
            diags.append(self._from_problem(problem))
        extras, config_problems = gitops.file_extras(self.extras, loaded.documents, source)
        for config_problem in config_problems:  # a malformed katib-config among the linted files
            diags.append(self._make(gitops.INVALID_CONFIG, config_problem.message, Span(config_problem.offset, config_problem.offset + 1),
                                    help="fix the katib-config; until then katiblint checks against the stock one"))
        context = Context(self.settings, source, self.all_documents or loaded.documents, extras)
        for doc in loaded.documents:
            for problem in doc.problems:
                diags.append(self._from_problem(problem, doc.index))
            if doc.root is None or not is_experiment(doc):
                continue
            result.experiments += 1
            diags.extend(self._lint_experiment(doc, context))
        result.diagnostics = self._finish(source, loaded.documents, diags)
        self._place(result)
        return result

    # -- internals -----------------------------------------------------------------------------

    def _lint_experiment(self, doc: Document, context: Context) -> list[Diagnostic]:
        exp = Experiment(doc)
        gitops.attach_template(exp, context)  # a trialSpec kept in a linted ConfigMap
        diags: list[Diagnostic] = []
        api = exp.api_version
        object_name = exp.name
        if api != SERVED_VERSION:
            if UNSUPPORTED_API in self.enabled:
                node = exp.root.get("apiVersion")
                diag = self._make(
                    UNSUPPORTED_API,
                    f"apiVersion `{api}` is not served by Katib; only `{SERVED_VERSION}` is, so the cluster "
                    "rejects this Experiment (no other check was run on it)",
                    node,
                    help=f"migrate the Experiment to `{SERVED_VERSION}` (see the Katib v1beta1 upgrade notes)",
                )
                diag.document, diag.object_name = doc.index, object_name
                diags.append(diag)
            return diags
        for rule in self.rules:
            try:
                for diag in rule.check(exp, context):
                    diag.document = doc.index
                    diag.object_name = object_name
                    diags.append(diag)
            except Exception as exc:  # a bug in a rule must not stop the other rules or files
                import traceback  # only on this path: not paid at start-up

                frame = traceback.extract_tb(exc.__traceback__)[-1]
                where = f"{Path(frame.filename).name}:{frame.lineno}"
                diag = self._make(
                    INTERNAL_ERROR,
                    f"internal error in rule {rule.code} ({rule.name}): {type(exc).__name__}: {exc} [{where}]",
                    exp.root.get("kind") or exp.root,
                    help="please report this with the manifest; the other rules still ran",
                )
                diag.document, diag.object_name = doc.index, object_name
                diags.append(diag)
        # A template's placeholders (`${NAME}`, `{{ IMAGE }}`) are KAT040's single info, not other findings.
        diags = drop_findings_on_tokens(exp, diags, keep=(UNRENDERED, INTERNAL_ERROR))
        return gitops.route(exp, diags, self.extras.setdefault(gitops.PENDING, {}))

    def _make(self, code: str, message: str, node: object, help: str | None = None) -> Diagnostic:
        rule = discover()[code]
        if node is None:
            return rule.report(Span(0, 0), message, help=help)
        return rule.report(node, message, help=help)  # type: ignore[arg-type]

    def _from_problem(self, problem: LoadProblem, document: int | None = None) -> Diagnostic:
        diag = self._make(problem.code, problem.message, problem.span, help=problem.help)
        diag.document = document
        return diag

    def _io_error(self, display: str, message: str) -> FileResult:
        result = FileResult(display, None)
        if IO_ERROR in self.enabled:
            result.diagnostics.append(self._make(IO_ERROR, message, None))
        return result

    def _finish(self, source: SourceFile, documents: list[Document], diags: list[Diagnostic]) -> list[Diagnostic]:
        diags = [d for d in diags if d.code in self.enabled]
        directives = find_directives(source, documents)
        if directives:
            kept = []
            for diag in diags:
                line = source.position(diag.span.start)[0]
                if diag.code == INTERNAL_ERROR or not is_suppressed(directives, diag.code, diag.name, line, diag.span.start):
                    kept.append(diag)
            diags = kept
            if UNUSED_SUPPRESSION in self.enabled:
                registry = discover()
                for directive in directives:
                    for entry in directive.codes:
                        if entry in directive.used:
                            continue
                        rule = registry.get(entry.upper()) or next(
                            (r for r in registry.values() if r.name == entry.lower()), None
                        )
                        if rule is not None and rule.code not in self.enabled:
                            continue  # a disabled rule cannot fire, so its suppression is not stale
                        what = "unknown rule" if rule is None else "no such finding here"
                        diags.append(
                            self._make(
                                UNUSED_SUPPRESSION,
                                f"unused suppression `{entry}` ({what})",
                                directive.span,
                                help="remove it, or correct the rule code",
                            )
                        )
        for diag in diags:  # after suppressions, so that KAT003's own level can be configured too
            level = self.settings.severity.get(diag.code)
            if level is not None:
                diag.severity = level
        # One finding per (rule, place, message): rules that look at shared nodes may repeat.
        unique: dict[tuple[str, int, int, str], Diagnostic] = {}
        for diag in diags:
            unique.setdefault((diag.code, diag.span.start, diag.span.end, diag.message), diag)
        ordered = sorted(unique.values(), key=lambda d: (d.span.start, d.span.end, d.code))
        return once_per_run(ordered, set())

    def _place(self, result: FileResult) -> None:
        source = result.source
        for diag in result.diagnostics:
            diag.path = result.path
            if source is None:
                continue
            start, end = diag.span.start, diag.span.end
            text = source.text
            while end > start + 1 and text[end - 1] in " \t\r\n":
                end -= 1
            diag.start = source.position(start)
            diag.end = source.position(max(end, start))


def once_per_run(diags: list[Diagnostic], seen: set[tuple[str, str]]) -> list[Diagnostic]:
    """Drop findings marked `ONCE_PER_RUN` whose (code, message) is already in `seen` (which grows)."""
    kept = []
    for diag in diags:
        if diag.extra.get(ONCE_PER_RUN):
            key = (diag.code, diag.message)
            if key in seen:
                continue
            seen.add(key)
        kept.append(diag)
    return kept


def dedupe_run(results: Iterable[FileResult]) -> None:
    """The run-wide half of `once_per_run`: the first file (in run order) keeps the finding."""
    seen: set[tuple[str, str]] = set()
    for result in results:
        result.diagnostics = once_per_run(result.diagnostics, seen)


def display_path(path: str) -> str:
    """A path as users see it: relative to the working directory when below it, with `/`."""
    if path == "-":
        return "-"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    if rel.startswith(".."):
        rel = path
    return rel.replace(os.sep, "/")


def is_excluded(path: str, patterns: Sequence[str]) -> bool:
    norm = path.replace(os.sep, "/")
    while norm.startswith("./"):  # `katiblint .` walks `./skip/a.yaml`; `--exclude 'skip/*'` means it
        norm = norm[2:]
    parts = norm.split("/")
    for pattern in patterns:
        while pattern.startswith("./"):
            pattern = pattern[2:]
        if pattern.startswith("**/") and is_excluded(norm, [pattern[3:]]):
            return True  # `**/` also matches no folder at all, as in .gitignore
        if fnmatch.fnmatch(norm, pattern) or any(fnmatch.fnmatch(p, pattern) for p in parts):
            return True
        if fnmatch.fnmatch(norm, pattern.rstrip("/") + "/*"):
            return True
    return False


def collect_files(paths: Sequence[str], excludes: Sequence[str]) -> list[str]:
    """Files to lint: explicit files as given, directories walked for *.yaml / *.yml.

    Symlinked directories are not followed (no loops); excluded names are skipped everywhere.
    """
    files: list[str] = []
    seen: set[str] = set()
    patterns = list(excludes)
    for path in paths:
        if path == "-":
            files.append(path)
            continue
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(
                    d for d in dirs if d not in DEFAULT_EXCLUDES and not is_excluded(os.path.join(root, d), patterns)
                )
                for name in sorted(names):
                    if name.endswith(YAML_SUFFIXES):
                        full = os.path.join(root, name)
                        if not is_excluded(full, patterns) and full not in seen:
                            seen.add(full)
                            files.append(full)
        else:
            if not is_excluded(path, patterns) and path not in seen:
                seen.add(path)
                files.append(path)
    return files


def has_errors(results: Iterable[FileResult], threshold: Severity) -> bool:
    return any(d.severity.rank >= threshold.rank for r in results for d in r.diagnostics)

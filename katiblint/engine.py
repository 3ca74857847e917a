"""The lint engine: read, load once, pick Experiments, run the selected rules, suppress, sort."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from katiblint import triage
from katiblint.katib import cluster as katib_cluster
from katiblint.config import Settings
from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.facts import ConfigRejected, RuleFailed, Unreadable, UnusedSuppression
from katiblint.yaml import Document, LoadProblem, Node, load
from katiblint.katib.experiment import SERVED_VERSION, Experiment, is_experiment
from katiblint.registry import Rule, discover
from katiblint.selector import Selector, matches_any
from katiblint.source import SourceFile, Span, byte_offset_position, decode
from katiblint.suppress import find_directives, is_suppressed
from katiblint.katib.templating import drop_findings_on_tokens
from katiblint.walk import display_path

IO_ERROR = "KAT008"
INTERNAL_ERROR = "KAT006"
UNUSED_SUPPRESSION = "KAT003"
UNRENDERED = "KAT040"


@dataclass
class FileResult:
    path: str
    source: SourceFile | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    experiments: int = 0
    judged: bool = True  # False: the file cannot hold a Katib document and was not parsed
    # Every finding produced for the file, before `Linter.finish` selects, suppresses and orders them.
    raw: list[Diagnostic] = field(default_factory=list, repr=False)
    notices: list[str] = field(default_factory=list)  # what could not be checked, and why (`Context.notices`)


def selected_rules(settings: Settings) -> list[type[Rule]]:
    """The rules `select`/`extend-select`/`ignore` leave on, ordered by code."""
    rules = discover()

    def matches(rule: type[Rule], selectors: tuple[str, ...]) -> bool:
        return matches_any(selectors, rule.code, rule.name)

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

    def __init__(self, settings: Settings, cluster: katib_cluster.Cluster | None = None) -> None:
        self.settings = settings
        self.registry = discover()  # every rule, selected or not (facts are worded by their rule)
        self.rule_classes = selected_rules(settings)
        self.enabled = {r.code for r in self.rule_classes}
        self.rules = [r() for r in self.rule_classes if r.scope == "experiment" and not r.gate]
        # Gates run first on every Experiment, selected or not: they decide whether the others may.
        self.gates = [r() for r in self.registry.values() if r.gate]
        self.cluster = cluster if cluster is not None else katib_cluster.Cluster()
        self.all_documents: list[Document] = []
        self._rules_by_version: dict[str, list[Rule]] = {}

    @property
    def template_paths(self) -> frozenset[str]:
        """Files holding ConfigMaps an Experiment may take its trial template from."""
        maps = self.cluster.template_maps
        return frozenset(m.path for m in maps)

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
        if not (triage.is_relevant(data) or display in self.template_paths):
            return FileResult(display, None, judged=False)  # no Katib document here: not parsed at all
        source, error, byte_offset = decode(data, display)
        if source is None:
            # No code frame: the bytes around an undecodable one are usually binary garbage.
            line, _ = byte_offset_position(data, byte_offset)
            line_start = data.rfind(b"\n", 0, byte_offset) + 1
            col = len(data[line_start:byte_offset].decode("utf-8", errors="replace"))
            diag = self._fact(IO_ERROR, Unreadable(error or "undecodable", byte_offset, line + 1), Span(0, 0))
            diag.path = display
            diag.start = diag.end = (line, col)
            result = FileResult(display, None)
            self.finish(result, [diag])
            return result
        return self.lint_source(source)

    def lint_text(self, text: str, display: str = "<string>") -> FileResult:
        return self.lint_bytes(text.encode("utf-8"), display)

    def lint_source(self, source: SourceFile) -> FileResult:
        loaded = load(source)
        result = FileResult(source.path, source, documents=loaded.documents)
        diags: list[Diagnostic] = []
        for problem in loaded.problems:
            if triage.error_is_judged(source.text, problem.span.start):
                diags.append(self._from_problem(problem))
        cluster, config_problems = katib_cluster.for_file(self.cluster, loaded.documents, source)
        for config_problem in config_problems:  # a malformed katib-config among the linted files
            span = Span(config_problem.offset, config_problem.offset + 1)
            diags.append(self._fact(katib_cluster.INVALID_CONFIG, ConfigRejected(config_problem.message), span))
        context = Context(self.settings, source, self.all_documents or loaded.documents, cluster)
        for doc in loaded.documents:
            if doc.problems and triage.document_is_judged(doc, katib_cluster.is_config_document(doc.root)):
                for problem in doc.problems:
                    diags.append(self._from_problem(problem, doc.index))
            if doc.root is None or not is_experiment(doc):
                continue
            result.experiments += 1
            diags.extend(self._lint_experiment(doc, context))
        result.raw = diags
        result.notices = sorted(context.notices)
        self.finish(result)
        return result

    # -- internals -----------------------------------------------------------------------------

    def rules_for(self, api_version: str | None) -> list[Rule]:
        """The selected rules that understand `api_version` (none given: checked as v1beta1)."""
        if not api_version or api_version == SERVED_VERSION:
            return self.rules
        if api_version not in self._rules_by_version:
            self._rules_by_version[api_version] = [r for r in self.rules if api_version in r.api_versions]
        return self._rules_by_version[api_version]

    def _lint_experiment(self, doc: Document, context: Context) -> list[Diagnostic]:
        exp = Experiment(doc)
        katib_cluster.attach_template(exp, context)  # a trialSpec kept in a linted ConfigMap, or Katib's stock one
        diags = self._check_experiment(exp, doc, context)
        origin = exp.template_origin
        if isinstance(origin, katib_cluster.TemplateOrigin) and origin.stock_key is not None:
            # what the assumed stock content brings is told apart from the findings without any template
            return katib_cluster.assume_stock(exp, diags, self._check_experiment(Experiment(doc), doc, context))
        return katib_cluster.route(exp, diags, self.cluster.pending)

    def _check_experiment(self, exp: Experiment, doc: Document, context: Context) -> list[Diagnostic]:
        diags: list[Diagnostic] = []
        object_name = exp.name
        for gate in self.gates:
            if gate.code in self.enabled:
                for diag in gate.check(exp, context):
                    diag.document, diag.object_name = doc.index, object_name
                    diags.append(diag)
            if gate.stops(exp):
                return diags
        for rule in self.rules_for(exp.api_version):
            try:
                for diag in rule.check(exp, context):
                    diag.document = doc.index
                    diag.object_name = object_name
                    diags.append(diag)
            except Exception as exc:  # a bug in a rule must not stop the other rules or files
                import traceback  # only on this path: not paid at start-up

                frame = traceback.extract_tb(exc.__traceback__)[-1]
                where = f"{Path(frame.filename).name}:{frame.lineno}"
                failed = RuleFailed(rule.code, rule.name, f"{type(exc).__name__}: {exc}", where)
                diag = self._fact(INTERNAL_ERROR, failed, exp.root.get("kind") or exp.root)
                diag.document, diag.object_name = doc.index, object_name
                diags.append(diag)
        # A template's placeholders (`${NAME}`, `{{ IMAGE }}`) are KAT040's single info, not other findings.
        return drop_findings_on_tokens(exp, diags, keep=(UNRENDERED, INTERNAL_ERROR))

    def _fact(self, code: str, fact: tuple[Any, ...], target: Node | Span) -> Diagnostic:
        """A finding the engine or the loader recorded as a fact, in the words of its rule."""
        rule = self.registry[code]
        message, help = rule.describe(fact)
        return rule.report(target, message, help=help)

    def _from_problem(self, problem: LoadProblem, document: int | None = None) -> Diagnostic:
        diag = self._fact(problem.code, problem.fact, problem.span)
        diag.document = document
        return diag

    def _io_error(self, display: str, message: str) -> FileResult:
        result = FileResult(display, None)
        self.finish(result, [self._fact(IO_ERROR, Unreadable(message), Span(0, 0))])
        return result

    def finish(self, result: FileResult, added: Iterable[Diagnostic] = ()) -> None:
        """The one road every finding takes to the report, whatever produced it.

        From the file's raw findings (loader, rules, katib-config, ConfigMap templates of other
        files, `--diff-base`): selection, supersession, suppression (and unused suppressions),
        severity overrides, de-duplication, order and 1-based placing. Adding findings later
        runs it again over all of them, so a suppression used by a late finding is not "unused".
        """
        result.raw.extend(added)
        if result.source is None:
            result.diagnostics = [d for d in result.raw if d.code in self.enabled]
        else:
            result.diagnostics = self._finish(result.source, result.documents, list(result.raw))
        self._place(result)

    def _finish(self, source: SourceFile, documents: list[Document], diags: list[Diagnostic]) -> list[Diagnostic]:
        diags = [d for d in diags if d.code in self.enabled]
        registry = self.registry
        # A finding that another enabled rule reports more precisely at the same place gives way.
        here = {(d.code, d.span.start) for d in diags}
        diags = [d for d in diags if not any((other, d.span.start) in here for other in registry[d.code].superseded_by)]
        directives = find_directives(source, documents)
        if directives:
            kept = []
            for diag in diags:
                line = source.position(diag.span.start)[0]
                if diag.code == INTERNAL_ERROR or not is_suppressed(directives, diag.code, diag.name, line, diag.span.start):
                    kept.append(diag)
            diags = kept
            if UNUSED_SUPPRESSION in self.enabled:
                for directive in directives:
                    for entry in directive.codes:
                        if entry in directive.used:
                            continue
                        named = [r for r in registry.values() if Selector(entry).matches(r.code, r.name)]
                        if named and not any(r.code in self.enabled for r in named):
                            continue  # a disabled rule cannot fire, so its suppression is not stale
                        diags.append(self._fact(UNUSED_SUPPRESSION, UnusedSuppression(entry, bool(named)), directive.span))
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
    """Drop findings marked `once_per_run` whose (code, message) is already in `seen` (which grows)."""
    kept = []
    for diag in diags:
        if diag.once_per_run:
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


def has_errors(results: Iterable[FileResult], threshold: Severity) -> bool:
    return any(d.severity.rank >= threshold.rank for r in results for d in r.diagnostics)

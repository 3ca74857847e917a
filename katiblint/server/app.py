"""The language server: diagnostics, code actions and hover over LSP, on `Linter` and `--fix`'s machinery.

- Diagnostics are published on open and save at once, and on change after a short quiet time
  (`--debounce`). Files the engine does not judge (no Experiment, no katib-config) get none.
- Positions: the engine counts code points; LSP counts UTF-16 code units unless the client
  offers UTF-32 or UTF-8 (`positionEncoding`), which pygls negotiates. `Positions` converts.
- Code actions apply exactly what `--fix` would: a fix's edits spliced by `fixes.splice` and
  parsed back (`fixes.parses`), "fix all" by `fixes.fix_result`; the new text is sent as the one
  edit that turns the old text into it. "Disable for this line" adds `# katiblint: disable=CODE`
  (`suppress.disable_edit`) and is offered only when linting the result shows it works.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from katiblint import __version__
from katiblint.diagnostics import Applicability, Diagnostic, Severity
from katiblint.engine import FileResult, Linter
from katiblint.server.projects import Projects
from katiblint.source import SourceFile

FIX_ALL = "source.fixAll.katiblint"
SYNTAX_ERROR = "KAT001"
INTERNAL_ERROR = "KAT006"
UNUSED_SUPPRESSION = "KAT003"
CONFIG_NAMES = (".katiblint.toml", ".katiblint.yaml", ".katiblint.yml", "pyproject.toml")
# A YAML file whose change may change other files' findings: a katib-config, ConfigMap or Namespace.
PROJECT_MARKERS = (b"ConfigMap", b"KatibConfig", b"katib-config", b"kind: Namespace", b"kind: Profile")

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


# -- positions ------------------------------------------------------------------------------------


class Positions:
    """(line, code-point column) of the engine <-> LSP positions in the negotiated encoding.

    The engine's text has no BOM; an editor's may start with one, which then counts on line 0.
    """

    def __init__(self, text: str, encoding: str) -> None:
        self.lines = [line.rstrip("\r") for line in text.split("\n")]
        self.bom = text.startswith("\ufeff")
        self.encoding = encoding

    def units(self, text: str) -> int:
        if self.encoding == types.PositionEncodingKind.Utf32.value:
            return len(text)
        if self.encoding == types.PositionEncodingKind.Utf8.value:
            return len(text.encode("utf-8", "surrogatepass"))
        return len(text.encode("utf-16-le", "surrogatepass")) // 2

    def position(self, line: int, column: int) -> types.Position:
        if line >= len(self.lines):
            return types.Position(line=len(self.lines) - 1, character=self.units(self.lines[-1]))
        if line == 0 and self.bom:
            column += 1
        return types.Position(line=line, character=self.units(self.lines[line][:column]))

    def range(self, start: tuple[int, int], end: tuple[int, int]) -> types.Range:
        return types.Range(start=self.position(*start), end=self.position(*end))


def _before(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) <= (b.line, b.character)


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Ranges that share a position, ends included (a cursor at either end of a finding counts)."""
    return _before(a.start, b.end) and _before(b.start, a.end)


def one_edit(source: SourceFile, new: str, positions: Positions) -> types.TextEdit:
    """The single edit that turns `source.text` into `new`: the changed middle, never a CR/LF split."""
    old = source.text
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    if head and old[head - 1] == "\r":
        head -= 1
    tail = 0
    while tail < limit - head and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    end_old, end_new = len(old) - tail, len(new) - tail
    if 0 < end_old < len(old) and old[end_old - 1] == "\r" and old[end_old] == "\n":
        end_old, end_new = end_old + 1, end_new + 1
    return types.TextEdit(
        range=positions.range(source.position(head), source.position(end_old)), new_text=new[head:end_new]
    )


def digest(message: str) -> str:
    return hashlib.sha256(message.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# -- state ----------------------------------------------------------------------------------------


@dataclass
class Linted:
    """The last lint of an open document: the text it saw and what it found."""

    uri: str
    version: int | None
    text: str
    linter: Linter
    result: FileResult
    positions: Positions
    published: list[types.Diagnostic]
    edited: dict[str, str | None] = field(default_factory=dict)  # code action -> its text, for this version


class Protocol(LanguageServerProtocol):
    """pygls 2.1 files a future for every notification whose built-in handler is a generator
    (didOpen, didChange, didSave, ...) in `_request_futures`, under a fresh id that no response
    ever removes: one per keystroke, for the life of the server. Drop them once they are done."""

    def _handle_notification(self, method_name: str, params: Any) -> None:
        known = set(self._request_futures)
        super()._handle_notification(method_name, params)
        for key in [k for k in self._request_futures if k not in known]:
            future = self._request_futures[key]
            if future.done():
                del self._request_futures[key]
            else:
                future.add_done_callback(self._forget_request(key))

    def _forget_request(self, key: Any) -> Callable[[Any], None]:
        def forget(_: Any) -> None:
            self._request_futures.pop(key, None)

        return forget


class KatibLanguageServer(LanguageServer):
    def __init__(self, debounce: float) -> None:
        super().__init__("katiblint", __version__, protocol_cls=Protocol)
        self.debounce = debounce
        self.projects = Projects()
        self.linted: dict[str, Linted] = {}
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.nonempty: set[str] = set()  # documents whose last published diagnostics were not empty
        self.told: set[str] = set()  # messages already shown or logged, said once per session

    # -- linting ------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        """The negotiated position encoding: `utf-16`, `utf-32` or `utf-8`."""
        negotiated = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return str(getattr(negotiated, "value", negotiated))

    def folder_of(self, path: str | None) -> str | None:
        """The workspace folder holding `path` (the deepest), else the root, else None."""
        folders = [to_fs_path(f.uri) for f in self.workspace.folders.values()]
        if self.workspace.root_path:
            folders.append(self.workspace.root_path)
        inside = [f for f in folders if f and path and (path == f or path.startswith(f.rstrip(os.sep) + os.sep))]
        if inside:
            return max(inside, key=len)
        return folders[0] if folders else None

    def tell(self, message: str, kind: types.MessageType, show: bool = False) -> None:
        if message in self.told:
            return
        self.told.add(message)
        params = types.ShowMessageParams(type=kind, message=f"katiblint: {message}")
        if show:
            self.window_show_message(params)
        else:
            self.window_log_message(types.LogMessageParams(type=kind, message=params.message))

    def lint(self, uri: str) -> Linted | None:
        """Lint the open document now and publish its diagnostics; None when it cannot be linted."""
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        doc = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) if uri.startswith("file:") else None
        entry = self.projects.entry(path, self.folder_of(path))
        if entry.linter is None:
            self.tell(f"{entry.error}; fix the configuration to see findings", types.MessageType.Error, show=True)
            self.linted.pop(uri, None)
            self.publish(uri, doc.version, [])
            return None
        for notice in entry.notices:
            self.tell(notice, types.MessageType.Info)
        from katiblint.walk import display_path

        text = doc.source
        linter = entry.linter
        result = linter.lint_bytes(text.encode("utf-8", "surrogatepass"), display_path(path) if path else uri)
        linter.cluster.pending.clear()  # findings routed to other files are not shown here
        for notice in result.notices:
            self.tell(notice, types.MessageType.Info)
        positions = Positions(text, self.encoding)
        published = [self.to_lsp(d, positions) for d in result.diagnostics]
        linted = Linted(uri, doc.version, text, linter, result, positions, published)
        self.linted[uri] = linted
        self.publish(uri, doc.version, published)
        return linted

    def current(self, uri: str) -> Linted | None:
        """The lint of the document as it is now (linting it first when an edit is pending)."""
        if uri not in self.workspace.text_documents:
            return None
        linted = self.linted.get(uri)
        doc = self.workspace.get_text_document(uri)
        if linted is None or linted.version != doc.version or linted.text != doc.source or uri in self.timers:
            linted = self.lint(uri)
        return linted

    def publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        if not diagnostics and uri not in self.nonempty:
            return  # nothing to say, and nothing said before to take back
        if diagnostics:
            self.nonempty.add(uri)
        else:
            self.nonempty.discard(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def schedule(self, uri: str) -> None:
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self.timers[uri] = asyncio.get_running_loop().call_later(self.debounce, self.lint_safely, uri)

    def lint_safely(self, uri: str) -> None:
        """Lint from a timer: an unexpected error is logged, never the end of the server."""
        self.timers.pop(uri, None)
        if uri not in self.workspace.text_documents:
            return
        try:
            self.lint(uri)
        except Exception as exc:  # pragma: no cover - the engine reports its own errors as KAT006
            self.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=f"katiblint: cannot lint {uri}: {exc!r}")
            )

    def relint_all(self) -> None:
        self.projects.forget()
        for uri in list(self.workspace.text_documents):
            self.lint_safely(uri)

    @staticmethod
    def to_lsp(diag: Diagnostic, positions: Positions) -> types.Diagnostic:
        from katiblint.docs import doc_for

        doc = doc_for(diag.code)
        return types.Diagnostic(
            range=positions.range(diag.start, diag.end),
            severity=_SEVERITY[diag.severity],
            code=diag.code,
            code_description=types.CodeDescription(href=doc.path.as_uri()) if doc is not None else None,
            source="katiblint",
            message=diag.message,
            tags=[types.DiagnosticTag.Unnecessary] if diag.code == UNUSED_SUPPRESSION else None,
        )

    # -- code actions -------------------------------------------------------------------------

    def lazy_edits(self) -> bool:
        """The client fills in a code action's edit through `codeAction/resolve`."""
        caps = self.client_capabilities.text_document
        action = caps.code_action if caps is not None else None
        support = action.resolve_support if action is not None else None
        return support is not None and "edit" in support.properties

    def workspace_edit(self, uri: str, version: int | None, edit: types.TextEdit) -> types.WorkspaceEdit:
        caps = self.client_capabilities.workspace
        versioned = caps is not None and caps.workspace_edit is not None and bool(caps.workspace_edit.document_changes)
        if versioned:
            ident = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=ident, edits=[edit])])
        return types.WorkspaceEdit(changes={uri: [edit]})

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        linted = self.current(uri)
        if linted is None or linted.result.source is None:
            return []
        only = params.context.only

        def wanted(kind: str) -> bool:
            return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)

        actions: list[types.CodeAction] = []
        fixable = not any(d.code == SYNTAX_ERROR for d in linted.result.diagnostics)  # as --fix: never edit broken YAML
        for diag, lsp in zip(linted.result.diagnostics, linted.published):
            if not overlaps(lsp.range, params.range) or not wanted(types.CodeActionKind.QuickFix):
                continue
            if fixable and diag.fix is not None and diag.fix.edits:
                unsafe = diag.fix.applicability == Applicability.UNSAFE
                title = f"{diag.fix.title} ({diag.code})" + (" [unsafe fix: may change meaning]" if unsafe else "")
                actions.append(self.action(title, "fix", diag, lsp, linted, preferred=not unsafe))
            if diag.code != INTERNAL_ERROR:
                actions.append(self.action(f"Disable {diag.code} for this line", "disable", diag, lsp, linted))
        if wanted(FIX_ALL) and fixable and any(
            d.fix is not None and d.fix.edits and d.fix.applicability == Applicability.SAFE for d in linted.result.diagnostics
        ):
            actions.append(
                types.CodeAction(
                    title="Fix all safely fixable katiblint findings",
                    kind=FIX_ALL,
                    data={"uri": uri, "version": linted.version, "action": "fix-all"},
                )
            )
        if self.lazy_edits():
            return actions
        resolved = [self.resolve(a) for a in actions]
        return [a for a in resolved if a.edit is not None]

    def action(self, title: str, what: str, diag: Diagnostic, lsp: types.Diagnostic, linted: Linted, preferred: bool = False) -> types.CodeAction:
        data = {
            "uri": linted.uri,
            "version": linted.version,
            "action": what,
            "code": diag.code,
            "range": [*diag.start, *diag.end],
            "message": digest(diag.message),
        }
        return types.CodeAction(
            title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[lsp], is_preferred=preferred or None, data=data
        )

    def resolve(self, action: types.CodeAction) -> types.CodeAction:
        """Fill in the edit of an action from `code_actions`, against the document as it is now."""
        data: dict[str, Any] = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri") or ""
        linted = self.current(uri)
        if linted is None or linted.result.source is None:
            return action
        key = repr(sorted((k, str(v)) for k, v in data.items()))
        if key not in linted.edited:  # editors ask again at every cursor move: work it out once per version
            linted.edited[key] = self.new_text(linted, data)
        new = linted.edited[key]
        if new is not None and new != linted.result.source.text:
            edit = one_edit(linted.result.source, new, linted.positions)
            action.edit = self.workspace_edit(uri, linted.version, edit)
        return action

    def new_text(self, linted: Linted, data: dict[str, Any]) -> str | None:
        from katiblint.fix import apply as fixes

        source = linted.result.source
        assert source is not None
        if data.get("action") == "fix-all":
            outcome = fixes.fix_result(linted.linter, linted.result, unsafe=False)
            linted.linter.cluster.pending.clear()
            return outcome.text if outcome.changed else None
        diag = find(linted.result, data)
        if diag is None:
            return None  # the document changed and the finding is gone
        if data.get("action") == "fix":
            if diag.fix is None or not diag.fix.edits:
                return None
            new = fixes.splice(source.text, diag.fix.edits, source.newline)
            # As --fix: a fix whose result does not read back as the same number of documents is dropped.
            documents = fixes.parses(source.text)
            return new if documents is not None and fixes.parses(new) == documents else None
        if data.get("action") == "disable":
            from katiblint.suppress import disable_edit

            edit = disable_edit(source, diag.start[0], diag.code)
            new = fixes.splice(source.text, [edit], source.newline)
            again = linted.linter.lint_bytes(new.encode("utf-8", "surrogatepass"), source.path)
            linted.linter.cluster.pending.clear()
            still = any(d.code == diag.code and d.message == diag.message for d in again.diagnostics)
            broke = any(d.code == SYNTAX_ERROR for d in again.diagnostics)
            return None if still or broke else new
        return None

    # -- hover --------------------------------------------------------------------------------

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        linted = self.current(params.text_document.uri)
        if linted is None:
            return None
        at = types.Range(start=params.position, end=params.position)
        found = [(d, lsp) for d, lsp in zip(linted.result.diagnostics, linted.published) if overlaps(lsp.range, at)]
        if not found:
            return None
        from katiblint.docs import doc_for

        parts = []
        for diag, _ in found:
            doc = doc_for(diag.code)
            head = f"**{diag.code}** `{diag.name}` ({diag.severity.value}): {diag.message}"
            if diag.help:
                head += f"\n\nhelp: {diag.help}"
            parts.append(head + (f"\n\n---\n\n{doc.text.strip()}" if doc is not None else ""))
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
            range=found[0][1].range,
        )


def find(result: FileResult, data: dict[str, Any]) -> Diagnostic | None:
    """The finding a code action was made for: same code, same place, same message."""
    place = list(data.get("range") or [])
    for diag in result.diagnostics:
        if diag.code == data.get("code") and [*diag.start, *diag.end] == place and digest(diag.message) == data.get("message"):
            return diag
    return None


# -- wiring ---------------------------------------------------------------------------------------


def make_server(debounce: float) -> KatibLanguageServer:
    ls = KatibLanguageServer(debounce)

    @ls.feature(types.INITIALIZED)
    def initialized(ls: KatibLanguageServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        if watched is None or not watched.dynamic_registration:
            return  # configuration files are still re-read when they change: see `Projects`
        names = ",".join(CONFIG_NAMES)
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in (f"**/{{{names}}}", "**/*.{yaml,yml}")]
        ls.client_register_capability(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="katiblint-watched-files",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                    )
                ]
            )
        )

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KatibLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint_safely(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KatibLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KatibLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source.encode("utf-8", "surrogatepass")
        if any(marker in text for marker in PROJECT_MARKERS):
            ls.relint_all()  # other documents may use this katib-config or ConfigMap
        else:
            ls.lint_safely(uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KatibLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        timer = ls.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        ls.linted.pop(uri, None)
        ls.publish(uri, None, [])

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: KatibLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = to_fs_path(change.uri) or ""
            if os.path.basename(path) in CONFIG_NAMES or change.type == types.FileChangeType.Deleted:
                ls.relint_all()
                return
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            if any(marker in data for marker in PROJECT_MARKERS):
                ls.relint_all()
                return

    @ls.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: KatibLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.relint_all()

    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True),
    )
    def code_action(ls: KatibLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @ls.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: KatibLanguageServer, action: types.CodeAction) -> types.CodeAction:
        return ls.resolve(action)

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: KatibLanguageServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    @ls.feature(types.SHUTDOWN)
    def shutdown(ls: KatibLanguageServer, params: None) -> None:
        for timer in ls.timers.values():
            timer.cancel()
        ls.timers.clear()

    return ls

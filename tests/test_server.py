"""`katiblint server` as an editor drives it: a real LSP client talking to the real server over stdio.

Every test starts `python -m katiblint server` in a subprocess, initializes it as an editor
would (workspace folder, position encodings, code-action capabilities), and asserts what the
editor shows: published diagnostics (range, severity, code, message), code actions and the text
they produce, hover, and the exit code.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from clirun import BAD, BAD_COLUMN, BAD_LINE, CONFIGMAP, GOOD, ROOT, katiblint

pytestmark = pytest.mark.asyncio(loop_scope="function")

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS

# Three findings: KAT011 (no fix), KAT502 after an emoji on its line (safe fix), KAT201 (safe fix),
# and KAT101 (unsafe fix).
FLOW_PARAMETER = '    - {name: lr, feasibleSpace: {min: "0.01", max: "0.05"}, description: "😀 rate", parameterType: Double}\n'
MIXED = (
    GOOD.replace("name: random\n", "name: My_Experiment\n", 1)
    .replace("algorithmName: random", "algorithmName: Random")
    .replace(
        '    - name: lr\n      parameterType: double\n      feasibleSpace:\n        min: "0.01"\n        max: "0.05"\n',
        FLOW_PARAMETER,
    )
)
EMOJI_LINE = 14  # 0-based line of FLOW_PARAMETER
EMOJI_COLUMN = FLOW_PARAMETER.index("Double")  # in code points; the emoji is one of them


def recording_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics in order and the registrations asked for."""
    client = LanguageClient(converter_factory=default_converter)
    client.published: list[types.PublishDiagnosticsParams] = []  # type: ignore[misc]
    client.registrations: list[types.Registration] = []  # type: ignore[misc]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)  # type: ignore[attr-defined]

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    register_lsp_features(
        client, {**DEFAULT_CLIENT_FEATURES, PUBLISH: publish, types.CLIENT_REGISTER_CAPABILITY: register}
    )
    return client


def server_config(*args: str) -> ClientServerConfig:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return ClientServerConfig(
        server_command=[sys.executable, "-m", "katiblint", "server", *args],
        client_factory=recording_client,
        server_env=env,
    )


@pytest_lsp.fixture(config=server_config("--debounce", "0"))
async def client(lsp_client: LanguageClient):
    yield
    await shutdown(lsp_client)


@pytest_lsp.fixture(config=server_config("--debounce", "2000"))
async def slow_client(lsp_client: LanguageClient):
    yield
    await shutdown(lsp_client)


async def shutdown(client: LanguageClient) -> None:
    if client._server is None or client._server.returncode is not None:
        return
    if client.capabilities is None:  # a test that failed before `initialize`: no session to end
        client._server.kill()
        await client._server.wait()
        return
    await client.shutdown_session()


def capabilities(encodings: list[str] | None = None, resolve: bool = False, versioned: bool = False) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None,
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]) if resolve else None,
            ),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=versioned),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
        ),
    )


async def start(client: LanguageClient, folder: Path, **caps: Any) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(**caps),
            workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name=folder.name)],
            root_uri=folder.as_uri(),
        )
    )


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=version, text=text)
        )
    )
    return uri


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def published(
    client: LanguageClient, uri: str, version: int | None = None, since: int = 0, timeout: float = 15
) -> list[types.Diagnostic]:
    """The first diagnostics published for `uri` (at `version`) after the `since`-th publication."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for params in client.published[since:]:  # type: ignore[attr-defined]
            if params.uri == uri and (version is None or params.version == version):
                return list(params.diagnostics)
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics published for {uri} (version {version})")


async def settle(client: LanguageClient, uri: str) -> None:
    """A request after notifications: its answer comes after everything they caused was sent."""
    await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0))
    )


def summary(diags: list[types.Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    return [(str(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character) for d in diags]


def apply(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    """Apply a workspace edit the way an editor does (LSP positions in UTF-16, the default)."""
    if edit.document_changes:
        [change] = edit.document_changes
        assert isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
        edits = change.edits
    else:
        assert edit.changes is not None
        edits = edit.changes[uri]
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: pos.line])
        line = lines[pos.line]
        units = 0
        for index, char in enumerate(line):
            if units >= pos.character:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


async def actions_at(client: LanguageClient, uri: str, diag: types.Diagnostic, only: list[str] | None = None) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=diag.range.start, end=diag.range.start),  # a cursor, as Neovim sends
            context=types.CodeActionContext(diagnostics=[diag], only=only),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


def by_code(diags: list[types.Diagnostic], code: str) -> types.Diagnostic:
    [found] = [d for d in diags if d.code == code]
    return found


# -- diagnostics ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encodings", "negotiated", "column"),
    [
        (None, "utf-16", EMOJI_COLUMN + 1),  # the emoji is two UTF-16 code units
        (["utf-32", "utf-16"], "utf-32", EMOJI_COLUMN),
        (["utf-8"], "utf-8", EMOJI_COLUMN + 3),  # and four UTF-8 bytes
    ],
    ids=["utf-16-default", "utf-32", "utf-8"],
)
async def test_open_publishes_every_finding_with_range_severity_code_and_message(
    client: LanguageClient, tmp_path: Path, encodings: list[str] | None, negotiated: str, column: int
) -> None:
    result = await start(client, tmp_path, encodings=encodings)
    assert result.capabilities.position_encoding == negotiated
    uri = open_doc(client, tmp_path / "exp.yaml", MIXED)
    diags = await published(client, uri, version=1)
    assert [d.code for d in diags] == ["KAT101", "KAT201", "KAT011", "KAT502"]
    kat502 = by_code(diags, "KAT502")
    assert (kat502.range.start.line, kat502.range.start.character) == (EMOJI_LINE, column)
    assert kat502.range.end.character - kat502.range.start.character == len("Double")
    assert kat502.severity == types.DiagnosticSeverity.Error
    assert kat502.source == "katiblint"
    assert kat502.message == (
        "`parameterType: Double` is not a Katib parameter type (did you mean `double`?); the webhook rejects "
        "the Experiment (`parameterType: Double is not supported`)"
    )
    assert kat502.code_description is not None
    doc = Path(kat502.code_description.href.removeprefix("file://"))
    assert doc.name == "KAT502-invalid-parameter-type.md" and doc.is_file()
    kat011 = by_code(diags, "KAT011")
    assert kat011.severity == types.DiagnosticSeverity.Warning


async def test_the_cli_and_the_server_report_the_same_findings(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    (tmp_path / "bad.yaml").write_text(BAD)
    uri = open_doc(client, tmp_path / "bad.yaml", BAD)
    [diag] = await published(client, uri, version=1)
    assert (diag.code, diag.range.start.line + 1, diag.range.start.character + 1) == ("KAT302", BAD_LINE, BAD_COLUMN)
    run = katiblint("bad.yaml", "--format", "concise", cwd=tmp_path)
    assert f"bad.yaml:{BAD_LINE}:{BAD_COLUMN}: KAT302" in run.out
    assert diag.message in run.out


async def test_yaml_that_is_not_an_experiment_gets_nothing(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    config_map = open_doc(client, tmp_path / "settings.yaml", CONFIGMAP)
    mkdocs = open_doc(client, tmp_path / "mkdocs.yml", "site_name: x\nnav: [\n")  # not even valid YAML
    await settle(client, mkdocs)
    assert client.published == []  # type: ignore[attr-defined]
    assert config_map not in client.diagnostics


async def test_a_byte_order_mark_counts_on_the_first_line(client: LanguageClient, tmp_path: Path) -> None:
    """The engine reads text without its BOM; an editor's line 0 still has it."""
    await start(client, tmp_path)
    text = "\ufeff" + GOOD.replace("kubeflow.org/v1beta1", "kubeflow.org/v1beta")
    uri = open_doc(client, tmp_path / "exp.yaml", text)
    [diag] = await published(client, uri, version=1)
    column = text.index("kubeflow.org/v1beta")  # the BOM is character 0
    assert summary([diag]) == [("KAT004", 0, column, 0, column + len("kubeflow.org/v1beta"))]
    [disable] = await actions_at(client, uri, diag)
    assert disable.edit is not None
    assert apply(text, disable.edit, uri).split("\n")[0] == "\ufeffapiVersion: kubeflow.org/v1beta  # katiblint: disable=KAT004"


# -- editing ----------------------------------------------------------------------------------------


async def test_edits_are_linted_once_after_a_quiet_time_and_save_lints_at_once(slow_client: LanguageClient, tmp_path: Path) -> None:
    client = slow_client
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "exp.yaml", GOOD)
    await settle(client, uri)
    assert client.published == []  # type: ignore[attr-defined]  # a clean Experiment: nothing to say
    # Five quick edits (typing `--bs=...` in one go): one lint, of the last text.
    typed = BAD.splitlines(keepends=True)[BAD_LINE - 1]
    line = types.Position(line=BAD_LINE - 1, character=0)
    for version, chunk in enumerate([typed[:10], typed[10:20], typed[20:30], typed[30:40], typed[40:]], start=2):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=line, end=line), text=chunk
                    )
                ],
            )
        )
        line = types.Position(line=BAD_LINE - 1, character=line.character + len(chunk)) if not chunk.endswith("\n") else types.Position(line=BAD_LINE, character=0)
    diags = await published(client, uri)
    assert [p.version for p in client.published] == [6]  # type: ignore[attr-defined]
    assert summary(diags) == [("KAT302", BAD_LINE - 1, BAD_COLUMN - 1, BAD_LINE - 1, BAD_COLUMN - 1 + len("${trialParameters.batchSize}"))]
    # An edit, then a save before the quiet time is over: the save lints the edited text at once.
    count = len(client.published)  # type: ignore[attr-defined]
    replace_all(client, uri, GOOD, 7)
    started = time.monotonic()
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await published(client, uri, version=7, since=count) == []  # the finding is taken back
    assert time.monotonic() - started < 1.5  # not the 2 s quiet time


async def test_a_file_that_stops_being_yaml_mid_edit(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "exp.yaml", BAD)
    assert [d.code for d in await published(client, uri, version=1)] == ["KAT302"]
    # Half-typed flow sequence: a YAML syntax error, on the line where the parser gave up.
    broken = BAD.replace("  maxTrialCount: 4\n", "  maxTrialCount: [4\n")
    replace_all(client, uri, broken, 2)
    [syntax] = await published(client, uri, version=2)
    assert syntax.code == "KAT001" and syntax.severity == types.DiagnosticSeverity.Error
    assert syntax.message == "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"
    assert summary([syntax]) == [("KAT001", 13, 12, 13, 13)]  # where the parser gave up: `parameters:`
    # No fix edits a file that is not YAML (as `--fix`).
    titles = [a.title for a in await actions_at(client, uri, syntax)]
    assert all(t.startswith("Disable ") for t in titles), titles
    # Nothing left of an Experiment: the file is no longer katiblint's, its findings go.
    replace_all(client, uri, "}}}{{{ notes\n", 3)
    assert await published(client, uri, version=3) == []
    replace_all(client, uri, BAD, 4)
    assert [d.code for d in await published(client, uri, version=4)] == ["KAT302"]


# -- code actions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("resolve", [False, True], ids=["eager", "resolved"])
async def test_quick_fix_applies_the_same_edit_as_fix_and_is_relinted(client: LanguageClient, tmp_path: Path, resolve: bool) -> None:
    await start(client, tmp_path, resolve=resolve, versioned=resolve)
    uri = open_doc(client, tmp_path / "exp.yaml", MIXED)
    diags = await published(client, uri, version=1)
    kat502 = by_code(diags, "KAT502")
    actions = await actions_at(client, uri, kat502)
    titles = [a.title for a in actions]
    assert titles == ["use `double` (KAT502)", "Disable KAT502 for this line", "Fix all safely fixable katiblint findings"]
    fix = actions[0]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics and fix.diagnostics[0].code == "KAT502"
    assert actions[2].kind == "source.fixAll.katiblint"
    if resolve:
        assert all(a.edit is None and a.data for a in actions)
        fix = await client.code_action_resolve_async(fix)
    assert fix.edit is not None
    fixed = apply(MIXED, fix.edit, uri)
    assert fixed == MIXED.replace("parameterType: Double}", "parameterType: double}")
    count = len(client.published)  # type: ignore[attr-defined]
    replace_all(client, uri, fixed, 2)
    assert [d.code for d in await published(client, uri, version=2, since=count)] == ["KAT101", "KAT201", "KAT011"]


async def test_unsafe_fixes_are_offered_as_such_never_preferred(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "exp.yaml", MIXED)
    kat101 = by_code(await published(client, uri, version=1), "KAT101")
    [fix, disable, _] = await actions_at(client, uri, kat101)
    assert fix.title == "rename to `my-experiment` (KAT101) [unsafe fix: may change meaning]"
    assert not fix.is_preferred
    assert disable.title == "Disable KAT101 for this line"
    # Only the unsafe fix's own finding is in range: the others are not offered here.
    assert [a.title for a in await actions_at(client, uri, kat101, only=[types.CodeActionKind.QuickFix])] == [fix.title, disable.title]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
async def test_fix_all_gives_the_text_katiblint_fix_writes(client: LanguageClient, tmp_path: Path, newline: str) -> None:
    await start(client, tmp_path)
    text = MIXED.replace("\n", newline)
    path = tmp_path / "exp.yaml"
    path.write_bytes(text.encode("utf-8"))
    uri = open_doc(client, path, text)
    diags = await published(client, uri, version=1)
    [fix_all] = await actions_at(client, uri, by_code(diags, "KAT011"), only=["source.fixAll"])
    assert fix_all.title == "Fix all safely fixable katiblint findings" and fix_all.edit is not None
    fixed = apply(text, fix_all.edit, uri)
    run = katiblint("--fix", "exp.yaml", cwd=tmp_path)
    assert run.code == 1, run.both  # KAT011 and KAT101 (unsafe) are left
    assert fixed == path.read_bytes().decode("utf-8")
    assert "algorithmName: random" in fixed and "parameterType: double}" in fixed and "My_Experiment" in fixed
    replace_all(client, uri, fixed, 2)
    assert [d.code for d in await published(client, uri, version=2)] == ["KAT101", "KAT011"]


async def test_disable_for_this_line_inserts_the_suppression_comment(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "exp.yaml", MIXED)
    kat201 = by_code(await published(client, uri, version=1), "KAT201")
    [_, disable, _] = await actions_at(client, uri, kat201)
    assert disable.title == "Disable KAT201 for this line" and disable.edit is not None
    once = apply(MIXED, disable.edit, uri)
    assert "    algorithmName: Random  # katiblint: disable=KAT201\n" in once
    replace_all(client, uri, once, 2)
    diags = await published(client, uri, version=2)
    assert [d.code for d in diags] == ["KAT101", "KAT011", "KAT502"]  # and no KAT003: the comment is used
    # A second rule on a line that already has a directive joins it.
    kat502 = by_code(diags, "KAT502")
    [_, disable, _] = await actions_at(client, uri, kat502)
    twice = apply(once, disable.edit, uri)  # type: ignore[arg-type]
    assert twice.splitlines()[EMOJI_LINE] == FLOW_PARAMETER.rstrip("\n") + "  # katiblint: disable=KAT502"
    assert [line for i, line in enumerate(twice.splitlines()) if i != EMOJI_LINE] == [
        line for i, line in enumerate(once.splitlines()) if i != EMOJI_LINE
    ]


async def test_no_disable_comment_where_it_would_be_text(client: LanguageClient, tmp_path: Path) -> None:
    """A finding inside a block scalar: a `#` there is part of the value, so no such action."""
    await start(client, tmp_path)
    text = BAD.replace(
        '                  - "--bs=${trialParameters.batchSize}"\n',
        "                  - |-\n                    --bs=${trialParameters.batchSize}\n",
    )
    uri = open_doc(client, tmp_path / "exp.yaml", text)
    [diag] = await published(client, uri, version=1)
    assert diag.code == "KAT302" and diag.range.start.line == BAD_LINE
    titles = [a.title for a in await actions_at(client, uri, diag)]
    assert not [t for t in titles if t.startswith("Disable")], titles


# -- hover ------------------------------------------------------------------------------------------


async def test_hover_on_a_finding_shows_its_rule_documentation(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "exp.yaml", MIXED)
    kat201 = by_code(await published(client, uri, version=1), "KAT201")
    inside = types.Position(line=kat201.range.start.line, character=kat201.range.start.character + 2)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=inside)
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    text = hover.contents.value
    assert text.startswith(f"**KAT201** `unknown-algorithm` (error): {kat201.message}")
    doc = (ROOT / "rules" / "KAT201-unknown-algorithm.md").read_text(encoding="utf-8").strip()
    assert doc in text
    assert hover.range == kat201.range
    nowhere = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=1, character=0))
    )
    assert nowhere is None


# -- configuration ----------------------------------------------------------------------------------


async def test_configuration_is_found_for_the_workspace_and_reloaded_when_it_changes(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('ignore = ["KAT502"]\n')
    (tmp_path / "experiments").mkdir()
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "experiments" / "exp.yaml", MIXED)
    assert [d.code for d in await published(client, uri, version=1)] == ["KAT101", "KAT201", "KAT011"]
    await settle(client, uri)
    [registration] = client.registrations  # type: ignore[attr-defined]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    # The editor reports the change: the open document is linted again with the new settings.
    count = len(client.published)  # type: ignore[attr-defined]
    (tmp_path / ".katiblint.toml").write_text('ignore = ["KAT011"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(tmp_path / ".katiblint.toml").as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    assert [d.code for d in await published(client, uri, since=count)] == ["KAT101", "KAT201", "KAT502"]
    # An editor that reports nothing: the next lint reads the changed file anyway.
    count = len(client.published)  # type: ignore[attr-defined]
    (tmp_path / ".katiblint.toml").write_text('ignore = ["KAT011", "KAT101"]\n# a longer file\n')
    replace_all(client, uri, MIXED + "\n", 2)
    assert [d.code for d in await published(client, uri, version=2, since=count)] == ["KAT201", "KAT502"]


async def test_a_broken_configuration_is_shown_naming_file_and_line(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('select = ["KAT502"]\nignroe = ["KAT011"]\n')
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "exp.yaml", MIXED)
    await settle(client, uri)
    [message] = client.messages
    assert message.type == types.MessageType.Error
    assert f"{tmp_path / '.katiblint.toml'}:2: `ignroe`: unknown option (did you mean `ignore`?)" in message.message
    assert uri not in client.diagnostics


KATIB_CONFIG = """\
apiVersion: config.kubeflow.org/v1beta1
kind: KatibConfig
runtime:
  suggestions:
    - algorithmName: random
      image: ghcr.io/kubeflow/katib/suggestion-hyperopt:latest
    - algorithmName: house-bayes
      image: registry.example.com/katib/suggestion-skopt:v0.17.0
"""


async def test_a_katib_config_in_the_workspace_is_used_as_the_cli_uses_it(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text("")
    (tmp_path / "cluster").mkdir()
    (tmp_path / "cluster" / "katib-config.yaml").write_text(KATIB_CONFIG)
    (tmp_path / "experiments").mkdir()
    custom = GOOD.replace("algorithmName: random", "algorithmName: house-bayes")
    typo = GOOD.replace("algorithmName: random", "algorithmName: randon")
    (tmp_path / "experiments" / "custom.yaml").write_text(custom)
    await start(client, tmp_path)
    custom_uri = open_doc(client, tmp_path / "experiments" / "custom.yaml", custom)
    typo_uri = open_doc(client, tmp_path / "experiments" / "typo.yaml", typo)  # not saved yet
    [diag] = await published(client, typo_uri, version=1)
    assert diag.code == "KAT201" and "`randon`" in diag.message
    await settle(client, custom_uri)
    assert custom_uri not in client.diagnostics  # the cluster serves `house-bayes`
    run = katiblint("experiments/custom.yaml", cwd=tmp_path)
    assert run.code == 0, run.both
    # The cluster stops serving it: saved on disk, reported by the editor.
    count = len(client.published)  # type: ignore[attr-defined]
    (tmp_path / "cluster" / "katib-config.yaml").write_text(KATIB_CONFIG.replace("house-bayes", "house-tpe"))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(tmp_path / "cluster" / "katib-config.yaml").as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    [diag] = await published(client, custom_uri, since=count)
    assert diag.code == "KAT201" and "`house-bayes`" in diag.message


async def test_a_document_that_is_not_a_file_is_linted_with_the_workspace_settings(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".katiblint.toml").write_text('ignore = ["KAT011"]\n')
    await start(client, tmp_path)
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=MIXED)
        )
    )
    assert [d.code for d in await published(client, uri, version=1)] == ["KAT101", "KAT201", "KAT502"]


# -- lifecycle --------------------------------------------------------------------------------------


async def test_shutdown_then_exit_ends_the_server_with_code_0(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "exp.yaml", BAD)
    await published(client, uri, version=1)
    replace_all(client, uri, GOOD, 2)  # an edit still waiting for its lint does not hold the exit up
    await client.shutdown_session()
    assert client._server is not None and client._server.returncode == 0


async def test_without_the_server_extra_the_command_says_what_to_install() -> None:
    code = "import sys; sys.modules['pygls'] = None; from katiblint.cli import main; sys.exit(main(['server']))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    import subprocess

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == (
        "katiblint: error: `katiblint server` needs pygls: install katiblint with its `server` extra "
        "(in a clone of katiblint: `python3 -m pip install '.[server]'`)\n"
    )


async def test_the_language_server_benchmark_runs() -> None:
    """`python bench/lsp.py` as documented (a smoke run: a few edits, nothing written)."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "lsp.py"), "--edits", "3", "--no-write"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    from katiblint.server import DEFAULT_DEBOUNCE_MS

    rows = [line for line in proc.stdout.splitlines() if line.startswith(f"| {DEFAULT_DEBOUNCE_MS} ms (default) | 3 |")]
    assert len(rows) == 1 and rows[0].endswith(("median under 30 ms: met |", "median under 30 ms: not met |"))

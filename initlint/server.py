"""``initlint server``: the findings and fixes in an editor, over the Language Server Protocol on stdio.

Diagnostics are published when a document is opened, changed or saved; code actions offer each fix (safe
ones as quick fixes, unsafe ones as separate actions that say so), a ``# noqa`` for the line, and all safe
fixes at once as ``source.fixAll.initlint``. Settings come from the ``[tool.initlint]`` table of the
nearest pyproject.toml above the document, as for ``initlint check`` run there. The document is sent whole
on every change (full sync: no line model of the client's to trust); ``incremental`` re-parses and
re-analyses only the top-level statements an edit can reach. pygls is imported here only, so ``initlint check`` never
needs it.
"""

from __future__ import annotations

import enum
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from initlint import __version__
from initlint.analysis import fix_source
from initlint.config import ConfigError, Settings, find_config, load_settings
from initlint.findings import Finding, structured
from initlint.fix import apply_edits
from initlint.incremental import IncrementalChecker
from initlint.lexer import split_lines
from initlint.noqa import NOT_SUPPRESSIBLE, add_noqa_to_source
from initlint.registry import RULES, rule_url

SOURCE = "initlint"
FIX_ALL = f"{lsp.CodeActionKind.SourceFixAll.value}.{SOURCE}"
PYTHON_SUFFIXES = (".py", ".pyi")
_SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "internal": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
    "note": lsp.DiagnosticSeverity.Information,
    "hint": lsp.DiagnosticSeverity.Hint,
}
# How a message cites a layer (checks.common.layer_label): "`fc` (Linear(256, 256), line 7)".
_LAYER_CITED = re.compile(r"`([^`]+)` \((\w+\([^()]*\)), line (\d+)\)")
_TAGS = {"IL002": [lsp.DiagnosticTag.Unnecessary], "IL402": [lsp.DiagnosticTag.Deprecated]}

log = logging.getLogger(__name__)


# -- positions: ours are 1-based rows and code-point columns; the client counts in its encoding's units ------

def _units(text: str, encoding: str) -> int:
    if encoding == lsp.PositionEncodingKind.Utf32:
        return len(text)
    if encoding == lsp.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_position(lines: list[str], row: int, column: int, encoding: str) -> lsp.Position:
    if row - 1 >= len(lines):
        return lsp.Position(line=len(lines), character=0)
    line = lines[max(row, 1) - 1].rstrip("\r\n")
    return lsp.Position(line=max(row, 1) - 1, character=_units(line[: max(column, 1) - 1], encoding))


def from_position(lines: list[str], position: lsp.Position, encoding: str) -> tuple[int, int]:
    """A client position as our (row, column)."""
    if position.line >= len(lines):
        return len(lines) + 1, 1
    line = lines[position.line].rstrip("\r\n")
    count = 0
    for index, char in enumerate(line):
        if count >= position.character:
            return position.line + 1, index + 1
        count += _units(char, encoding)
    return position.line + 1, len(line) + 1


def _range(lines: list[str], start: tuple[int, int], end: tuple[int, int], encoding: str) -> lsp.Range:
    return lsp.Range(start=to_position(lines, *start, encoding), end=to_position(lines, *end, encoding))


# -- the state: settings per project, the last findings per document --------------------------------------

@dataclass
class Document:
    uri: str
    version: int | None
    text: str
    filename: str
    settings: Settings
    findings: list[Finding] = field(default_factory=list)


class Linter:
    """What the server knows between messages: the settings of each project (re-read when its
    pyproject.toml changes) and what each open document was last found to hold (``incremental``: an edit
    re-checks only what it can reach)."""

    def __init__(self) -> None:
        self.checker = IncrementalChecker()
        self.documents: dict[str, Document] = {}
        self._settings: dict[tuple[str, float], Settings] = {}
        self.problems: list[str] = []  # configuration errors to show the user, once each

    def settings_for(self, path: Path | None) -> Settings:
        """The settings ``initlint check`` would use in the document's directory; the defaults (and a message
        to show) when its configuration is broken."""
        try:
            config = find_config((path.parent if path else Path.cwd()).resolve())
            if config is None:
                return Settings()
            key = (str(config), config.stat().st_mtime)
            if key not in self._settings:
                self._settings[key] = load_settings(str(config))
            return self._settings[key]
        except (ConfigError, OSError) as error:
            message = f"initlint: {error}; using the default settings"
            if message not in self.problems:
                self.problems.append(message)
            return Settings()

    def lint(self, uri: str, version: int | None, text: str) -> Document:
        path = to_fs_path(uri)
        settings = self.settings_for(Path(path) if path else None)
        document = Document(uri, version, text, path or uri, settings)
        if not (path and settings.excluded(path)):
            document.findings = self.checker.check(uri, text, document.filename, settings)
        self.documents[uri] = document
        return document


# -- findings as diagnostics, fixes as code actions ------------------------------------------------------

def related(finding: Finding, uri: str, lines: list[str],
            encoding: str) -> list[lsp.DiagnosticRelatedInformation] | None:
    """The finding's secondary spans (where its layer is built, where the activation is applied); for a
    finding still told as prose, where each layer its message names is built (the message cites its line)."""
    out = []
    for span in finding.spans:
        if not 1 <= span.row <= len(lines):
            continue
        where = _range(lines, (span.row, span.column), (span.end_row, span.end_column), encoding)
        out.append(lsp.DiagnosticRelatedInformation(location=lsp.Location(uri=uri, range=where), message=span.label))
    if out:
        return out
    for match in _LAYER_CITED.finditer(finding.message):
        row = int(match.group(3))
        if not 1 <= row <= len(lines):
            continue
        line = lines[row - 1].rstrip("\r\n")
        where = _range(lines, (row, len(line) - len(line.lstrip()) + 1), (row, len(line) + 1), encoding)
        out.append(lsp.DiagnosticRelatedInformation(location=lsp.Location(uri=uri, range=where),
                                                    message=f"`{match.group(1)}` ({match.group(2)}) is built here"))
    return out or None


def _message(finding: Finding) -> str:
    """The title, then the help on its own line (the notes are the rule page's and the hover's business)."""
    full = structured(finding)
    return f"{full.title}\nhelp: {full.help}" if full.help else str(full.title)


def diagnostic(finding: Finding, uri: str, lines: list[str], encoding: str) -> lsp.Diagnostic:
    known = finding.code in RULES
    return lsp.Diagnostic(
        range=_range(lines, (finding.row, finding.column), (finding.end_row, finding.end_column), encoding),
        message=_message(finding),
        severity=_SEVERITY.get(finding.severity, lsp.DiagnosticSeverity.Error),
        code=finding.code,
        code_description=lsp.CodeDescription(href=rule_url(finding.code)) if known else None,
        source=SOURCE,
        tags=_TAGS.get(finding.code),
        related_information=related(finding, uri, lines, encoding),
        data={"fix": finding.fix["applicability"] if finding.fix else None},
    )


def _edit(document: Document, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    identifier = lsp.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version)
    return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(text_document=identifier, edits=edits)])


def _fix_action(document: Document, finding: Finding, lines: list[str], encoding: str) -> lsp.CodeAction | None:
    assert finding.fix is not None
    fixed, applied = apply_edits(document.text, [finding], unsafe=True)
    try:
        compile(fixed, document.filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None  # a fix that would break the file is never offered (``--fix`` drops it too)
    if not applied:
        return None
    edits = [lsp.TextEdit(range=_range(lines, (e["location"]["row"], e["location"]["column"]),
                                       (e["end_location"]["row"], e["end_location"]["column"]), encoding),
                          new_text=e["content"])
             for e in finding.fix["edits"]]
    message = finding.fix["message"]
    if finding.fix["applicability"] == "safe":
        return lsp.CodeAction(title=f"Fix {finding.code}: {message}", kind=lsp.CodeActionKind.QuickFix,
                              diagnostics=[diagnostic(finding, document.uri, lines, encoding)], is_preferred=True,
                              edit=_edit(document, edits))
    # Unsafe: it changes the numbers the model starts from, so never a quick fix an editor may apply alone.
    return lsp.CodeAction(title=f"Unsafe fix {finding.code} (changes the initial weights): {message}",
                          kind=lsp.CodeActionKind.RefactorRewrite,
                          diagnostics=[diagnostic(finding, document.uri, lines, encoding)], edit=_edit(document, edits))


def _noqa_action(document: Document, finding: Finding, lines: list[str], encoding: str) -> lsp.CodeAction | None:
    if finding.code in NOT_SUPPRESSIBLE or finding.row > len(lines):
        return None
    text, count = add_noqa_to_source(document.text, {finding.row: {finding.code}})
    if not count:
        return None
    new_line = split_lines(text)[finding.row - 1].rstrip("\r\n")
    old_line = lines[finding.row - 1].rstrip("\r\n")
    edit = lsp.TextEdit(range=_range(lines, (finding.row, 1), (finding.row, len(old_line) + 1), encoding),
                        new_text=new_line)
    return lsp.CodeAction(title=f"Suppress {finding.code} on this line (# noqa)", kind=lsp.CodeActionKind.QuickFix,
                          diagnostics=[diagnostic(finding, document.uri, lines, encoding)], edit=_edit(document, [edit]))


def _fix_all_action(document: Document, lines: list[str], encoding: str) -> lsp.CodeAction | None:
    if not any(f.fix is not None and f.fix["applicability"] == "safe" for f in document.findings):
        return None
    fixed, count, _ = fix_source(document.text, document.filename, document.settings, unsafe=False)
    if not count or fixed == document.text:
        return None
    whole = lsp.TextEdit(range=lsp.Range(start=lsp.Position(line=0, character=0),
                                         end=to_position(lines, len(lines) + 1, 1, encoding)), new_text=fixed)
    return lsp.CodeAction(title="Fix all safe initlint findings", kind=FIX_ALL, edit=_edit(document, [whole]))


def code_actions(document: Document, request: lsp.Range, only: list[str] | None,
                 encoding: str) -> list[lsp.CodeAction]:
    lines = split_lines(document.text)
    first, _ = from_position(lines, request.start, encoding)
    last, _ = from_position(lines, request.end, encoding)

    def wanted(kind: str) -> bool:
        return not only or any(kind == o or kind.startswith(o + ".") for o in only)

    actions: list[lsp.CodeAction | None] = []
    for finding in document.findings:
        if finding.row > last or finding.end_row < first:
            continue
        if finding.fix is not None:
            actions.append(_fix_action(document, finding, lines, encoding))
        actions.append(_noqa_action(document, finding, lines, encoding))
    if only and wanted(FIX_ALL):  # a whole re-check: only when the client asks for source actions
        actions.append(_fix_all_action(document, lines, encoding))
    return [a for a in actions if a is not None and wanted(_kind(a.kind))]


def _kind(value: object) -> str:
    """An lsprotocol enum member's string (``str()`` of one gives its Python name)."""
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


# -- the server --------------------------------------------------------------------------------------------

def create_server() -> LanguageServer:
    server = LanguageServer(SOURCE, __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
    linter = Linter()

    def encoding(ls: LanguageServer) -> str:
        return _kind(ls.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)

    def publish(ls: LanguageServer, uri: str) -> None:
        text_document = ls.workspace.get_text_document(uri)
        path = to_fs_path(uri) or ""
        if text_document.language_id not in (None, "python") and not path.endswith(PYTHON_SUFFIXES):
            return
        document = linter.lint(uri, text_document.version, text_document.source)
        while linter.problems:
            ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning,
                                                         message=linter.problems.pop(0)))
        lines = split_lines(document.text)
        diagnostics = [diagnostic(f, uri, lines, encoding(ls)) for f in document.findings]
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=document.version, diagnostics=diagnostics))

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)  # a save may follow a change of pyproject.toml

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        linter.documents.pop(params.text_document.uri, None)
        linter.checker.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                          diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=[
        lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.RefactorRewrite, FIX_ALL]))
    def code_action(ls: LanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        document = linter.documents.get(params.text_document.uri)
        if document is None:
            return []
        only: Any = params.context.only
        return code_actions(document, params.range, [_kind(k) for k in only] if only else None, encoding(ls))

    return server


def serve() -> None:
    """Speak LSP on stdin/stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING)  # to stderr: stdout carries the protocol
    create_server().start_io()

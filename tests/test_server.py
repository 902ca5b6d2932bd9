"""``initlint server``: a real LSP session against the server process, and its latency on a large file."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import BAD_MODEL
from lsp_client import LspClient, apply_edits

from initlint.analysis import check_source
from initlint.config import Settings
from initlint.incremental import IncrementalChecker
from initlint.registry import rule_url
from initlint.reparse import PieceParser, top_level_pieces

pytest.importorskip("pygls")

# IL101 (an unsafe fix) on line 9 and IL402 (a safe fix) on line 10.
SOURCE = BAD_MODEL.replace("        nn.init.xavier_uniform_(self.fc.weight)\n",
                           "        nn.init.xavier_uniform_(self.fc.weight)\n        nn.init.constant(self.fc.bias, 0.0)\n")
PUBLISH = "textDocument/publishDiagnostics"
CAPABILITIES = {"general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
                                 "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                                     "quickfix", "refactor.rewrite", "source.fixAll"]}}}}}


def start(cwd: Path) -> LspClient:
    client = LspClient(cwd)
    result = client.request("initialize", {"processId": None, "rootUri": cwd.as_uri(), "capabilities": CAPABILITIES})
    capabilities = result["capabilities"]
    assert capabilities["textDocumentSync"]["change"] == 1  # full: the client's line model is never trusted
    assert {"quickfix", "refactor.rewrite", "source.fixAll.initlint"} <= \
        set(capabilities["codeActionProvider"]["codeActionKinds"])
    assert result["serverInfo"]["name"] == "initlint"
    client.notify("initialized", {})
    return client


def open_document(client: LspClient, path: Path, text: str) -> list[dict[str, Any]]:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                            "text": text}})
    return client.wait_for(PUBLISH, lambda p: p["uri"] == uri and p.get("version") == 1)["diagnostics"]


def change(client: LspClient, path: Path, version: int, text: str) -> list[dict[str, Any]]:
    uri = path.as_uri()
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [{"text": text}]})
    return client.wait_for(PUBLISH, lambda p: p["uri"] == uri and p.get("version") == version)["diagnostics"]


def actions_for(client: LspClient, path: Path, diagnostic: dict[str, Any], only: list[str] | None = None) -> list[Any]:
    context: dict[str, Any] = {"diagnostics": [diagnostic]}
    if only:
        context["only"] = only
    return client.request("textDocument/codeAction", {"textDocument": {"uri": path.as_uri()},
                                                      "range": diagnostic["range"], "context": context})


def apply(text: str, action: dict[str, Any], version: int) -> str:
    [change_] = action["edit"]["documentChanges"]
    assert change_["textDocument"]["version"] == version  # a stale edit is refused by the client
    return apply_edits(text, change_["edits"])


def test_session_diagnostics_code_actions_and_clean_after_the_fixes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.initlint]\nignore = ["IL103"]\n', encoding="utf-8")
    path = tmp_path / "model.py"
    path.write_text(SOURCE, encoding="utf-8")
    client = start(tmp_path)
    try:
        diagnostics = open_document(client, path, SOURCE)
        by_code = {d["code"]: d for d in diagnostics}
        assert sorted(by_code) == ["IL101", "IL402"]
        il101, il402 = by_code["IL101"], by_code["IL402"]
        assert il101["range"] == {"start": {"line": 8, "character": 8}, "end": {"line": 8, "character": 47}}
        assert il402["range"]["start"] == {"line": 9, "character": 8}
        for item in diagnostics:
            # severity by rule: a mismatch is a warning, a deprecated spelling information
            assert item["severity"] == {"IL101": 2, "IL402": 3}[item["code"]] and item["source"] == "initlint"
            title, help_line = item["message"].split("\n")  # the title, then the one call to write
            assert len(title) < 100 and help_line.startswith("help: ")
            assert item["codeDescription"]["href"] == rule_url(item["code"])
            assert item["codeDescription"]["href"].endswith(f"/rules/{item['code']}-" +
                                                            {"IL101": "rectifier-needs-he.md",
                                                             "IL402": "deprecated-init-alias.md"}[item["code"]])
        assert il402["tags"] == [2]  # Deprecated
        [built] = il101["relatedInformation"]  # the finding's secondary span: where its layer is built
        assert built["location"] == {"uri": path.as_uri(), "range": {"start": {"line": 6, "character": 18},
                                                                      "end": {"line": 6, "character": 37}}}
        assert built["message"] == "`fc` (Linear(256, 256)) is built here"

        # The safe fix is a preferred quick fix; applying it leaves the IL101.
        actions = actions_for(client, path, il402)
        [safe] = [a for a in actions if a["title"].startswith("Fix IL402")]
        assert safe["kind"] == "quickfix" and safe["isPreferred"] is True
        assert any(a["title"] == "Suppress IL402 on this line (# noqa)" for a in actions)
        text = apply(SOURCE, safe, 1)
        assert "nn.init.constant_(self.fc.bias, 0.0)" in text
        assert [d["code"] for d in change(client, path, 2, text)] == ["IL101"]

        # The unsafe fix is a separate, clearly named action, never a quick fix.
        actions = actions_for(client, path, il101)
        [unsafe] = [a for a in actions if a["title"].startswith("Unsafe fix IL101")]
        assert unsafe["kind"] == "refactor.rewrite" and "changes the initial weights" in unsafe["title"]
        assert not [a for a in actions if a["kind"] == "quickfix" and a["title"].startswith("Fix IL101")]
        text = apply(text, unsafe, 2)
        assert 'nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")' in text
        assert change(client, path, 3, text) == []
        assert check_source(text, str(path)) == []  # the CLI agrees: clean

        client.notify("textDocument/didSave", {"textDocument": {"uri": path.as_uri()}})
        assert client.wait_for(PUBLISH, lambda p: p["uri"] == path.as_uri())["diagnostics"] == []
        client.notify("textDocument/didClose", {"textDocument": {"uri": path.as_uri()}})
        assert client.wait_for(PUBLISH, lambda p: p["uri"] == path.as_uri())["diagnostics"] == []
    finally:
        assert client.close() == 0


def test_settings_come_from_the_nearest_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.initlint]\n", encoding="utf-8")
    quiet = tmp_path / "legacy"
    quiet.mkdir()
    (quiet / "pyproject.toml").write_text('[tool.initlint]\nignore = ["IL101"]\n', encoding="utf-8")
    client = start(tmp_path)
    try:
        assert [d["code"] for d in open_document(client, tmp_path / "a.py", BAD_MODEL)] == ["IL101"]
        assert open_document(client, quiet / "b.py", BAD_MODEL) == []
        # a broken configuration: a message, and the defaults
        (quiet / "pyproject.toml").write_text('[tool.initlint]\nselect = ["XX9"]\n', encoding="utf-8")
        assert [d["code"] for d in change(client, quiet / "b.py", 2, BAD_MODEL)] == ["IL101"]
        message = client.wait_for("window/showMessage")
        assert "XX9" in message["message"] and message["type"] == 2
    finally:
        assert client.close() == 0


def test_fix_all_and_noqa_actions(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    client = start(tmp_path)
    try:
        diagnostics = open_document(client, path, SOURCE)
        il101 = next(d for d in diagnostics if d["code"] == "IL101")
        [fix_all] = actions_for(client, path, il101, only=["source.fixAll"])
        assert fix_all["kind"] == "source.fixAll.initlint"
        text = apply(SOURCE, fix_all, 1)
        [il101] = change(client, path, 2, text)  # the safe fixes only
        assert il101["code"] == "IL101"
        [noqa] = [a for a in actions_for(client, path, il101) if a["title"].startswith("Suppress IL101")]
        text = apply(text, noqa, 2)
        assert "nn.init.xavier_uniform_(self.fc.weight)  # noqa: IL101" in text
        assert change(client, path, 3, text) == []
    finally:
        assert client.close() == 0


# -- latency ---------------------------------------------------------------------------------------------

HEADER = '''"""A generated model file: many MLP blocks with inits, forward passes and docstrings."""

from __future__ import annotations

import torch
import torch.nn as nn


def count_parameters(model: nn.Module) -> int:
    """How many numbers the model learns."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
'''
BLOCK = '''

class Block{i}(nn.Module):
    """MLP block {i}: it keeps the width, expands inside, and applies a ReLU after the first layer.

    The second layer is the output of the block; nothing here is normalized.
    """

    def __init__(self, width: int = {width}, expansion: int = 4, dropout: float = 0.1) -> None:
        super().__init__()
        hidden = width * expansion
        # the two layers of the MLP, and a convolution for the optional image input
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)
        self.conv = nn.Conv2d(width, width, kernel_size=3, padding=1, bias=False)
        self.drop = nn.Dropout(dropout)
        self.act = nn.ReLU(inplace=True)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Initialize the layers (called from __init__)."""
        nn.init.xavier_uniform_(self.fc1.weight)
        nn.init.zeros_(self.fc1.bias)
        nn.init.kaiming_normal_(self.conv.weight, mode="fan_out", nonlinearity="relu")
        nn.init.xavier_uniform_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def extra_repr(self) -> str:
        return f"width={{self.fc1.in_features}}, hidden={{self.fc1.out_features}}"

    def forward(self, x: torch.Tensor, image: torch.Tensor | None = None) -> torch.Tensor:
        if image is not None:
            image = self.act(self.conv(image))
            x = x + image.mean(dim=(2, 3))
        x = self.act(self.fc1(x))
        x = self.drop(x)
        return self.fc2(x)
'''


def model_source(lines: int = 2000) -> str:
    parts, count = [HEADER], HEADER.count("\n")
    while count < lines:
        parts.append(BLOCK.format(i=len(parts), width=64 + 8 * len(parts)))
        count += parts[-1].count("\n")
    return "".join(parts)


def test_did_change_on_a_2000_line_model_is_answered_in_half_a_second(tmp_path: Path) -> None:
    text = model_source()
    assert text.count("\n") >= 2000
    path = tmp_path / "big_model.py"
    client = start(tmp_path)
    try:
        assert len(open_document(client, path, text)) > 40  # one IL101 per block (fc1 feeds ReLU)
        times: list[float] = []
        for version in range(2, 8):
            # a keystroke inside one block: the default width of block `version`
            text = text.replace(f"class Block{version}(nn.Module):", f"class Block{version}(nn.Module):  # edited", 1)
            started = time.perf_counter()
            diagnostics = change(client, path, version, text)
            times.append(time.perf_counter() - started)
        print(f"didChange -> publishDiagnostics on {text.count(chr(10))} lines: "
              f"{', '.join(f'{t * 1000:.0f}' for t in times)} ms")
        assert statistics.median(times) < 0.5, times
        # and the answer is the real one: what `initlint check` says of that text
        expected = check_source(text, str(path), Settings())
        assert sorted((d["code"], d["range"]["start"]["line"] + 1) for d in diagnostics) == \
            sorted((f.code, f.row) for f in expected)
    finally:
        assert client.close() == 0


# -- the re-parse the server relies on -------------------------------------------------------------------

def test_pieces_are_the_top_level_statements() -> None:
    source = ('"""doc"""\n# comment\nimport a\n\n@dec(\n    1)\ndef f():\n    x = """\nclass X:\n"""\n'
              "    return (1,\n2)\nif a:\n    pass\nelse:\n    pass\ny = 1; z = 2\n")
    assert [start for start, _ in top_level_pieces(source)] == [0, 2, 4, 12, 16]
    assert "".join(text for _, text in top_level_pieces(source)) == source


def test_piece_parser_finds_what_the_whole_parse_finds() -> None:
    parser = PieceParser()
    files = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))  # bench/incremental.py: more
    assert len(files) > 15
    for path in files:
        source = path.read_text(encoding="utf-8")
        whole = check_source(source, str(path))
        assert check_source(source, str(path), parser=parser) == whole, path
    # an edit: only the changed piece is parsed again, and the result is still the whole parse's
    source = SOURCE + "\n\nclass Other(nn.Module):\n    pass\n"
    check_source(source, "m.py", parser=parser)
    edited = source.replace("class Other(nn.Module):\n    pass", "class Other(nn.Module):\n    width = 3")
    assert check_source(edited, "m.py", parser=parser) == check_source(edited, "m.py")
    broken = source.replace("class Other(nn.Module):", "class Other(nn.Module:")
    [error] = check_source(broken, "m.py", parser=parser)
    assert error == check_source(broken, "m.py")[0] and error.code == "IL001"


def test_incremental_checks_equal_whole_checks_after_edits() -> None:
    """Edits inside one def (a line added, an init changed, a def removed): partial re-checks, and each
    result is exactly what the whole check says of the edited text."""
    checker = IncrementalChecker()
    examples = Path(__file__).parent.parent / "examples"
    files = [model_source(300), *(p.read_text(encoding="utf-8") for p in sorted(examples.glob("bad_*.py"))[:3])]
    partial = 0
    for number, text in enumerate(files):
        name = f"m{number}.py"
        checker.check(name, text, name, Settings())
        pieces = top_level_pieces(text)
        for index, (_, piece) in enumerate(pieces):
            if not piece.startswith(("class ", "def ")):
                continue
            before = "".join(p for _, p in pieces[:index])
            after = "".join(p for _, p in pieces[index + 1:])
            for new in (piece.replace("\n", "\n    # a new line\n", 1),
                        piece.replace("xavier_uniform_", "kaiming_uniform_"), ""):
                edited = before + new + after
                count = checker.partial
                assert checker.check(name, edited, name, Settings()) == check_source(edited, name), (name, index)
                partial += checker.partial - count
                checker.check(name, text, name, Settings())
    assert partial > 10  # most of those edits were checked in part


def test_a_failing_partial_check_falls_back_to_the_whole_check(monkeypatch: pytest.MonkeyPatch) -> None:
    checker = IncrementalChecker()
    checker.check("doc", SOURCE, "m.py", Settings())

    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug in the shortcut")

    monkeypatch.setattr(IncrementalChecker, "_partial", broken)
    edited = SOURCE + "\n# edited\n"
    assert checker.check("doc", edited, "m.py", Settings()) == check_source(edited, "m.py") != []


def test_functions_are_context_because_an_uncalled_init_function_reaches_every_model() -> None:
    """17_rl_nets.py: an init function nothing calls is taken to reach every model of the file, so deleting
    or re-checking a class without the classes that call `weights_init_` or `layer_init` changes the others'
    findings. Every edit of every statement gives what the whole check gives."""
    path = Path(__file__).parent / "data" / "graded" / "17_rl_nets.py"
    text = path.read_text(encoding="utf-8")
    pieces = top_level_pieces(text)
    checker = IncrementalChecker()
    for index, (_, piece) in enumerate(pieces):
        before = "".join(p for _, p in pieces[:index])
        after = "".join(p for _, p in pieces[index + 1:])
        for new in (piece.replace("\n", "\n    # edited\n", 1), piece.replace("xavier_uniform_", "kaiming_uniform_"), ""):
            checker.check("doc", text, str(path), Settings())
            edited = before + new + after
            assert checker.check("doc", edited, str(path), Settings()) == check_source(edited, str(path)), index

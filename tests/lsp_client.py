"""A small LSP client for the tests: ``initlint server`` as a subprocess, JSON-RPC over its stdio.

Every wait has a timeout, and the server is killed on the way out, so a broken server fails a test rather
than hanging the run.
"""

from __future__ import annotations

import itertools
import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

TIMEOUT = 60.0  # seconds for any one answer (a first parse on a loaded machine is slow, never this slow)


class LspClient:
    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "initlint", "server"], cwd=cwd,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._ids = itertools.count(1)
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: BinaryIO) -> None:
        try:
            while True:
                headers: dict[str, str] = {}
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        break
                    key, _, value = line.decode("ascii").partition(":")
                    headers[key.strip().lower()] = value.strip()
                body = stream.read(int(headers["content-length"]))
                self._messages.put(json.loads(body))
        finally:
            self._messages.put(None)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def _next(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the server did not answer in time")
        try:
            message = self._messages.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError("the server did not answer in time") from None
        if message is None:
            raise EOFError(f"the server closed its output: {self.stderr()}")
        return message

    def request(self, method: str, params: Any, timeout: float = TIMEOUT) -> Any:
        number = next(self._ids)
        self._send({"id": number, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == number and "method" not in message:
                if "error" in message:
                    raise RuntimeError(f"{method} failed: {message['error']}")
                return message.get("result")
            self._note(message)

    def _note(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" in message:  # a request from the server: answer it
            self._send({"id": message["id"], "result": None})
        else:
            self.notifications.append(message)

    def wait_for(self, method: str, test: Callable[[dict[str, Any]], bool] = lambda _: True,
                 timeout: float = TIMEOUT) -> dict[str, Any]:
        """The params of the first (already received or next) notification ``method`` that passes ``test``."""
        for index, message in enumerate(self.notifications):
            if message.get("method") == method and test(message["params"]):
                return self.notifications.pop(index)["params"]  # type: ignore[no-any-return]
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("method") == method and test(message["params"]):
                return message["params"]  # type: ignore[no-any-return]
            self._note(message)

    def stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read().decode("utf-8", "replace")[-2000:]

    def close(self) -> int | None:
        """shutdown, exit; the exit code (None if the server had to be killed)."""
        try:
            if self.process.poll() is None:
                self.request("shutdown", None, timeout=20)
                self.notify("exit", None)
                return self.process.wait(timeout=20)
        except (TimeoutError, EOFError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=20)
        return None


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """A client's side of a TextEdit list (UTF-16 positions, lines broken at \\n, \\r\\n or \\r)."""
    import re

    lines = re.findall(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$", text)
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))

    def offset(position: dict[str, int]) -> int:
        if position["line"] >= len(lines):
            return len(text)
        line, units, index = lines[position["line"]], 0, 0
        while index < len(line.rstrip("\r\n")) and units < position["character"]:
            units += len(line[index].encode("utf-16-le")) // 2
            index += 1
        return starts[position["line"]] + index

    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text

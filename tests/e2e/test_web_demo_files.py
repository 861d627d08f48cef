"""``casetui demo --web``: a visitor cannot write a file on the server.

No browser is needed to try: this test talks to the server's websocket as
textual-serve's page does (``["resize", …]`` and ``["stdin", keys]`` messages;
the terminal's output comes back as binary frames, and a file to download as a
``["deliver_file_start", key]`` text frame). It opens a sample client, presses
``g``, types the path of an existing file outside the download folder, saves,
and says yes if asked to replace it. The goal sheet must arrive as a download
(fetched into the test's own download folder, as a browser would) and nothing
else under the test's folder (the server's home, its working folder, the file
typed) may change.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import aiohttp

from tests.conftest import clean_env
from tests.e2e.test_web_demo import free_port, port_answers, stop, wait_for
from tests.ui.test_user_files import tree

VICTIM = b"<p>the server's own page</p>\n"
# What the demo's first screen shows once it is ready for keys.
READY = ("My caseload", "Olek Thistledown")
# Escape sequences, and the OSC/DCS strings Textual sends, so the text can be searched.
ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP.*?\x1b\\|\x1b."
)
CTRL_E, CTRL_U, CTRL_S, TAB, ENTER = "\x05", "\x15", "\x13", "\t", "\r"


@contextmanager
def served_demo(tmp_path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The web demo with a home, working folder and TMPDIR of its own; killed if left running."""
    logs = tmp_path / "server"
    logs.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = clean_env(tmp_path / "home", TMPDIR=str(tmp_path / "tmp"))
    with (logs / "stdout").open("wb") as out, (logs / "stderr").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "casetui", "demo", "--web", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


class Visitor:
    """One websocket session, as textual-serve's page drives it."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.output = bytearray()
        self.events: list[list[object]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.output += message.data
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.events.append(json.loads(message.data))

    def text_since(self, mark: int) -> str:
        return ANSI.sub(b"", bytes(self.output[mark:])).decode("utf-8", "replace")

    async def keys(self, *keys: str) -> None:
        for key in keys:
            await self.ws.send_json(["stdin", key])
            await asyncio.sleep(0.05)

    async def until(self, what: str, check: object, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not check():  # type: ignore[operator]
            if self.reader.done():
                raise AssertionError(f"the session ended while waiting for {what}")
            if time.monotonic() > deadline:
                tail = self.text_since(max(0, len(self.output) - 4000))
                raise AssertionError(f"timed out waiting for {what}; the screen showed:\n{tail}")
            await asyncio.sleep(0.1)

    def delivered(self) -> list[str]:
        return [str(e[1]) for e in self.events if e and e[0] == "deliver_file_start"]


async def print_over(visitor: Visitor, victim: Path) -> bool:
    """Open the first client, press ``g``, save the goal sheet as ``victim``, say yes if asked.

    Returns whether the demo asked to replace the file; waits until the sheet is
    offered as a download or the file changed (at most 30 s).
    """
    await visitor.until("the caseload", lambda: all(p in visitor.text_since(0) for p in READY), 60)
    await asyncio.sleep(0.5)  # the list takes the keyboard once it is built
    mark = len(visitor.output)
    await visitor.keys(ENTER)  # open the first client
    await visitor.until("the client's workspace", lambda: len(visitor.output) > mark)
    await asyncio.sleep(0.5)
    mark = len(visitor.output)
    await visitor.keys("g")
    await visitor.until(
        "the goal sheet form", lambda: "Print a goal sheet" in visitor.text_since(mark)
    )
    await asyncio.sleep(0.3)
    # Sections, then format, then the file name: clear it, type the path, save.
    await visitor.keys(TAB, TAB, CTRL_E, CTRL_U, *str(victim))
    mark = len(visitor.output)
    await visitor.keys(CTRL_S)
    deadline = time.monotonic() + 30
    answered = False
    while time.monotonic() < deadline and not visitor.delivered():
        if victim.read_bytes() != VICTIM:
            break
        if not answered and "Replace the existing file" in visitor.text_since(mark):
            await visitor.keys("y")  # a visitor who does say "replace it"
            answered = True
        await asyncio.sleep(0.2)
    return answered


async def test_a_visitor_gets_the_goal_sheet_as_a_download_and_the_server_disk_is_untouched(
    tmp_path: Path,
) -> None:
    port = free_port()
    (tmp_path / "home").mkdir()
    (tmp_path / "tmp").mkdir()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.html"
    victim.write_bytes(VICTIM)
    # The demo's throwaway vault (TMPDIR), the server's logs and the downloads may change.
    skip = (downloads, tmp_path / "tmp", tmp_path / "server")

    with served_demo(tmp_path, port) as server:
        wait_for(lambda: port_answers(port), 30, "the port to answer", server)
        before = tree(tmp_path, skip=skip)
        socket_url = f"ws://127.0.0.1:{port}/ws?width=120&height=40"
        async with aiohttp.ClientSession() as http, http.ws_connect(socket_url) as ws:
            visitor = Visitor(ws)
            await ws.send_json(["resize", {"width": 120, "height": 40}])
            try:
                answered = await print_over(visitor, victim)
            except AssertionError as error:
                logs = (tmp_path / "server" / "stdout").read_text(errors="replace")
                raise AssertionError(f"{error}\nserver output:\n{logs[-3000:]}") from None
            assert victim.read_bytes() == VICTIM, "the visitor replaced a file on the server"
            keys = visitor.delivered()
            assert keys, "the goal sheet was not offered as a download"
            assert not answered, "a served demo asked about a file on the server's disk"

            # Fetch it as the browser would, into the test's own download folder.
            async with http.get(f"http://127.0.0.1:{port}/download/{keys[0]}") as reply:
                assert reply.status == 200
                disposition = reply.headers["Content-Disposition"]
                body = await reply.read()
            assert disposition == "attachment; filename=victim.html", disposition
            (downloads / "victim.html").write_bytes(body)
            assert body.lstrip().lower().startswith(b"<!doctype html")
            await ws.close()
            with suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(visitor.reader, 10)
        # The visitor left: their demo quits and removes its throwaway vault.
        wait_for(lambda: not any((tmp_path / "tmp").iterdir()), 30, "the demo to quit", server)
        assert stop(server, signal.SIGTERM) == 0

    assert victim.read_bytes() == VICTIM
    after = tree(tmp_path, skip=skip)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == [], "a file outside the download folder changed"
    assert sorted(p.name for p in downloads.iterdir()) == ["victim.html"]
    stderr = (tmp_path / "server" / "stderr").read_text(errors="replace")
    assert "Traceback" not in stderr, stderr[-3000:]

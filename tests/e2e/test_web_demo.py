"""``casetui demo --web``: the demo served to a real (headless Chromium) browser.

The browser test drives Chromium over the DevTools protocol. textual-serve draws
the terminal with xterm.js on a canvas, so the text is not in the page's DOM; the
test reads xterm.js's own screen buffer instead (what the browser is drawing),
and saves a screenshot beside the test's files to look at when it fails.

Chromium is required: if it is missing or cannot start, the test fails and says
so. It is never skipped (CI installs it; see .ci/run).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import clean_env, run_casetui

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--mute-audio",
    "--window-size=1400,900",
    # The page asks Google for a web font; on a closed network that lookup could
    # hold up the page's load event (which starts the terminal), so fail it at once.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]

# textual.js keeps its xterm.js Terminal in a "terminal" property of an object the
# page cannot otherwise reach. Catch that assignment with a setter on
# Object.prototype (installed before the page's own scripts run), keep the
# Terminal, and then remove the setter.
CATCH_TERMINAL = """
(() => {
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, "terminal", {
        value, writable: true, configurable: true, enumerable: true,
      });
      if (value && value.buffer && value.loadAddon) {
        window.__casetuiTerminal = value;
        delete Object.prototype.terminal;
      }
    },
  });
})();
"""

READ_SCREEN = """
(() => {
  const term = window.__casetuiTerminal;
  if (!term) return null;
  const buffer = term.buffer.active;
  const lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""

# What the demo's first screen shows: its banner, the heading and a sample client.
EXPECTED = ("DEMO — fictional data", "My caseload", "Olek Thistledown")


# -- helpers ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening_addresses(port: int) -> set[str]:
    """The local IPv4 addresses (hex, as in /proc/net/tcp) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                address, port_hex = fields[1].rsplit(":", 1)
                if int(port_hex, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                    found.add(address)
    return found


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        if process is not None and process.poll() is not None:
            pytest.fail(f"the server exited (code {process.returncode}) before {what}")
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def port_answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def web_demo(
    home: Path, logs: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """``casetui demo --web ARGS`` in the background; killed if the test leaves it running."""
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "stdout").open("wb") as out, (logs / "stderr").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "casetui", "demo", "--web", *args],
            env=clean_env(home, **(env or {})),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # so a leftover server and its demos can all be killed
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes], sig: int) -> int:
    """Send ``sig`` (0: none) and wait for the process to end; returns its exit code."""
    if sig:
        process.send_signal(sig)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the server did not stop within 30 s of signal {sig}")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "Chromium is not installed, and the web demo test needs a real browser: "
            "install it (Debian: apt-get install -y chromium; .ci/run does this)."
        )
    return found


@contextmanager
def headless_chromium(profile: Path) -> Iterator[int]:
    """Start headless Chromium; yields its DevTools port. Fails loudly if it cannot start."""
    profile.mkdir()
    log = profile.parent / "chromium.log"
    with log.open("wb") as sink:
        browser = subprocess.Popen(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
            start_new_session=True,
        )
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.exists() and active.read_text().strip()):
            if browser.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "Chromium could not start (exit code "
                    f"{browser.poll()}); its output:\n{log.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.1)
        yield int(active.read_text().split()[0])
    finally:
        with suppress(ProcessLookupError):
            os.killpg(browser.pid, signal.SIGTERM)
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait(timeout=10)


class DevTools:
    """Just enough of the Chrome DevTools protocol: send a command, await its answer."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        ask = self.next_id
        await self.ws.send_json({"id": ask, "method": method, "params": params})
        async with asyncio.timeout(20):
            while True:
                message = await self.ws.receive()
                if message.type != aiohttp.WSMsgType.TEXT:
                    pytest.fail(f"the DevTools connection closed during {method}")
                answer = json.loads(message.data)
                if answer.get("id") == ask:
                    if "error" in answer:
                        pytest.fail(f"DevTools {method} failed: {answer['error']}")
                    return answer["result"]


async def screen_text(devtools: DevTools) -> str | None:
    result = await devtools.call("Runtime.evaluate", expression=READ_SCREEN, returnByValue=True)
    return result["result"].get("value")


def demo_folders(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("casetui-demo-*"))


# -- the browser test ---------------------------------------------------------------


@pytest.mark.parametrize("stopped_by", ["ctrl-c", "sigterm"])
async def test_a_browser_shows_the_demo_caseload(
    home: Path, tmp_path: Path, stopped_by: str
) -> None:
    chromium()  # fail at once, and clearly, if there is no browser
    port = free_port()
    demo_tmp = tmp_path / "tmp"
    demo_tmp.mkdir()
    real_vault = home / "real" / "vault.age"
    env = {
        "TMPDIR": str(demo_tmp),  # where each browser session's demo vault is made
        # A real vault and its passphrase in the environment must not be served.
        "CASETUI_VAULT": str(real_vault),
        "CASETUI_PASSPHRASE": "tidy lantern orchard seventeen",
    }
    with web_demo(home, tmp_path / "server", "--port", str(port), env=env) as server:
        stdout = tmp_path / "server" / "stdout"
        address = f"http://127.0.0.1:{port}"
        wait_for(lambda: port_answers(port), 20, "the port to answer", server)
        wait_for(lambda: address in stdout.read_text(), 5, "the address to be printed", server)

        with headless_chromium(tmp_path / "profile") as devtools_port:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as reply:
                    targets = await reply.json()
                page = next(t for t in targets if t["type"] == "page")
                async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                    devtools = DevTools(ws)
                    await devtools.call("Page.enable")
                    await devtools.call(
                        "Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL
                    )
                    await devtools.call("Page.navigate", url=address)

                    text = ""
                    deadline = time.monotonic() + 40
                    while time.monotonic() < deadline:
                        text = await screen_text(devtools) or ""
                        if all(part in text for part in EXPECTED):
                            break
                        await asyncio.sleep(0.25)
                    shot = await devtools.call("Page.captureScreenshot", format="png")
                    (tmp_path / "browser.png").write_bytes(base64.b64decode(shot["data"]))
                    assert all(part in text for part in EXPECTED), (
                        f"the browser did not show the demo caseload within 40 s (screenshot: "
                        f"{tmp_path / 'browser.png'}); the terminal showed:\n{text}\n"
                        f"server output:\n{stdout.read_text(errors='replace')[-3000:]}"
                    )
                    # The session is a demo with its throwaway vault in TMPDIR...
                    assert len(demo_folders(demo_tmp)) == 1
                    # ... and nothing went near the "real" vault.
                    assert not real_vault.parent.exists()

                    # Stop the server while the browser is still connected: Ctrl+C in
                    # a terminal signals the server and its demos; SIGTERM only the
                    # server, which must then end each session itself. Either way the
                    # demo deletes its vault.
                    if stopped_by == "ctrl-c":
                        os.killpg(server.pid, signal.SIGINT)
                        code = stop(server, 0)
                    else:
                        code = stop(server, signal.SIGTERM)
                    assert code == 0
        stderr = (tmp_path / "server" / "stderr").read_text()
        assert "stopped serving the demo" in stderr
        assert "Traceback" not in stderr
    assert demo_folders(demo_tmp) == [], "the demo's temporary folder was left behind"


# -- the command line ---------------------------------------------------------------


def test_it_binds_loopback_by_default_and_stops_on_sigterm(home: Path, tmp_path: Path) -> None:
    port = free_port()
    with web_demo(home, tmp_path / "server", "--port", str(port)) as server:
        wait_for(lambda: port_answers(port), 20, "the port to answer", server)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0
        assert stop(server, signal.SIGTERM) == 0
    stdout = (tmp_path / "server" / "stdout").read_text()
    stderr = (tmp_path / "server" / "stderr").read_text()
    assert (
        f"casetui demo is being served at http://127.0.0.1:{port} — open it in a browser; "
        "press Ctrl+C to stop." in stdout
    )
    assert "warning" not in stderr.lower()
    assert "Traceback" not in stdout + stderr


def test_it_refuses_pages_addressed_to_another_name_on_loopback(home: Path, tmp_path: Path) -> None:
    port = free_port()
    with web_demo(home, tmp_path / "server", "--port", str(port)) as server:
        wait_for(lambda: port_answers(port), 20, "the port to answer", server)

        def status(host: str, path: str = "/", **headers: str) -> str:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
                extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n"
                conn.sendall(request.encode())
                return conn.recv(200).decode(errors="replace").split("\r\n", 1)[0]

        assert " 200 " in status(f"127.0.0.1:{port}")
        assert " 200 " in status(f"localhost:{port}")
        assert " 421 " in status(f"rebound.example:{port}")  # DNS rebinding
        websocket = {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        }
        other_site = status(f"127.0.0.1:{port}", "/ws", Origin="http://evil.example", **websocket)
        assert " 403 " in other_site
        assert stop(server, signal.SIGTERM) == 0


def test_another_host_needs_host_and_warns(home: Path, tmp_path: Path) -> None:
    port = free_port()
    everywhere = "0.0.0.0"  # noqa: S104 - binding every address is what is tested
    with web_demo(home, tmp_path / "server", "--host", everywhere, "--port", str(port)) as server:
        wait_for(lambda: port_answers(port), 20, "the port to answer", server)
        assert listening_addresses(port) == {"00000000"}
        assert stop(server, signal.SIGTERM) == 0
    stderr = (tmp_path / "server" / "stderr").read_text()
    assert "warning" in stderr
    assert "no authentication" in stderr
    assert "anyone who can reach this address can use the demo" in stderr


@pytest.mark.parametrize("port", ["0", "65536", "-1", "eighty", ""])
def test_a_bad_port_is_one_sentence(home: Path, port: str) -> None:
    result = run_casetui("demo", "--web", "--port", port, home=home, timeout=30)
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("casetui: argument --port: the port must be a number from 1 to 65535")
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_one_sentence(home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_casetui("demo", "--web", "--port", str(port), home=home, timeout=30)
    assert result.returncode == 1
    assert result.stderr == (
        f"casetui: Port {port} on 127.0.0.1 is already in use; choose another with --port.\n"
    )
    assert "being served" not in result.stdout


def test_port_and_host_need_web(home: Path) -> None:
    result = run_casetui("demo", "--port", "8123", home=home, timeout=30)
    assert result.returncode == 2
    assert result.stderr == (
        "casetui: --port and --host only apply with --web; add --web or leave them out.\n"
    )


def test_the_served_command_is_the_demo_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from casetui import web

    monkeypatch.setenv("CASETUI_VAULT", "/somewhere/real.age")
    assert shlex.split(web.demo_command()) == [sys.executable, "-m", "casetui", "demo"]
    assert web.DemoServer("127.0.0.1", 8000).command == web.demo_command()
    assert web.host_warning("127.0.0.1") is None
    assert web.host_warning("::1") is None
    assert web.host_warning("localhost") is None
    assert "no authentication" in (web.host_warning("192.168.1.20") or "")


def test_the_cli_loads_textual_serve_only_for_web() -> None:
    probe = (
        "import sys, casetui.cli\n"
        "casetui.cli.build_parser().parse_args(['demo', '--web'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual_serve', 'aiohttp')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

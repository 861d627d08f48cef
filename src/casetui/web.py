"""Serving the demo to web browsers: ``casetui demo --web``.

textual-serve runs one command per browser connection and draws its terminal in
the page. The command is fixed here to ``python -m casetui demo`` (with
``--masked`` when asked for), which opens a throwaway copy of the fictional sample
caseload and never a real vault, whatever else is on the command line or in the
environment.

textual-serve has no authentication: anyone who can reach the address can use the
demo. So it binds 127.0.0.1 unless told otherwise, and on loopback it only answers
requests addressed to a loopback name (a guard against DNS rebinding). Browser
sessions from another site's page are refused (the websocket's Origin must match),
and only a few sessions run at once, since each one is a process of its own.

The page is served whole from the demo itself: textual-serve's page asks a public
font server for its stylesheet, which fails in an offline classroom and tells a
third party who is looking at the demo. The demo's page (:func:`own_page`) loads
the font textual-serve ships, from the demo's own /static, and nothing else.

Imported only by ``casetui demo --web``, so nothing else loads aiohttp.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import os
import re
import shlex
import signal
import socket
import sys
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

from casetui.ui.user_files import SERVED_ENV

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_SESSIONS = 8
TITLE = "casetui demo — fictional data"
# Never handed on to the demo's processes, though the demo ignores them anyway.
PRIVATE_ENV = ("CASETUI_VAULT", "CASETUI_PASSPHRASE", "CASETUI_NEW_PASSPHRASE")
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class ServeError(Exception):
    """A problem to report in one sentence."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def demo_command(*, masked: bool = False) -> str:
    """The shell command textual-serve runs for each browser: the demo, and only it.

    ``masked`` starts each demo with screen sharing on.
    """
    return shlex.join([sys.executable, "-m", "casetui", "demo", *(["--masked"] if masked else [])])


def is_loopback(host: str) -> bool:
    """True if ``host`` names this computer only (127.0.0.0/8, ::1, localhost)."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """True if ``host`` means every address of this computer (0.0.0.0 or ::)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"


def open_hint(host: str, port: int) -> str:
    """Where a person should point their browser."""
    if is_wildcard(host):
        return (
            f"on every address of this computer, port {port} "
            f"(here: {url_for('127.0.0.1' if host.count(':') < 2 else '::1', port)})"
        )
    return f"at {url_for(host, port)}"


def host_warning(host: str) -> str | None:
    """The warning for binding anything but loopback, or None."""
    if is_loopback(host):
        return None
    return (
        f"casetui: warning: serving on {host}, not just this computer. textual-serve has no "
        "authentication: anyone who can reach this address can use the demo (its data is "
        "fictional, but still); stop it with Ctrl+C when you are done."
    )


def check_port_free(host: str, port: int) -> None:
    """Fail in one sentence now if the address cannot be bound, before any output."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise ServeError(f"Cannot serve on host {host!r}: that address is not known.") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # aiohttp sets SO_REUSEADDR too, so a port in TIME_WAIT is not "in use".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ServeError(bind_problem(host, port, exc)) from None


def bind_problem(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"Port {port} on {host} is already in use; choose another with --port."
    if exc.errno == errno.EACCES:
        return f"Not allowed to use port {port} on {host}; choose a port above 1023 with --port."
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"Cannot serve on {host}: it is not an address of this computer."
    reason = exc.strerror or type(exc).__name__
    return f"Cannot serve on {host} port {port} ({reason})."


PAGE_TEMPLATE = "app_index.html"

#: A <link> that loads anything from another site (textual-serve's web font).
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)
#: The SVG namespace on the page's inline logo: never fetched, but a URL all the same.
_SVG_NAMESPACE = re.compile(r"\s+xmlns\s*=\s*[\"']http://www\.w3\.org/2000/svg[\"']", re.I)
_FONTS = (
    ("RobotoMono-VariableFont_wght.ttf", "normal"),
    ("RobotoMono-Italic-VariableFont_wght.ttf", "italic"),
)


def own_page(template: str, fonts: Path) -> str:
    """textual-serve's page template, with nothing loaded from another site.

    A stylesheet link to another site (the public font server) is dropped, and the
    same font, which textual-serve ships in ``fonts``, is loaded from the demo's own
    /static instead. The SVG namespace of the inline logo (not needed in HTML) goes too.
    """
    page = _SVG_NAMESPACE.sub("", _REMOTE_LINK.sub("", template))
    static = "{{ config.static.url }}"  # filled in by the template, like textual-serve's own
    faces = "".join(
        f'@font-face {{ font-family: "Roboto Mono"; font-style: {style}; font-weight: 100 700; '
        f'src: url("{static}fonts/{name}") format("truetype"); }}\n'
        for name, style in _FONTS
        if (fonts / name).is_file()
    )
    if faces:
        page = page.replace("<style>", "<style>\n" + faces, 1)
    return page


class DemoServer(Server):
    """textual-serve's server, locked to the demo and a little more careful."""

    def __init__(self, host: str, port: int, *, masked: bool = False) -> None:
        super().__init__(demo_command(masked=masked), host=host, port=port, title=TITLE)
        self.bound_host = host
        self.sessions: set[asyncio.Task[Any]] = set()

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        # The page from the demo's own copy of the template, with nothing from other sites.
        template = (Path(self.templates_path) / PAGE_TEMPLATE).read_text(encoding="utf-8")
        page = own_page(template, Path(self.statics_path) / "fonts")
        aiohttp_jinja2.setup(app, loader=jinja2.DictLoader({PAGE_TEMPLATE: page}))
        app.middlewares.append(self._check_host)
        return app

    @web.middleware
    async def _check_host(self, request: web.Request, handler: Any) -> web.StreamResponse:
        # Bound to loopback, answer only requests addressed to loopback: a page on
        # another site cannot reach the demo by pointing its own name at 127.0.0.1.
        if is_loopback(self.bound_host) and not is_loopback(_hostname(request.host)):
            raise web.HTTPMisdirectedRequest(text="This demo only answers on this computer.")
        response: web.StreamResponse = await handler(request)
        return response

    async def on_startup(self, app: web.Application) -> None:
        app.on_shutdown.append(self._end_sessions)
        _say(
            sys.stdout,
            f"casetui demo is being served {open_hint(self.bound_host, self.port)} — open it "
            "in a browser; press Ctrl+C to stop.",
        )

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        # The page holds absolute URLs for its scripts and websocket. Build them from
        # the address the browser used, so the page works when bound to 0.0.0.0 too.
        # (handle_index does not await before using public_url, so requests cannot mix.)
        if _plausible_host(request.host):
            self.public_url = f"http://{request.host}"
        response: web.StreamResponse = await super().handle_index(request)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
            raise web.HTTPForbidden(text="This demo only accepts its own page.")
        if len(self.sessions) >= MAX_SESSIONS:
            raise web.HTTPServiceUnavailable(
                text=f"The demo already has {MAX_SESSIONS} sessions open; try again later."
            )
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - aiohttp runs every handler in a task
            return await super().handle_websocket(request)
        self.sessions.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions.discard(task)

    async def _end_sessions(self, _app: web.Application) -> None:
        """On shutdown, end every session, so each demo quits and removes its files."""
        for task in list(self.sessions):
            task.cancel()
        if self.sessions:
            await asyncio.wait(list(self.sessions), timeout=20)


def _say(stream: TextIO, line: str) -> None:
    stream.write(line + "\n")
    stream.flush()


def _hostname(host: str) -> str:
    """The name in a Host header, without its port."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _plausible_host(host: str) -> bool:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
    return bool(host) and len(host) < 256 and set(host) <= allowed


def serve_demo(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, masked: bool = False) -> int:
    """Serve the demo until Ctrl+C, SIGTERM or SIGHUP; returns the exit code.

    ``masked`` starts each browser's demo with screen sharing on.
    """
    for name in PRIVATE_ENV:
        os.environ.pop(name, None)
    # Each demo then knows it is served, so it sends files to the browser, never to this
    # computer's disk (textual-serve's web driver says so too; this is the belt and braces).
    os.environ[SERVED_ENV] = "1"
    warning = host_warning(host)
    check_port_free(host, port)
    if warning:
        _say(sys.stderr, warning)
    server = DemoServer(host, port, masked=masked)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # textual-serve turns SIGINT and SIGTERM into a graceful exit; a closed SSH
    # session (SIGHUP) should end the same way.
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGHUP, server.request_exit)
    try:
        server.serve()
    except OSError as exc:
        raise ServeError(bind_problem(host, port, exc)) from None
    finally:
        with contextlib.suppress(Exception):
            loop.close()
        asyncio.set_event_loop(None)
    _say(sys.stderr, "casetui: stopped serving the demo.")
    return 0

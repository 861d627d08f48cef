"""Two laptops edit one vault at the same time, and Syncthing carries the folder between them.

Vault format 4 is a folder of small files, none ever written twice, so that a
file-sync tool can carry it: the union of two copies is the merged vault. These
tests run the real thing. Two Syncthing instances on 127.0.0.1 share one folder.
Laptop A creates a vault in it, adds laptop B's key and a caseload, and waits
until B has every file.

In the first test, syncing is then paused on both sides, and both laptops (two
processes, each with its own key and its own state folder) make a few hundred
edits at the same time, each one saved: some to fields only that laptop edits,
some to the same field on both; each removes a different client entered by
mistake, and adds a goal for the client the other removes. Then syncing resumes,
and both copies must end up with the same records: every one-sided edit kept,
every field edited on both sides a visible conflict holding both last values,
both removed clients gone with everything of theirs, no Syncthing conflict
copies, and no file of the folder set aside.

In the second, syncing stays on while both laptops edit, each reading the
other's saves as they arrive, as two case managers with casetui open would.

The editing itself is in ``syncthing_editor.py`` beside this file. Syncthing is
installed from the distribution's packages (``apt-get install syncthing``); the
tests fail, rather than skip, where it is missing. All names are made up.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from casetui.core.choices import Domain, Horizon
from casetui.core.records import Client, Goal, NeedItem
from casetui.services import recipients
from casetui.vault import keys
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import PASSPHRASE, REPO
from tests.e2e.syncthing_editor import OWN, SHARED

EDITOR = Path(__file__).with_name("syncthing_editor.py")
FOLDER_ID = "casetui-vault"
#: Edits each laptop makes while syncing is paused (each one saved), besides its removal.
EDITS = 210
#: Edits each laptop makes with syncing on, and the pause before each (seconds).
LIVE_EDITS = 24
LIVE_INTERVAL = 0.25
#: How long the two folders must stay the same before the sync counts as done.
SETTLED_SECONDS = 3.0
CONFLICT_COPY = re.compile(r"\.sync-conflict-")

#: The caseload A enters. Two people were entered twice by mistake: A removes one
#: duplicate and B the other, each without knowing what the other laptop does.
CASELOAD = (
    "Amina K.",
    "Rosa M.",
    "Lena P.",
    "Tomasz W.",
    "Grace O.",
    "Mei L.",
    "Farah S.",
    "Dana R.",
    "Iris T.",
    "Noor H.",
    "Rosa M. (entered twice)",
    "Mei L. (entered twice)",
)
REMOVED_BY = {"A": "Rosa M. (entered twice)", "B": "Mei L. (entered twice)"}


# -- Syncthing ------------------------------------------------------------------------------


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free now, and never one handed out before in this run: the kernel can give
    the same free port twice in a row (CI once gave one instance's GUI and its listener
    the same port, and Syncthing could not start)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def wait_until(what: str, check: Callable[[], bool], timeout: float, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


@dataclass
class Syncthing:
    """One Syncthing instance: its home (config, keys, database) and its shared folder."""

    name: str
    home: Path
    folder: Path
    gui_port: int = field(default_factory=free_port)
    listen_port: int = field(default_factory=free_port)
    device_id: str = ""
    apikey: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.home.parent / f"syncthing-{self.name}.log"

    def generate(self) -> None:
        done = subprocess.run(
            ["syncthing", "generate", f"--home={self.home}", "--no-default-folder"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=self.env(),
        )
        found = re.search(r"Device ID: ([A-Z0-9-]{63})", done.stdout + done.stderr)
        assert done.returncode == 0 and found, f"syncthing generate failed: {done.stderr}"
        self.device_id = found[1]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.home),
            "STNOUPGRADE": "1",
            "STNODEFAULTFOLDER": "1",
        }

    def configure(self, other: Syncthing) -> None:
        """Loopback only, no discovery, relays or reports; ``other`` known; one shared folder."""
        config = self.home / "config.xml"
        tree = ET.parse(config)  # noqa: S314 - the file syncthing generate just wrote
        root = tree.getroot()
        gui = _one(root, "gui")
        _one(gui, "address").text = f"127.0.0.1:{self.gui_port}"
        self.apikey = _one(gui, "apikey").text or ""
        assert self.apikey, "syncthing generate wrote no API key"
        options = _one(root, "options")
        for name, text in {
            "listenAddress": f"tcp://127.0.0.1:{self.listen_port}",
            "globalAnnounceEnabled": "false",
            "localAnnounceEnabled": "false",
            "relaysEnabled": "false",
            "natEnabled": "false",
            "startBrowser": "false",
            "urAccepted": "-1",
            "autoUpgradeIntervalH": "0",
            "crashReportingEnabled": "false",
            "reconnectionIntervalS": "1",
            "setLowPriority": "false",
        }.items():
            _one(options, name).text = text
        [own] = [d for d in root.findall("device") if d.get("id") == self.device_id]
        own.set("name", self.name)
        defaults = _one(root, "defaults")
        peer = copy.deepcopy(_one(defaults, "device"))
        peer.set("id", other.device_id)
        peer.set("name", other.name)
        _one(peer, "address").text = f"tcp://127.0.0.1:{other.listen_port}"
        root.insert(list(root).index(own) + 1, peer)
        folder = copy.deepcopy(_one(defaults, "folder"))
        folder.attrib.update(
            id=FOLDER_ID,
            label="casetui vault",
            path=str(self.folder),
            type="sendreceive",
            rescanIntervalS="2",
            fsWatcherEnabled="true",
            fsWatcherDelayS="1",
        )
        template = _one(folder, "device")
        folder.remove(template)
        for position, device_id in enumerate((self.device_id, other.device_id)):
            member = copy.deepcopy(template)
            member.set("id", device_id)
            folder.insert(position, member)
        root.insert(list(root).index(peer) + 1, folder)
        tree.write(config, encoding="unicode")
        # Syncthing refuses a folder without its marker; the folder starts empty.
        (self.folder / ".stfolder").mkdir(parents=True)

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    "syncthing",
                    "serve",
                    f"--home={self.home}",
                    "--no-browser",
                    "--no-restart",
                    "--no-upgrade",
                    "--logflags=3",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env(),
                # Syncthing 1.19 runs a monitor and the syncthing proper as its child,
                # even with --no-restart: a group of their own lets both be killed.
                start_new_session=True,
            )

    def stop(self) -> None:
        """Ask Syncthing to stop (SIGTERM); kill its group if it has not within 10 s."""
        if self.process is None:
            return
        group = self.process.pid
        if self.process.poll() is None:
            self.process.terminate()  # the monitor passes it on to its child
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(group):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=10)

    def alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(
                f"syncthing {self.name} exited with code {self.process.returncode}:\n"
                + self.log_tail()
            )

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def rest(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.gui_port}{path}",
            data=data,
            method=method,
            headers={"X-API-Key": self.apikey, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            text = answer.read()
        return json.loads(text) if text.strip() else None

    def responds(self) -> bool:
        self.alive()
        try:
            return bool(self.rest("GET", "/rest/system/ping") == {"ping": "pong"})
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def connected_to(self, other: Syncthing) -> bool:
        self.alive()
        connections = self.rest("GET", "/rest/system/connections")["connections"]
        return bool(connections.get(other.device_id, {}).get("connected"))

    def set_paused(self, paused: bool) -> None:
        self.rest("PATCH", f"/rest/config/folders/{FOLDER_ID}", {"paused": paused})
        shown = self.rest("GET", f"/rest/config/folders/{FOLDER_ID}")
        assert shown["paused"] is paused, f"syncthing {self.name} did not set paused={paused}"


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _one(parent: ET.Element, tag: str) -> ET.Element:
    found = parent.find(tag)
    assert found is not None, f"syncthing's config.xml has no <{tag}> in <{parent.tag}>"
    return found


@pytest.fixture
def syncthing_pair(tmp_path: Path) -> Iterator[tuple[Syncthing, Syncthing]]:
    """Two connected Syncthing instances sharing one folder; both stopped afterwards."""
    assert shutil.which("syncthing"), (
        "this test needs Syncthing on PATH (Debian/Ubuntu: apt-get install syncthing)"
    )
    began = time.monotonic()
    # Each shares the vault folder itself, as the README says: the key file, the lock
    # and the backups beside it stay on their own laptop.
    a = Syncthing("laptop-a", tmp_path / "st-a" / "home", tmp_path / "st-a" / "vault.age")
    b = Syncthing("laptop-b", tmp_path / "st-b" / "home", tmp_path / "st-b" / "vault.age")
    for side in (a, b):
        side.generate()
    a.configure(b)
    b.configure(a)
    try:
        # One at a time: two syncthings that dial each other in the same instant may
        # both drop the connection and wait some 20 s to dial again. Started once A
        # has tried B (and found no one), only B dials, and A answers at once.
        a.start()
        wait_until(f"syncthing {a.name}'s REST API", a.responds, timeout=30)
        time.sleep(1)
        b.start()
        wait_until(f"syncthing {b.name}'s REST API", b.responds, timeout=30)
        wait_until("the two syncthings to connect", lambda: a.connected_to(b), timeout=60)
        wait_until("the two syncthings to connect", lambda: b.connected_to(a), timeout=60)
        print(f"\ntwo syncthings up and connected: {time.monotonic() - began:.1f} s")
        yield a, b
    except BaseException:
        for side in (a, b):
            print(f"--- syncthing {side.name} log (last lines) ---\n{side.log_tail()}")
        raise
    finally:
        for side in (a, b):
            side.stop()


# -- the folders --------------------------------------------------------------------------------


def folder_files(root: Path) -> dict[str, str]:
    """Every file in a synced folder (hidden ones, Syncthing's and casetui's temps, left
    out) and the sha256 of its bytes."""
    files = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        with contextlib.suppress(FileNotFoundError):  # a temp renamed meanwhile
            files[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def conflict_copies(*roots: Path) -> list[str]:
    return sorted(str(p) for root in roots for p in root.rglob("*") if CONFLICT_COPY.search(p.name))


def journal_files(root: Path) -> dict[str, str]:
    return {
        name: digest
        for name, digest in folder_files(root).items()
        if name.startswith(("changes/", "snapshots/"))
    }


def change_files(vault: Path) -> set[str]:
    return {p.name for p in (vault / "changes").glob("*.age")}


def wait_settled(a: Syncthing, b: Syncthing, timeout: float) -> None:
    """Until both folders hold the same files for a few seconds; fails on a conflict copy."""
    deadline = time.monotonic() + timeout
    same_since: float | None = None
    last: tuple[dict[str, str], dict[str, str]] = ({}, {})
    while True:
        a.alive()
        b.alive()
        last = (folder_files(a.folder), folder_files(b.folder))
        copies = conflict_copies(a.folder, b.folder)
        if copies:  # Syncthing never takes one back: fail at once
            pytest.fail(f"Syncthing made conflict copies (files both laptops changed): {copies}")
        same = last[0] == last[1]
        now = time.monotonic()
        if not same:
            same_since = None
        elif same_since is None:
            same_since = now
        elif now - same_since >= SETTLED_SECONDS:
            return
        if now > deadline:
            only_a = sorted(set(last[0]) - set(last[1]))
            only_b = sorted(set(last[1]) - set(last[0]))
            differ = sorted(k for k in set(last[0]) & set(last[1]) if last[0][k] != last[1][k])
            pytest.fail(
                f"the folders did not settle within {timeout:.0f} s: {len(only_a)} files only "
                f"on A ({only_a[:5]}), {len(only_b)} only on B ({only_b[:5]}), {len(differ)} "
                f"differ ({differ[:5]})\n--- syncthing A ---\n{a.log_tail(15)}"
                f"\n--- syncthing B ---\n{b.log_tail(15)}"
            )
        time.sleep(0.25)


# -- the laptops ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Laptop:
    side: str
    vault: Path
    identity: Path
    state: Path

    def open(self, monkeypatch: pytest.MonkeyPatch) -> Vault:
        """This laptop's copy, read-only, as this laptop (its own state folder)."""
        monkeypatch.setenv("CASETUI_STATE_DIR", str(self.state))
        return Vault.open(self.vault, identity_unlocker(self.identity), writable=False)


def write_key(path: Path, text: str) -> Path:
    path.write_text(text if text.endswith("\n") else text + "\n")
    path.chmod(0o600)
    return path


def create_caseload(vault: Vault) -> dict[str, str]:
    """A's caseload: clients (made-up people), each with a goal and a need. Name -> id."""
    intake = date.today() - timedelta(days=90)
    ids: dict[str, str] = {}
    records: list[Any] = []
    for n, name in enumerate(CASELOAD):
        client = Client.create(
            preferred_name=name,
            intake_date=intake + timedelta(days=n),
            case_manager_id=vault.owner_staff_id or "",
            may_text=True,
        )
        ids[name] = client.id
        records += [
            client,
            Goal.create(client_id=client.id, text="Find a safe place to stay near the school"),
            NeedItem.create(
                client_id=client.id,
                label="Housing application",
                horizon=Horizon.SHORT_TERM,
                domain=Domain.HOUSING,
            ),
        ]
    vault.repo.put_all(records)
    return ids


def run_editors(
    laptops: dict[str, Laptop],
    clients: list[str],
    removes: dict[str, str],
    work: Path,
    *,
    edits: int,
    **extra: object,
) -> dict[str, dict[str, Any]]:
    """Both editing processes, started together; returns their logs.

    ``extra`` goes into each plan (``live`` and ``interval``: see the editor).
    """
    go = work / "go"
    started: dict[str, tuple[subprocess.Popen[bytes], Path, Path]] = {}
    pythonpath = os.pathsep.join(
        p for p in (str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH", "")) if p
    )
    try:
        for side, laptop in laptops.items():
            plan = {
                "side": side,
                "vault": str(laptop.vault),
                "identity": str(laptop.identity),
                "clients": clients,
                "remove": removes.get(side),
                "adopt": removes.get("B" if side == "A" else "A"),
                "edits": edits,
                **extra,
                "ready": str(work / f"ready-{side}"),
                "go": str(go),
                "log": str(work / f"log-{side}.json"),
            }
            plan_file = work / f"plan-{side}.json"
            plan_file.write_text(json.dumps(plan))
            output = work / f"editor-{side}.out"
            env = {**os.environ, "CASETUI_STATE_DIR": str(laptop.state), "PYTHONPATH": pythonpath}
            with output.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, str(EDITOR), str(plan_file)],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            started[side] = (process, output, work / f"ready-{side}")

        def ready() -> bool:
            for side, (process, output, _flag) in started.items():
                if process.poll() is not None:
                    pytest.fail(f"editor {side} exited early:\n{output.read_text()}")
            return all(flag.exists() for _p, _o, flag in started.values())

        wait_until("both editors to open their vaults", ready, timeout=60, every=0.05)
        go.write_text("go")
        for side, (process, output, _flag) in started.items():
            code = process.wait(timeout=240)
            assert code == 0, f"editor {side} failed (code {code}):\n{output.read_text()}"
    finally:
        for process, _output, _flag in started.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    return {side: json.loads((work / f"log-{side}.json").read_text()) for side in laptops}


def records_json(vault: Vault, *, by_id: bool) -> str:
    """Every record, as ``casetui export`` shapes them; ``by_id`` sorts each table's rows."""
    doc = vault.records().to_interchange()
    if by_id:
        for rows in doc.values():
            if isinstance(rows, list):
                rows.sort(key=lambda row: str(row["id"]))  # type: ignore[index]
    return json.dumps(doc, sort_keys=True, ensure_ascii=False)


# -- the tests -----------------------------------------------------------------------------


def shared_vault(
    st_a: Syncthing, st_b: Syncthing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Laptop], dict[str, str]]:
    """A creates the vault in its synced folder, adds B's key and the caseload; once B
    has every file of it, returns both laptops and the clients' ids by name."""
    keys_folder = tmp_path / "keys"  # outside the synced folders, as a person keeps them
    keys_folder.mkdir(mode=0o700)
    laptops = {
        "A": Laptop("A", st_a.folder, keys_folder / "a.key", tmp_path / "state-a"),
        "B": Laptop("B", st_b.folder, keys_folder / "b.key", tmp_path / "state-b"),
    }

    # Laptop A creates the vault in its synced folder, adds B's key, then the caseload.
    monkeypatch.setenv("CASETUI_STATE_DIR", str(laptops["A"].state))
    with Vault.create(laptops["A"].vault, PASSPHRASE, owner_name="Robin Testwell") as vault:
        assert vault.keyring.own_secret is not None
        write_key(laptops["A"].identity, vault.keyring.own_secret)
        b_secret, b_public = keys.generate_identity()
        write_key(laptops["B"].identity, b_secret)
        recipients.add_recipient(vault, b_public, "Laptop B")
        ids = create_caseload(vault)
        assert vault.save() is not None
    a_files = folder_files(st_a.folder)

    def b_has_all() -> bool:
        st_b.alive()
        return folder_files(st_b.folder) == a_files

    wait_until("laptop B's folder to hold every file of A's", b_has_all, timeout=60)
    assert conflict_copies(st_a.folder, st_b.folder) == []
    return laptops, ids


@pytest.mark.slow
def test_two_laptops_edit_at_once_and_syncthing_merges_their_vault(
    syncthing_pair: tuple[Syncthing, Syncthing],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Concurrent edits, each saved, carried across once syncing resumes: the merge."""
    st_a, st_b = syncthing_pair
    began = time.monotonic()
    work = tmp_path / "work"
    work.mkdir()
    laptops, ids = shared_vault(st_a, st_b, tmp_path, monkeypatch)
    clients = [ids[name] for name in CASELOAD]
    removes = {side: ids[name] for side, name in REMOVED_BY.items()}
    for side in (st_a, st_b):
        side.set_paused(True)
    before = change_files(laptops["A"].vault)
    assert before == change_files(laptops["B"].vault)
    synced_first = time.monotonic()
    print(f"setup (vault, B's key, caseload, first sync): {synced_first - began:.1f} s")

    # Both laptops edit at once while neither can see the other's files.
    logs = run_editors(laptops, clients, removes, work, edits=EDITS)
    edited = time.monotonic()
    for side, log in logs.items():
        print(
            f"laptop {side}: {log['edits']} edits, 1 removal, 1 goal added, each saved, in "
            f"{log['seconds']:.1f} s (device {log['device']})"
        )
    print(f"edits (both processes, start to end): {edited - synced_first:.1f} s")
    for side, laptop in laptops.items():
        new = change_files(laptop.vault) - before
        assert {name.split(".")[0] for name in new} == {logs[side]["device"]}, (
            f"laptop {side}'s folder holds changes it did not make while syncing was paused"
        )
        assert len(new) == logs[side]["saves"], f"laptop {side} did not save each edit as a file"
        assert logs[side]["saves"] == EDITS + 2

    # Laptop A keeps its copy open meanwhile, to take B's edits in as they arrive.
    kept_open = laptops["A"].open(monkeypatch)

    # Syncing resumes: both folders must become the same, with no conflict copies.
    for side in (st_a, st_b):
        side.set_paused(False)
    wait_settled(st_a, st_b, timeout=90)
    settled = time.monotonic()
    print(
        f"sync after resuming (to {SETTLED_SECONDS:.0f} s unchanged): {settled - edited:.1f} s; "
        f"{len(folder_files(st_a.folder))} files in each folder"
    )

    # Each laptop reads its own copy, with its own key and its own state folder.
    a = laptops["A"].open(monkeypatch)
    b = laptops["B"].open(monkeypatch)
    try:
        check_merged(a, b, logs)
        # The copy A kept open reads B's files (refresh) into the same records.
        touched = kept_open.refresh()
        assert ("clients", logs["B"]["removed"]) in touched
        check_merged(kept_open, b, logs, same_order=False)
        assert conflict_copies(st_a.folder, st_b.folder) == []
        assert journal_files(st_a.folder) == journal_files(st_b.folder)
        # Last, the checks that fail today, gathered so that one run shows them all.
        failures = [*orphans_of_removals(a, b, logs), *files_set_aside(a, b)]
    finally:
        for vault in (kept_open, a, b):
            vault.close()
    print(f"whole test: {time.monotonic() - began:.1f} s")
    assert not failures, "\n".join(failures)


def orphans_of_removals(a: Vault, b: Vault, logs: dict[str, dict[str, Any]]) -> list[str]:
    """A removal wins over what the other laptop did at the same time: nothing of the
    client's is left, not even a goal added for them meanwhile, and no record is left
    pointing at a client who is gone (which 'casetui check' reports as a problem)."""
    failures = []
    for side, log in logs.items():
        other = "B" if side == "A" else "A"
        for vault, where in ((a, "A"), (b, "B")):
            for table, record_id in log["added"]:
                if record_id in vault.repo.table(table):
                    failures.append(
                        f"on laptop {where}, the goal {record_id} that laptop {side} added for "
                        f"client {log['adopted']} while laptop {other} removed that client is "
                        "still there"
                    )
    for vault, where in ((a, "A"), (b, "B")):
        problems = vault.problems()
        if problems:
            failures.append(
                f"laptop {where}'s vault breaks casetui's rules after the merge: "
                + "; ".join(map(str, problems))
            )
    return failures


def files_set_aside(a: Vault, b: Vault) -> list[str]:
    """No file of the vault folder is set aside after a sync that went well.

    (Laptop B cannot read A's first snapshot, written before B's key was added and
    kept, for the grace period, beside the snapshot that replaced it; a later
    snapshot of the same laptop holds all of it, so it is no problem.)
    """
    return [
        f"laptop {where} set a file of the vault folder aside: {problem.sentence}"
        for vault, where in ((a, "A"), (b, "B"))
        for problem in vault.file_problems()
    ]


def check_merged(
    a: Vault, b: Vault, logs: dict[str, dict[str, Any]], *, same_order: bool = True
) -> None:
    """Both copies hold the same records, as the field-level merge promises.

    ``same_order``: both were opened from the same files, so even the order of each
    table's rows is the same (a copy refreshed in place lists the new ones last).
    """
    assert a.journal is not None and b.journal is not None
    assert a.journal.state.vector == b.journal.state.vector
    sorted_a, sorted_b = records_json(a, by_id=True), records_json(b, by_id=True)
    assert sorted_a == sorted_b, "the two laptops hold different records after the sync"
    if same_order:  # byte for byte, in the order each laptop lists them
        assert records_json(a, by_id=False) == records_json(b, by_id=False)

    removed = {logs["A"]["removed"], logs["B"]["removed"]}
    shown = {c.id: c for c in a.repo.clients}
    assert len(shown) == len(CASELOAD) - 2
    for side, log in logs.items():
        # Each removal takes the client's goal and need too, and wins over the other
        # laptop's edits to that client, made at the same time.
        assert sorted(table for table, _rid in log["removed_records"]) == [
            "clients",
            "goals",
            "needs",
        ]
        for vault in (a, b):
            records = vault.records().tables
            assert vault.journal is not None
            for table, record_id in log["removed_records"]:
                assert record_id not in {r.id for r in records[table]}, (side, table, record_id)
                rec = vault.journal.state.record(table, record_id)
                assert rec is not None and rec.gone is not None and not rec.gone.erased
        other = "B" if side == "A" else "A"
        assert log["removed"] in logs[other]["last"], "the other laptop never edited it"

    edited_by = {
        side: {(cid, name) for cid, fields in log["last"].items() for name in fields}
        for side, log in logs.items()
    }
    both = edited_by["A"] & edited_by["B"]
    assert {name for _cid, name in both} == {SHARED}
    for side, log in logs.items():
        assert {name for _cid, name in edited_by[side]} == {*OWN[side], SHARED}
        for cid, fields in log["last"].items():
            if cid in removed:
                continue
            for name, value in fields.items():
                if (cid, name) not in both:
                    assert getattr(shown[cid], name) == value, (side, cid, name)

    expected = {("clients", cid, SHARED) for cid, _name in both if cid not in removed}
    assert len(expected) == len(CASELOAD) - 2
    for vault in (a, b):
        found = {(c.table, c.record_id, c.field): c for c in vault.conflicts()}
        assert set(found) == expected, "conflicts other than the shared field edited on both"
        for key, conflict in found.items():
            cid = key[1]
            last = {logs[side]["last"][cid][SHARED] for side in logs}
            assert {v.value for v in conflict.versions} == last, key
            assert len(conflict.versions) == 2, key
            assert conflict.versions[0].stamp > conflict.versions[1].stamp, key
            assert getattr(shown[cid], SHARED) == conflict.versions[0].value, key

    def listed(vault: Vault) -> list[tuple[str, str, Any]]:
        return sorted((c.record_id, c.field, c.versions) for c in vault.conflicts())

    assert listed(a) == listed(b)


@pytest.mark.slow
def test_both_laptops_keep_saving_while_syncthing_runs(
    syncthing_pair: tuple[Syncthing, Syncthing],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The everyday case: casetui open on both laptops, Syncthing carrying each save
    across as it is made, and each laptop reading the other's (refresh) before it edits.

    Every save must go through on both, and the folders must end the same with no
    Syncthing conflict copy: nothing in them may be written by both laptops.
    """
    st_a, st_b = syncthing_pair
    began = time.monotonic()
    work = tmp_path / "work"
    work.mkdir()
    laptops, ids = shared_vault(st_a, st_b, tmp_path, monkeypatch)
    clients = [ids[name] for name in CASELOAD]
    print(f"setup (vault, B's key, caseload, first sync): {time.monotonic() - began:.1f} s")
    logs = run_editors(
        laptops, clients, {}, work, edits=LIVE_EDITS, live=True, interval=LIVE_INTERVAL
    )
    edited = time.monotonic()
    for side, log in logs.items():
        print(
            f"laptop {side}: {log['edits']} edits while syncing, in {log['seconds']:.1f} s; "
            f"{log['refreshed']} records changed by the other laptop's saves as they arrived"
        )
        assert log["refreshed"] > 0, f"laptop {side} never read a save of the other's"
    wait_settled(st_a, st_b, timeout=60)
    print(f"sync after the last edit: {time.monotonic() - edited:.1f} s")
    a = laptops["A"].open(monkeypatch)
    b = laptops["B"].open(monkeypatch)
    try:
        assert records_json(a, by_id=True) == records_json(b, by_id=True)
        shown = {c.id: c for c in a.repo.clients}
        for side, log in logs.items():
            for cid, fields in log["last"].items():
                for name, value in fields.items():
                    if name != SHARED:
                        assert getattr(shown[cid], name) == value, (side, cid, name)
                    else:
                        lasts = {lg["last"].get(cid, {}).get(SHARED) for lg in logs.values()}
                        assert getattr(shown[cid], name) in lasts, (side, cid, name)
    finally:
        a.close()
        b.close()
    print(f"whole test: {time.monotonic() - began:.1f} s")

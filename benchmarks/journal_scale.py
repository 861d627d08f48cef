"""Vault format 4 (the journal) against format 3 (one file), at 200 and at 2,000 clients.

    python benchmarks/journal_scale.py [--quick]

``--quick`` uses 20 and 200 clients instead, for a run of under half a minute; the
full run takes about three minutes on two cores. Both formats hold the same data,
made by ``agency_scale.build_document`` (per 100 clients: one case manager, 5,000
meetings; at 2,000 clients: 20 case managers, 100,000 meetings): the journal is
created from the document read back from the format 3 file. At each scale it
measures:

1. a save after one edit to one field of one client: the median over 30 saves of
   ``Journal.commit`` (format 4) and of ``Vault.save`` (format 3, after
   ``vault.repo.clients.put``), in ms and in bytes written (and, from the 1,000
   commits of 3., the median commit by table edited: clients, meetings, needs, goals);
2. from key unwrapped to caseload ready: ``Journal.open(..., later=("meetings",
   "audit"))`` then ``document()`` (the clients table and the other small
   tables), against the full ``Journal.open`` and against ``Vault.open``;
3. the full load against its floor, ``keys.decrypt`` + ``json.loads`` of the
   format 3 file (the same document as one file): ``Journal.open`` +
   ``load_rest`` right after a compaction (one snapshot), and again after
   1,000 commits that were not compacted (the cost of replaying them, taken from
   loads of the two folders in turn), and right after a compaction with the
   default grace period (the snapshot it replaced is still there);
4. peak RSS of each load, as ``ru_maxrss`` at the end of a fresh process,
   against the size of the plaintext JSON;
5. how long a compaction takes.

Format 4 is the journal engine of the working tree. Format 3 is ``Vault`` as it
was while it still wrote one file: its source is exported from git (``git
archive``, into the temp folder) at the newest commit whose
``casetui/vault/document.py`` says ``VAULT_VERSION = 3``, or at ``--format3-ref``,
and it runs in processes of its own with that source first on ``PYTHONPATH``.

Every load (floor, format 3, format 4) runs in a fresh process, so none pays for
this process's heap; those processes are started by a small launcher that is
itself started before anything big is built, because on Linux a process started
by a large one inherits that one's peak in ``ru_maxrss``. It prints medians and
ratios against the goals; nothing is asserted. The data is synthetic and the
folder is deleted afterwards.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

# casetui is imported inside the functions: the format 3 processes import another
# casetui (see the docstring) than the one this process and format 4 use.
REPO = Path(__file__).resolve().parents[1]
VERSION_FILE = "src/casetui/vault/document.py"

PASSPHRASE = "benchmark only passphrase"
DEVICE = "benchdevice1"
LATER = ("meetings", "audit")
SAVES = 30
REPLAY_COMMITS = 1_000
KIB = 1024
#: One field edited per commit while building up changes to replay, by table.
REPLAY_EDITS = (
    ("clients", "pronouns"),
    ("meetings", "next_steps"),
    ("needs", "note"),
    ("goals", "status"),
)

LAUNCHER = """
import json, os, subprocess, sys
for line in sys.stdin:
    argv, env = json.loads(line)
    done = subprocess.run(
        argv, capture_output=True, text=True, check=False, env={**os.environ, **env}
    )
    print(json.dumps([done.returncode, done.stdout, done.stderr]), flush=True)
"""


# -- the loads, each in a fresh process ---------------------------------------------------


def peak_rss() -> int:
    """This process's ``ru_maxrss``, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB


def vm_hwm() -> int:
    """VmHWM from /proc, in bytes: a cross-check of ``ru_maxrss``, which it should equal."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * KIB
    return 0


def child(kind: str, path: Path, identity: Path) -> None:
    """Run one load and print its timings and peak RSS as JSON (``--child``)."""
    # Every load imports the vault module first, so each starts from the same modules;
    # a format 3 load gets the one-file Vault (PYTHONPATH), the others today's.
    from casetui.vault import keys
    from casetui.vault.unlocking import keyring_unlocker
    from casetui.vault.vault import Vault

    if kind.startswith("format4"):
        from casetui.vault.journal.device_journal import Journal
    keyring = keys.load_identity_file(identity)  # the key is unwrapped before the clock
    baseline = peak_rss()
    times: dict[str, float] = {}
    rows = 0
    started = time.perf_counter()
    if kind == "floor":
        plaintext = keys.decrypt(path.read_bytes(), keyring, path)
        document = json.loads(plaintext)
        times["load"] = time.perf_counter() - started
        rows = len(document["clients"])
    elif kind == "format3":
        with Vault.open(path, keyring_unlocker(keyring), writable=False) as vault:
            times["load"] = time.perf_counter() - started
            rows = len(vault._storage.document["clients"])
    elif kind == "format4":
        journal = Journal.open(path, keyring, device=DEVICE, later=LATER)
        times["open"] = time.perf_counter() - started
        mark = time.perf_counter()
        first = journal.document()
        times["document"] = time.perf_counter() - mark
        rows = len(first["clients"])
        del first
        mark = time.perf_counter()
        journal.load_rest()
        times["load_rest"] = time.perf_counter() - mark
        mark = time.perf_counter()
        # As the app does (Persistence.load_rest): the rows of the tables left for later.
        later_rows = {table: dict(journal.state.rows(table)) for table in LATER}
        times["document_all"] = time.perf_counter() - mark
        del later_rows
    elif kind == "format4-whole":
        journal = Journal.open(path, keyring, device=DEVICE)
        times["open"] = time.perf_counter() - started
        mark = time.perf_counter()
        rows = len(journal.document()["clients"])
        times["document"] = time.perf_counter() - mark
    else:
        raise SystemExit(f"unknown child {kind}")
    import casetui

    peak = {"baseline": baseline, "peak": peak_rss(), "hwm": vm_hwm()}
    print(json.dumps({"times": times, "rows": rows, **peak, "source": casetui.__file__}))


class Launcher:
    """A small process that starts the loads, so they do not inherit this one's peak RSS."""

    def __init__(self) -> None:
        #: Added to every load's environment (PYTHONPATH, to the source measured).
        self.env: dict[str, str] = {}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def load(
        self, kind: str, path: Path, identity: Path, env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        argv = [sys.executable, __file__, "--child", kind, str(path), str(identity)]
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([argv, {**self.env, **(env or {})}]) + "\n")
        self.proc.stdin.flush()
        rc, out, err = json.loads(self.proc.stdout.readline())
        if rc != 0:
            raise RuntimeError(f"the {kind} load failed:\n{err}")
        result: dict[str, Any] = json.loads(out)
        wanted = Path({**self.env, **(env or {})}["PYTHONPATH"].split(os.pathsep)[0])
        if not Path(result["source"]).is_relative_to(wanted):
            raise RuntimeError(f"the {kind} load ran {result['source']}, not the copy in {wanted}")
        return result

    def loads(
        self,
        kind: str,
        path: Path,
        identity: Path,
        repeat: int,
        env: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Medians over ``repeat`` fresh processes of each timing and of the peak RSS."""
        return summarise([self.load(kind, path, identity, env) for _ in range(repeat)])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of each timing and of the peak RSS over several runs of one load."""
    return {
        "times": {k: statistics.median(r["times"][k] for r in runs) for k in runs[0]["times"]},
        "rows": runs[0]["rows"],
        "baseline": statistics.median(r["baseline"] for r in runs),
        "peak": statistics.median(r["peak"] for r in runs),
        "hwm": statistics.median(r["hwm"] for r in runs),
    }


# -- format 3: the one-file vault, from git ---------------------------------------------------


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def is_format3(ref: str) -> bool:
    try:
        return "VAULT_VERSION = 3" in git("show", f"{ref}:{VERSION_FILE}")
    except subprocess.CalledProcessError:
        return False


def format3_ref(wanted: str | None) -> str:
    """The commit whose ``Vault`` is measured as format 3 (see the docstring)."""
    if wanted is not None:
        ref = git("rev-parse", "--verify", f"{wanted}^{{commit}}")
        if not is_format3(ref):
            raise SystemExit(f"{wanted}: its {VERSION_FILE} does not say VAULT_VERSION = 3")
        return ref
    head = git("rev-parse", "HEAD")
    if is_format3(head):
        return head
    # The commits that added or removed "VAULT_VERSION = 4"; the oldest one's parent.
    changed = git("log", "--format=%H", "-S", "VAULT_VERSION = 4", "--", VERSION_FILE).split()
    if changed and is_format3(f"{changed[-1]}^"):
        return git("rev-parse", f"{changed[-1]}^")
    raise SystemExit("found no commit with the one-file vault; give one with --format3-ref")


def export_source(ref: str, folder: Path) -> Path:
    """``src`` at ``ref``, written under ``folder``; returns the folder to put on PYTHONPATH."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "src"], cwd=REPO, capture_output=True, check=True
    )
    folder.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def copy_source(folder: Path) -> Path:
    """The working tree's ``src``, copied, so one run measures one version even if edited."""
    shutil.copytree(REPO / "src", folder / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return folder / "src"


def format3_vault(clients: int, folder: Path) -> None:
    """Make the format 3 vault and time its saves; print the figures as JSON (a worker)."""
    from agency_scale import build_document  # the same data as the format 3 benchmark
    from casetui.vault.vault import Vault

    document = build_document(clients)
    path = folder / "vault.age"
    vault = Vault.create(path, PASSPHRASE)
    assert vault.keyring.own_secret is not None
    identity = folder / "identity.txt"
    identity.write_text(vault.keyring.own_secret + "\n")
    identity.chmod(0o600)
    vault._storage.document.update(document)
    vault._storage.generation += 1
    vault.save()  # the session's first save also takes the backup: not timed
    del document
    times, sizes = [], []
    for i in range(SAVES):
        client = vault.repo.clients.require(f"cl_{(i * 7919) % clients:06d}")
        vault.repo.clients.put(dataclasses.replace(client, pronouns=f"p{i}"))
        started = time.perf_counter()
        result = vault.save()
        times.append(time.perf_counter() - started)
        assert result is not None
        sizes.append(result.size)
    vault.close()
    made = {"path": str(path), "identity": str(identity), "times": times, "sizes": sizes}
    print(json.dumps(made))


# -- one scale ------------------------------------------------------------------------------


def one_edit(
    saved: dict[str, dict[str, dict[str, Any]]], table: str, record_id: str, name: str, value: Any
) -> dict[str, dict[str, dict[str, Any]]]:
    """``saved`` with one field of one row changed, as TinyDB writes it (new table, new row)."""
    current = dict(saved)
    rows = dict(saved[table])
    rows[record_id] = {**rows[record_id], name: value}
    current[table] = rows
    return current


def spread(times: list[float]) -> tuple[float, float]:
    """The fastest and the 90th percentile, to show how noisy a median is."""
    return min(times), statistics.quantiles(times, n=10)[-1]


def folder_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def measure_scale(
    clients: int, folder: Path, launcher: Launcher, *, repeat: int, replay: int, source3: Path
) -> dict[str, Any]:
    from casetui.vault import keys
    from casetui.vault.journal.device_journal import Journal

    out: dict[str, Any] = {"clients": clients}
    print(f"\n== {clients:,} clients ==", flush=True)
    env3 = {"PYTHONPATH": os.pathsep.join([str(source3), str(Path(__file__).parent)])}

    # -- format 3: one file, rewritten whole on every save --------------------------------
    work = folder / f"v3-{clients}"
    work.mkdir()
    done = subprocess.run(
        [sys.executable, __file__, "--format3-vault", str(clients), str(work)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env3},
    )
    if done.returncode != 0:
        raise RuntimeError(f"the format 3 vault could not be made:\n{done.stderr}")
    made = json.loads(done.stdout)
    path3, identity3 = Path(made["path"]), Path(made["identity"])
    out["f3_save_s"] = statistics.median(made["times"])
    out["f3_save_spread"] = spread(made["times"])
    out["f3_save_bytes"] = statistics.median(made["sizes"])
    print(f"  format 3: {SAVES} saves, median {out['f3_save_s'] * 1e3:.0f} ms", flush=True)

    # The journal starts from the document the format 3 file holds: the same data.
    keyring3 = keys.load_identity_file(identity3)
    plaintext = keys.decrypt(path3.read_bytes(), keyring3, path3)
    out["plain_bytes"] = len(plaintext)
    out["f3_file_bytes"] = path3.stat().st_size
    doc3: dict[str, dict[str, dict[str, Any]]] = json.loads(plaintext)
    del plaintext
    counts = {table: len(rows) for table, rows in doc3.items() if table != "_meta"}
    print("  " + ", ".join(f"{n:,} {t}" for t, n in counts.items() if n), flush=True)

    # -- format 4: the journal ------------------------------------------------------------
    text, public = keys.generate_identity()
    keyring = keys.Keyring(keys.parse_identity_text(text, Path("x")), "identity file")
    recipients = [keys.RecipientEntry("this vault", public)]
    identity4 = folder / f"v4-{clients}.identity.txt"
    identity4.write_text(text)
    identity4.chmod(0o600)
    root = folder / f"v4-{clients}"
    vault_id = str(doc3["_meta"]["1"].get("vault_id", "benchmark"))
    started = time.perf_counter()
    journal = Journal.create(
        root, doc3, keyring=keyring, recipients=recipients, vault_id=vault_id, device=DEVICE
    )
    out["f4_create_s"] = time.perf_counter() - started
    del doc3
    gc.collect()
    print(f"  format 4: created in {out['f4_create_s']:.1f} s", flush=True)

    saved = journal.document()
    commit_times, commit_sizes = [], []
    for i in range(SAVES):
        rid = f"cl_{(i * 7919) % clients:06d}"
        current = one_edit(saved, "clients", rid, "pronouns", f"j{i}")
        started = time.perf_counter()
        # As Vault.save does: the storage notes which ids were written since the last save.
        commit = journal.commit(
            saved, current, by="benchmark", recipients=recipients, only={"clients": {rid}}
        )
        commit_times.append(time.perf_counter() - started)
        assert commit is not None and commit.records == 1
        commit_sizes.append(commit.size)
        saved = current
    out["f4_save_s"] = statistics.median(commit_times)
    out["f4_save_spread"] = spread(commit_times)
    out["f4_save_bytes"] = statistics.median(commit_sizes)

    started = time.perf_counter()
    journal.compact(recipients, grace=0)
    out["compact_s"] = time.perf_counter() - started
    out["f4_folder_bytes"] = folder_size(root)
    print(f"  format 4: compacted in {out['compact_s']:.1f} s", flush=True)

    # -- the loads, each in a fresh process -------------------------------------------------
    out["floor"] = launcher.loads("floor", path3, identity3, repeat)
    out["f3_open"] = launcher.loads("format3", path3, identity3, repeat, env3)
    out["f4_whole"] = launcher.loads("format4-whole", root, identity4, repeat)
    for name in ("floor", "f3_open", "f4_whole"):
        assert out[name]["rows"] == clients, (name, out[name]["rows"])
    # Kept as it is now, to load in turn with the folder that has changes to replay.
    compacted = folder / f"v4-{clients}-compacted"
    shutil.copytree(root, compacted)
    print("  loads after the compaction: done", flush=True)

    # -- commits left uncompacted, then the load that replays them --------------------------
    rng = random.Random(4)
    ids = {table: list(saved[table]) for table, _name in REPLAY_EDITS}
    by_table: dict[str, list[tuple[float, int]]] = {table: [] for table in ids}
    for i in range(replay):
        table, name = REPLAY_EDITS[i % len(REPLAY_EDITS)]
        rid = rng.choice(ids[table])
        current = one_edit(saved, table, rid, name, f"edit {i}")
        started = time.perf_counter()
        commit = journal.commit(
            saved, current, by="benchmark", recipients=recipients, only={table: {rid}}
        )
        by_table[table].append((time.perf_counter() - started, commit.size if commit else 0))
        saved = current
    out["replay_commits"] = {
        table: (statistics.median(t for t, _ in v), statistics.median(s for _, s in v))
        for table, v in by_table.items()
    }
    # In turn, so that whatever else the computer does falls on both alike; the cost of
    # the replay is the median of the differences within each pair.
    plain_runs, replay_runs = [], []
    for _ in range(repeat):
        plain_runs.append(launcher.load("format4", compacted, identity4))
        replay_runs.append(launcher.load("format4", root, identity4))
    out["f4_load"] = summarise(plain_runs)
    out["f4_replay"] = summarise(replay_runs)
    out["replay_added_s"] = statistics.median(
        full_load(b) - full_load(a) for a, b in zip(plain_runs, replay_runs, strict=True)
    )
    assert out["f4_load"]["rows"] == out["f4_replay"]["rows"] == clients
    print(f"  loads with and without {replay:,} uncompacted commits: done", flush=True)

    # As the app compacts: with the grace period, so the snapshot it replaces (and the
    # change files) stay for three days, and every open meanwhile finds two snapshots.
    started = time.perf_counter()
    journal.compact(recipients)
    out["compact_after_replay_s"] = time.perf_counter() - started
    out["f4_grace"] = launcher.loads("format4", root, identity4, repeat)
    out["f4_grace_files"] = sum(1 for p in root.rglob("*.age"))
    print("  load after a compaction with the default grace: done", flush=True)
    del journal, saved, current
    gc.collect()
    return out


# -- reporting ------------------------------------------------------------------------------


def full_load(result: dict[str, Any]) -> float:
    """Journal.open(later=...) + load_rest, with the rows the app's store is given
    (the caseload's tables, then the meeting log's and the trail's).

    ``result`` is one run's or a summary's (of medians).
    """
    times = result["times"]
    return float(times["open"] + times["document"] + times["load_rest"] + times["document_all"])


def caseload_ready(result: dict[str, Any]) -> float:
    times = result["times"]
    return float(times["open"] + times["document"])


def report_scale(r: dict[str, Any], replay: int) -> None:
    mb = 1e6
    floor = r["floor"]["times"]["load"]
    f3 = r["f3_open"]["times"]["load"]
    load, again = full_load(r["f4_load"]), full_load(r["f4_replay"])
    print(f"\n-- {r['clients']:,} clients: details --")
    print(
        f"plaintext JSON {r['plain_bytes'] / mb:.1f} MB; format 3 file "
        f"{r['f3_file_bytes'] / mb:.1f} MB; format 4 folder after compaction "
        f"{r['f4_folder_bytes'] / mb:.1f} MB; Journal.create {r['f4_create_s']:.2f} s"
    )
    print(
        f"1. save after one edit (median of {SAVES}): format 3 Vault.save "
        f"{r['f3_save_s'] * 1e3:.1f} ms (fastest {r['f3_save_spread'][0] * 1e3:.1f}, p90 "
        f"{r['f3_save_spread'][1] * 1e3:.1f}), {r['f3_save_bytes']:,.0f} B; format 4 "
        f"Journal.commit {r['f4_save_s'] * 1e3:.2f} ms (fastest "
        f"{r['f4_save_spread'][0] * 1e3:.2f}, p90 {r['f4_save_spread'][1] * 1e3:.2f}), "
        f"{r['f4_save_bytes']:,.0f} B"
    )
    d = r["f4_load"]["times"]
    w = r["f4_whole"]["times"]
    print(
        f"2. caseload ready: Journal.open(later) {d['open']:.3f} s + document() "
        f"{d['document'] * 1e3:.1f} ms = {caseload_ready(r['f4_load']):.3f} s; full "
        f"Journal.open {w['open']:.3f} s + document() {w['document'] * 1e3:.1f} ms = "
        f"{w['open'] + w['document']:.3f} s; format 3 Vault.open {f3:.3f} s"
    )
    print(
        f"3. floor (read + keys.decrypt + json.loads of the format 3 file) {floor:.3f} s; "
        f"format 3 Vault.open {f3:.3f} s ({f3 / floor:.2f}x)"
    )
    print(
        f"   format 4 after compaction: open(later) {d['open']:.3f} s + rows "
        f"{d['document'] * 1e3:.0f} ms + load_rest {d['load_rest']:.3f} s + rows "
        f"{d['document_all'] * 1e3:.0f} ms = {load:.3f} s ({load / floor:.2f}x the floor)"
    )
    e = r["f4_replay"]["times"]
    added = r["replay_added_s"]
    print(
        f"   format 4 after {replay:,} uncompacted commits: open(later) {e['open']:.3f} s + "
        f"load_rest {e['load_rest']:.3f} s = {again:.3f} s ({again / floor:.2f}x the floor); "
        f"loaded in turn with the compacted copy, replay adds {added * 1e3:+.0f} ms = "
        f"{added / floor:+.1%} of the floor, {added / load:+.1%} of the compacted load"
    )
    g = r["f4_grace"]["times"]
    grace = full_load(r["f4_grace"])
    print(
        f"   format 4 right after a compaction with the default grace ({r['f4_grace_files']:,} "
        f"files, two snapshots): open(later) {g['open']:.3f} s + load_rest "
        f"{g['load_rest']:.3f} s = {grace:.3f} s ({grace / floor:.2f}x the floor)"
    )
    commits = ", ".join(
        f"{table} {t * 1e3:.2f} ms / {s:,.0f} B" for table, (t, s) in r["replay_commits"].items()
    )
    print(f"   those commits, median by table edited: {commits}")
    print(
        "4. peak RSS = ru_maxrss at the end of a fresh process that imports casetui, reads "
        "the key and loads (nothing subtracted):"
    )
    for name, label in (
        ("floor", "floor (decrypt + json.loads)"),
        ("f3_open", "format 3 Vault.open"),
        ("f4_load", "format 4 open(later) + load_rest + document()"),
        ("f4_whole", "format 4 full open + document()"),
        ("f4_replay", f"format 4 as above, {replay:,} commits to replay"),
        ("f4_grace", "format 4 as above, two snapshots (default grace)"),
    ):
        m = r[name]
        print(
            f"   {label:<52} {m['peak'] / mb:7.1f} MB = {m['peak'] / r['plain_bytes']:.2f}x "
            f"plaintext (imports alone {m['baseline'] / mb:.0f} MB; VmHWM {m['hwm'] / mb:.1f} MB)"
        )
    print(
        f"5. compaction: {r['compact_s']:.2f} s after {SAVES} commits (grace 0), "
        f"{r['compact_after_replay_s']:.2f} s after {replay:,} more (default grace)"
    )


def final_table(small: dict[str, Any], big: dict[str, Any], replay: int) -> None:
    n, m = f"{big['clients']:,}", f"{small['clients']:,}"
    floor = big["floor"]["times"]["load"]
    f3_open = big["f3_open"]["times"]["load"]
    load, again = full_load(big["f4_load"]), full_load(big["f4_replay"])
    plain = big["plain_bytes"]
    rows = [
        (
            f"save after one edit, {n} clients (ms)",
            f"{big['f3_save_s'] * 1e3:.1f}",
            f"{big['f4_save_s'] * 1e3:.2f}",
            "",
        ),
        (
            f"  save time, {n} vs {m} clients",
            f"{big['f3_save_s'] / small['f3_save_s']:.2f}x",
            f"{big['f4_save_s'] / small['f4_save_s']:.2f}x",
            "<= 1.5x",
        ),
        (
            f"  one meeting edit instead, {n} vs {m}",
            "",
            f"{big['replay_commits']['meetings'][0] / small['replay_commits']['meetings'][0]:.2f}x",
            "<= 1.5x",
        ),
        (
            "  bytes written per save (KiB)",
            f"{big['f3_save_bytes'] / KIB:,.0f}",
            f"{big['f4_save_bytes'] / KIB:.2f}",
            "<= 64 KiB",
        ),
        (
            "key unwrapped -> caseload ready (s)",
            f"{f3_open:.3f}",
            f"{caseload_ready(big['f4_load']):.3f}",
            "<= 0.4 s",
        ),
        (
            "  full open, every table (s)",
            f"{f3_open:.3f}",
            f"{big['f4_whole']['times']['open'] + big['f4_whole']['times']['document']:.3f}",
            "",
        ),
        ("full load: floor (s)", f"{floor:.3f}", f"{floor:.3f}", ""),
        (
            "  full load / floor, compacted",
            f"{f3_open / floor:.2f}x",
            f"{load / floor:.2f}x",
            "<= 1.0x",
        ),
        (
            f"  full load / floor, {replay:,} commits",
            "",
            f"{again / floor:.2f}x",
            "",
        ),
        (
            "  replay adds (share of the floor)",
            "",
            f"{big['replay_added_s'] / floor:+.1%}",
            "<= 10%",
        ),
        (
            "  full load / floor, two snapshots",
            "",
            f"{full_load(big['f4_grace']) / floor:.2f}x",
            "",
        ),
        (
            "peak RSS / plaintext JSON",
            f"{big['f3_open']['peak'] / plain:.2f}x",
            f"{big['f4_load']['peak'] / plain:.2f}x",
            "<= 2.5x",
        ),
        (
            f"compaction, {n} clients (s)",
            "",
            f"{big['compact_s']:.2f}",
            "",
        ),
    ]
    print(f"\n== summary at {n} clients (format 3: one file; format 4: the journal) ==")
    print(f"{'figure':<40}{'format 3':>12}{'format 4':>12}{'goal':>12}")
    for figure, three, four, goal in rows:
        print(f"{figure:<40}{three:>12}{four:>12}{goal:>12}")
    print(
        f"\nplaintext JSON {plain / 1e6:.1f} MB. Peak RSS is ru_maxrss of a fresh process "
        "(interpreter, casetui's imports, the key, the load), nothing subtracted; format 4's "
        "is open(later) + load_rest + document(). The full load of format 4 is "
        "Journal.open(later) + load_rest, with the rows handed to the store; format 3's is "
        "Vault.open. 'Replay adds' is the extra load time after the uncompacted commits, as "
        "a share of the floor."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 and 200 clients")
    parser.add_argument(
        "--repeat", type=int, help="fresh processes per load (default 3; 2 with --quick)"
    )
    parser.add_argument(
        "--format3-ref", metavar="REF", help="the git commit whose one-file Vault is format 3"
    )
    parser.add_argument("--format3-vault", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--child", nargs=3, metavar=("KIND", "PATH", "IDENTITY"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    if args.format3_vault:
        format3_vault(int(args.format3_vault[0]), Path(args.format3_vault[1]))
        return

    started = time.perf_counter()
    scales = (20, 200) if args.quick else (200, 2_000)
    repeat = args.repeat or (2 if args.quick else 3)
    with tempfile.TemporaryDirectory(prefix="casetui-journal-bench-") as tmp:
        folder = Path(tmp)
        # The vaults' "seen" records go here, not in this computer's state folder.
        os.environ["CASETUI_STATE_DIR"] = str(folder / "state")
        launcher = Launcher()  # before anything big: see the docstring
        ref = format3_ref(args.format3_ref)
        source3 = export_source(ref, folder / "format3-source")
        dirty = len(git("status", "--porcelain", "--", "src").splitlines())
        source4 = copy_source(folder / "format4-source")
        sys.path.insert(0, str(source4))  # before this process imports casetui
        launcher.env = {"PYTHONPATH": str(source4)}
        print(
            f"format 3: casetui at commit {ref[:12]} (exported from git); format 4: the "
            f"working tree's src (HEAD {git('rev-parse', '--short=12', 'HEAD')}, "
            f"{dirty} files changed since), copied at the start"
        )
        try:
            results = [
                measure_scale(
                    c, folder, launcher, repeat=repeat, replay=REPLAY_COMMITS, source3=source3
                )
                for c in scales
            ]
        finally:
            launcher.close()
    for r in results:
        report_scale(r, REPLAY_COMMITS)
    final_table(results[0], results[1], REPLAY_COMMITS)
    print(f"\n(benchmark ran {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

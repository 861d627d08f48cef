"""Agency-scale benchmark: each operation timed against its floor on the same bytes.

    python benchmarks/agency_scale.py [--clients 2000] [--repeat 5]

Builds a vault of 20 case managers, 2,000 clients, 10,000 goals, 40,000 need
items, 100,000 meetings, 6,000 referrals, 4,000 consents and a strengths
assessment, safety plan and court date per client in a temp folder, then measures:

* unlock, without the scrypt step (reported on its own), against the floor
  ``pyrage.decrypt`` + ``json.loads`` of the same file, and apart, the scan for
  text that needs cleaning that every unlock runs, and the walk that cleans it;
* one save after a single edit, against the floor ``json.dumps`` +
  ``pyrage.encrypt`` + writing the bytes with fsync;
* the caseload query for one case manager (cold: first query after unlock,
  which builds the indexes; first in the app: after the indexes were built in
  the unlock worker, as the app does, with that build timed apart; warm: the
  next one);
* Today for one case manager and for everyone (first call after the caseload);
* the week view for one case manager, and the team (supervisor) view;
* peak RSS of a process that unlocks, edits, saves and queries, against the
  size of the plaintext JSON.

It prints medians and ratios. Nothing is asserted: timings belong here, not in
tests. The data is synthetic and the folder is deleted afterwards.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pyrage

from casetui.core.catalog import CATALOG
from casetui.core.records import Client
from casetui.core.strengths import QUESTIONS
from casetui.core.text import json_may_need_cleaning, sanitise_document
from casetui.services import caseload_view, today_view, week_view
from casetui.services.readiness import accreditation
from casetui.vault import keys
from casetui.vault.unlocking import keyring_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths

PASSPHRASE = "benchmark only passphrase"
WORDS = [
    "housing",
    "appointment",
    "paperwork",
    "school",
    "hopeful",
    "tired",
    "court",
    "application",
    "bus",
    "pass",
    "clinic",
    "counsellor",
    "interpreter",
    "childcare",
    "shelter",
    "rent",
    "deposit",
    "job",
    "interview",
    "training",
    "permit",
    "benefits",
    "food",
    "bank",
    "clothing",
    "phone",
    "library",
    "plan",
    "safety",
    "progress",
    "steps",
    "week",
    "together",
    "calm",
    "worried",
    "proud",
    "family",
    "friend",
    "community",
]


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def build_document(clients: int, seed: int = 1) -> dict[str, dict[str, dict[str, object]]]:
    """Raw TinyDB tables at the requested scale (5 goals, 20 needs, 50 meetings per client)."""
    rng = random.Random(seed)
    as_of = date(2026, 11, 16)
    staff_n = max(1, clients // 100)
    doc: dict[str, dict[str, dict[str, object]]] = {
        "staff": {},
        "clients": {},
        "goals": {},
        "needs": {},
        "meetings": {},
        "admin_blocks": {},
        "partners": {},
        "referrals": {},
        "consents": {},
        "strengths": {},
        "safety_plans": {},
        "legal_matters": {},
    }
    for p in range(40):
        doc["partners"][f"pa_{p:04d}"] = {
            "name": f"Partner Agency {p}",
            "kind": "other",
            "phone": "555-0100",
            "languages": "English, Spanish",
            "trauma_informed": p % 2 == 0,
            "notes": text(rng, 10),
        }
    for s in range(staff_n):
        doc["staff"][f"st_{s:04d}"] = {
            "name": f"Case Manager {s}",
            "capacity": 120,
            "admin_hours_target": 6.0,
        }
        for b in range(5):
            doc["admin_blocks"][f"ab_{s:04d}_{b}"] = {
                "staff_id": f"st_{s:04d}",
                "kind": "admin",
                "on": "2026-01-05",
                "start": f"{9 + b}:00".zfill(5),
                "end": f"{10 + b}:00".zfill(5),
                "weekly": True,
                "until": None,
                "note": "",
            }
    statuses = ["not_assessed", "needed", "in_progress", "met", "not_needed", "declined"]
    goal_statuses = ["not_started", "in_progress", "achieved", "paused", "revised"]
    kinds = ["scheduled", "check_in", "accompaniment", "crisis", "phone_video"]
    for c in range(clients):
        cid = f"cl_{c:06d}"
        intake = as_of - timedelta(days=rng.randint(400, 900))
        doc["clients"][cid] = Client(
            id=cid,
            preferred_name=f"Client {c} Samplename",
            pronouns=rng.choice(["she/her", "he/him", "they/them", ""]),
            intake_date=intake,
            status=rng.choice(["active"] * 8 + ["on_hold", "closed"]),
            case_manager_id=f"st_{c % staff_n:04d}",
            checkin_interval_days=rng.choice([7, 14, 21, 30]),
            language=rng.choice(["English", "Spanish", "Arabic", "Vietnamese"]),
            culture_notes=text(rng, 12),
            safe_contact_notes=text(rng, 8),
            needs_reassessed_on=intake + timedelta(days=30),
        ).to_dict(with_id=False)
        for g in range(5):
            doc["goals"][f"go_{c:06d}_{g}"] = {
                "client_id": cid,
                "text": text(rng, 14),
                "priority": g + 1,
                "status": rng.choice(goal_statuses),
                "target_date": None,
                "linked_needs": [f"nd_{c:06d}_{g}"],
                "progress_notes": [{"on": "2026-06-01", "text": text(rng, 10)}],
            }
        for n in range(20):
            need = CATALOG[n % len(CATALOG)]
            doc["needs"][f"nd_{c:06d}_{n}"] = {
                "client_id": cid,
                "catalog_key": need.key,
                "label": need.label,
                "horizon": need.horizon.value,
                "domain": need.domain.value,
                "status": rng.choice(statuses),
                "status_date": "2026-05-01",
                "note": text(rng, 6),
            }
        for m in range(50):
            on = intake + timedelta(days=7 * m)
            doc["meetings"][f"mt_{c:06d}_{m:02d}"] = {
                "client_id": cid,
                "staff_id": f"st_{c % staff_n:04d}",
                "on": on.isoformat(),
                "duration_minutes": rng.choice([30, 45, 60, 90]),
                "kind": rng.choice(kinds),
                "summary": text(rng, 40),
                "client_view": text(rng, 15),
                "observations": text(rng, 25),
                "goals_discussed": [f"go_{c:06d}_0"],
                "next_steps": text(rng, 12),
                "next_checkin": (on + timedelta(days=14)).isoformat(),
                "progress_discussed": True,
            }
        for r in range(3):
            opened = as_of - timedelta(days=rng.randint(5, 120))
            steps = ["planned", "referred", "scheduled", "attending", "completed"]
            reached = steps[: rng.randint(1, 5)]
            history = [
                {"on": (opened + timedelta(days=3 * i)).isoformat(), "status": st, "note": ""}
                for i, st in enumerate(reached)
            ]
            doc["referrals"][f"rf_{c:06d}_{r}"] = {
                "client_id": cid,
                "partner_id": f"pa_{(c + r) % 40:04d}",
                "service": "other",
                "need_id": f"nd_{c:06d}_{r}",
                "follow_up_on": (opened + timedelta(days=21)).isoformat(),
                "status": reached[-1],
                "history": history,
                "note": text(rng, 8),
            }
        for k in range(2):
            signed = as_of - timedelta(days=rng.randint(10, 400))
            doc["consents"][f"co_{c:06d}_{k}"] = {
                "client_id": cid,
                "partner_id": f"pa_{(c + k) % 40:04d}",
                "shares": text(rng, 8),
                "purpose": text(rng, 8),
                "signed_on": signed.isoformat(),
                "expires_on": (signed + timedelta(days=365)).isoformat(),
            }
        doc["strengths"][f"sa_{c:06d}"] = {
            "client_id": cid,
            "on": "2026-06-01",
            **{name: text(rng, 12) for name, _q in QUESTIONS},
        }
        doc["safety_plans"][f"sp_{c:06d}"] = {
            "client_id": cid,
            "main_concern": text(rng, 20),
            "people": text(rng, 12),
            "reviewed_on": "2026-09-01",
            "developed_with_client": True,
        }
        doc["legal_matters"][f"lm_{c:06d}"] = {
            "client_id": cid,
            "kind": "court_date",
            "status": "scheduled",
            "on": (as_of + timedelta(days=rng.randint(-30, 30))).isoformat(),
            "description": "Hearing",
        }
    return doc


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def write_fsync(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def peak_rss() -> int:
    """This process's peak resident set (VmHWM), in bytes.

    ``ru_maxrss`` is not used: on Linux it carries the parent's peak across
    fork and exec, so a child started by a large parent would report that.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure_rss(vault_path: Path, identity_file: Path) -> None:
    """Run in a child process: unlock, edit, save, query; print peak RSS in bytes."""
    import dataclasses

    from casetui.vault.unlocking import identity_unlocker

    baseline = peak_rss()
    with Vault.open(vault_path, identity_unlocker(identity_file)) as vault:
        client = vault.repo.clients.require("cl_000001")
        vault.repo.clients.put(dataclasses.replace(client, pronouns="they/them"))
        vault.save()
        caseload_view.caseload(vault.repo, date(2026, 11, 16), staff_id="st_0001")
    print(json.dumps({"baseline": baseline, "peak": peak_rss()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--measure-rss", nargs=2, metavar=("VAULT", "IDENTITY"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.measure_rss:
        measure_rss(Path(args.measure_rss[0]), Path(args.measure_rss[1]))
        return

    with tempfile.TemporaryDirectory(prefix="casetui-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "vault.age"
        print(f"Building {args.clients:,} clients ...", flush=True)
        document = build_document(args.clients)
        counts = {table: len(rows) for table, rows in document.items()}
        print("  " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))

        Vault.create(path, PASSPHRASE).close()
        started = time.perf_counter()
        keyring = keys.load_vault_identity(VaultPaths(path).identity, PASSPHRASE)
        scrypt_seconds = time.perf_counter() - started
        identity_file = folder / "identity.txt"
        assert keyring.own_secret is not None
        identity_file.write_text(keyring.own_secret + "\n")
        identity_file.chmod(0o600)

        with Vault.open(path, keyring_unlocker(keyring)) as vault:
            vault._storage.document.update(document)
            vault._storage.generation += 1
            vault.save()
            started = time.perf_counter()
            problems = vault.problems()
            validate_seconds = time.perf_counter() - started
            assert problems == [], problems[:3]
        del document

        ciphertext = path.read_bytes()
        identities = keyring.identities
        plaintext = pyrage.decrypt(ciphertext, identities)
        plain_size = len(plaintext)
        doc = json.loads(plaintext)
        del plaintext
        print(
            f"  plaintext JSON {plain_size / 1e6:.1f} MB, ciphertext {len(ciphertext) / 1e6:.1f} MB"
        )

        # -- unlock ------------------------------------------------------------
        def unlock_floor() -> None:
            json.loads(pyrage.decrypt(path.read_bytes(), identities))

        def unlock() -> None:
            Vault.open(path, keyring_unlocker(keyring)).close()

        unlock_floor_s = median_time(unlock_floor, args.repeat)
        unlock_s = median_time(unlock, args.repeat)

        # -- cleaning stored text on open (part of unlock) ----------------------
        scan_s = median_time(
            functools.partial(json_may_need_cleaning, pyrage.decrypt(ciphertext, identities)),
            args.repeat,
        )
        # The document is clean, so the walk changes nothing but visits every value.
        walk_s = median_time(lambda: sanitise_document(doc), args.repeat)

        # -- save --------------------------------------------------------------
        scratch = folder / "floor.bin"
        recipients = [pyrage.x25519.Recipient.from_str(r) for r in keyring.public_keys()]

        def save_floor() -> None:
            write_fsync(
                scratch, pyrage.encrypt(json.dumps(doc, ensure_ascii=False).encode(), recipients)
            )

        save_floor_s = median_time(save_floor, args.repeat)
        scratch.unlink()

        import dataclasses

        with Vault.open(path, keyring_unlocker(keyring)) as vault:
            client = vault.repo.clients.require("cl_000001")
            started = time.perf_counter()
            caseload_view.caseload(vault.repo, date(2026, 11, 16), staff_id="st_0001")
            caseload_cold = time.perf_counter() - started
            caseload_warm = median_time(
                lambda: caseload_view.caseload(vault.repo, date(2026, 11, 16), staff_id="st_0001"),
                args.repeat,
            )
            rows = len(caseload_view.caseload(vault.repo, date(2026, 11, 16), staff_id="st_0001"))
            started = time.perf_counter()
            today_rows = len(today_view.today(vault.repo, date(2026, 11, 16), staff_id="st_0001"))
            today_mine = time.perf_counter() - started
            started = time.perf_counter()
            today_all_rows = len(today_view.today(vault.repo, date(2026, 11, 16), staff_id=None))
            today_everyone = time.perf_counter() - started
            started = time.perf_counter()
            week_view.week_summary(vault.repo, "st_0001", date(2026, 11, 16))
            week_one = time.perf_counter() - started
            started = time.perf_counter()
            team_rows = len(week_view.supervisor_rows(vault.repo, date(2026, 11, 16)))
            team_all = time.perf_counter() - started
            started = time.perf_counter()
            readiness_rows = len(accreditation(vault.repo, date(2026, 11, 16)))
            readiness_all = time.perf_counter() - started
            vault.save(force=True)  # the session's first save also takes the backup
            edits = iter(range(10_000))

            def save_one_edit() -> None:
                vault.repo.clients.put(dataclasses.replace(client, pronouns=f"p{next(edits)}"))
                vault.save()

            save_s = median_time(save_one_edit, args.repeat)

        # As the app opens: the indexes are built in the unlock worker, then the caseload.
        gc.collect()  # the session above is gone; do not time its clean-up
        with Vault.open(path, keyring_unlocker(keyring), writable=False) as fresh:
            started = time.perf_counter()
            fresh.repo.build_indexes()
            index_build = time.perf_counter() - started
            started = time.perf_counter()
            caseload_view.caseload(fresh.repo, date(2026, 11, 16), staff_id="st_0001")
            caseload_in_app = time.perf_counter() - started

        rss = subprocess.run(
            [sys.executable, __file__, "--measure-rss", str(path), str(identity_file)],
            capture_output=True,
            text=True,
            check=True,
        )
        memory = json.loads(rss.stdout)

    print()
    print(f"{'measure':<38}{'casetui':>10}{'floor':>10}{'ratio':>8}{'target':>10}")
    print(
        f"{'unlock without scrypt (s)':<38}{unlock_s:>10.3f}{unlock_floor_s:>10.3f}"
        f"{unlock_s / unlock_floor_s:>8.2f}{'<= 1.5x':>10}"
    )
    print(
        f"{'save after one edit (s)':<38}{save_s:>10.3f}{save_floor_s:>10.3f}"
        f"{save_s / save_floor_s:>8.2f}{'<= 1.5x':>10}"
    )
    print(
        f"{'caseload, one case manager, cold (ms)':<38}{caseload_cold * 1e3:>10.1f}"
        f"{'':>10}{'':>8}{'<= 20 ms':>10}"
    )
    print(
        f"{'indexes, in the unlock worker (ms)':<38}{index_build * 1e3:>10.1f}"
        f"{'':>10}{'':>8}{'':>10}"
    )
    print(
        f"{'caseload, first in the app (ms)':<38}{caseload_in_app * 1e3:>10.1f}"
        f"{'':>10}{'':>8}{'<= 20 ms':>10}"
    )
    print(
        f"{'caseload, one case manager, warm (ms)':<38}{caseload_warm * 1e3:>10.1f}"
        f"{'':>10}{'':>8}{'<= 20 ms':>10}"
    )
    print(
        f"{'peak RSS (MB) vs plaintext JSON (MB)':<38}{memory['peak'] / 1e6:>10.1f}"
        f"{plain_size / 1e6:>10.1f}{memory['peak'] / plain_size:>8.2f}{'<= 3x':>10}"
    )
    print()
    print(f"scrypt step of unlock (reported apart): {scrypt_seconds:.2f} s")
    print(f"interpreter + imports before unlocking: {memory['baseline'] / 1e6:.1f} MB RSS")
    print(f"full validation of every record (casetui check, import): {validate_seconds:.2f} s")
    print(
        f"cleaning stored text on open: byte scan {scan_s * 1e3:.1f} ms on every unlock "
        f"({scan_s / unlock_floor_s:.1%} of the floor); walk over every value "
        f"{walk_s * 1e3:.1f} ms, only when the scan finds something to clean"
    )
    print(f"caseload rows for that case manager: {rows}")
    print(
        f"Today for that case manager: {today_mine * 1e3:.1f} ms ({today_rows} items); "
        f"for everyone: {today_everyone * 1e3:.1f} ms ({today_all_rows} items)"
    )
    print(
        f"Week view for that case manager: {week_one * 1e3:.1f} ms; "
        f"team view of {team_rows} case managers: {team_all * 1e3:.1f} ms"
    )
    print(
        f"Accreditation readiness of every active client: {readiness_all * 1e3:.0f} ms "
        f"({readiness_rows} clients)"
    )


if __name__ == "__main__":
    main()

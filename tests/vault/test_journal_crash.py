"""The format-4 journal survives being killed at any moment of a save or a compaction.

A child process opens the vault folder as device ``crash0001`` and saves in a
loop (and compacts every 7th save); the test kills it with SIGKILL at a random
moment, opens the folder afresh and checks that it opens without problems and
holds either the last save the child finished or the one it was making. Then
the next child carries on from there. All names are made up for these tests.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from casetui.vault import keys
from casetui.vault.journal import journal_folder as jf
from casetui.vault.journal.device_journal import Document, Journal

DEVICE = "crash0001"
VAULT_ID = "v1-crash-loop-test"
KILLS = 200
SRC = Path(__file__).resolve().parents[2] / "src"

#: The child: resumes the device's journal, then saves (and compacts) until it is killed.
#: Progress lines: "r" once open, "<k>" after save k returned, "c"/"C" around a compaction.
CHILD = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from casetui.vault import keys
    from casetui.vault.journal.device_journal import Journal

    cfg = json.loads(Path(os.environ["CASETUI_CRASH_CONFIG"]).read_text())
    keyring = keys.Keyring(
        keys.parse_identity_text(cfg["identity"], Path("crash.key")), "identity file"
    )
    recipients = [keys.RecipientEntry("crash test", cfg["recipient"])]
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    journal = Journal.open(Path(cfg["root"]), keyring, device=cfg["device"])
    saved = journal.document()
    k = saved["clients"]["cl_1"]["count"]
    os.write(fd, b"r\\n")
    while True:
        k += 1
        current = {table: dict(rows) for table, rows in saved.items()}
        current["clients"]["cl_1"] = {**saved["clients"]["cl_1"], "count": k}
        current["meetings"]["m_1"] = {**saved["meetings"]["m_1"], "minutes": k}
        journal.commit(saved, current, by="crash test", recipients=recipients)
        os.write(fd, f"{k}\\n".encode())
        saved = current
        if k % 7 == 0:
            os.write(fd, b"c\\n")
            journal.compact(recipients, grace=0)
            os.write(fd, b"C\\n")
    """
)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    return env


def first_document() -> Document:
    return {
        "_meta": {"1": {"format": "casetui-vault", "version": 4}},
        "clients": {"cl_1": {"preferred_name": "Robin Testcase", "count": 0}},
        "meetings": {"m_1": {"client_id": "cl_1", "note": "Weekly check-in.", "minutes": 0}},
    }


def progress_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    text = path.read_text()
    return text.split("\n")[:-1]  # a line counts once its newline is written


def wait_until_open(child: subprocess.Popen[bytes], progress: Path) -> None:
    deadline = time.monotonic() + 20
    while "r" not in progress_lines(progress):
        if child.poll() is not None:
            break
        assert time.monotonic() < deadline, "the child did not open the vault"
        time.sleep(0.002)


def where_killed(lines: list[str]) -> str:
    if not lines:
        return "opening"
    return "compaction" if lines[-1] == "c" else "save"


@pytest.mark.slow
def test_the_journal_survives_being_killed_during_saves_and_compactions(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    text, public = keys.generate_identity()
    keyring = keys.Keyring(keys.parse_identity_text(text, tmp_path / "crash.key"), "identity file")
    recipients = [keys.RecipientEntry("crash test", public)]
    root = tmp_path / "vault"
    Journal.create(
        root,
        first_document(),
        keyring=keyring,
        recipients=recipients,
        vault_id=VAULT_ID,
        device=DEVICE,
    )
    config = tmp_path / "crash-config.json"
    config.write_text(
        json.dumps({"identity": text, "recipient": public, "root": str(root), "device": DEVICE})
    )
    config.chmod(0o600)
    env = child_env()
    env["CASETUI_CRASH_CONFIG"] = str(config)
    rng = random.Random(20240611)
    count = 0
    landed: Counter[str] = Counter()
    most_temps = 0
    for kill in range(KILLS):
        progress = tmp_path / f"progress-{kill:03d}.txt"
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(progress)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_until_open(child, progress)
            time.sleep(rng.uniform(0.005, 0.150))
            child.send_signal(signal.SIGKILL)
            _out, err = child.communicate(timeout=20)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        assert child.returncode == -signal.SIGKILL, err.decode(errors="replace")
        lines = progress_lines(progress)
        landed[where_killed(lines)] += 1
        finished = [int(line) for line in lines if line.isdigit()]
        last = finished[-1] if finished else count

        journal = Journal.open(root, keyring, device="reader01")
        assert journal.problems == [], (kill, journal.problems)
        doc = journal.document()
        new_count = doc["clients"]["cl_1"]["count"]
        assert new_count in (last, last + 1), (kill, last, new_count, lines[-3:])
        assert new_count >= count
        # Both records are in the same change: never one without the other.
        assert doc["meetings"]["m_1"]["minutes"] == new_count
        assert doc["clients"]["cl_1"]["preferred_name"] == "Robin Testcase"
        # Save k is the device's change k + 1 (the first snapshot is change 1): none lost.
        assert journal.state.vector == {DEVICE: new_count + 1}
        listing = jf.scan(root)
        assert listing.strays == [], listing.strays
        temps = [p for sub in (jf.CHANGES, jf.SNAPSHOTS) for p in (root / sub).glob(".*")]
        most_temps = max(most_temps, len(temps))
        count = new_count

    # The device carries on normally after the last kill.
    journal = Journal.open(root, keyring, device=DEVICE)
    saved = journal.document()
    current = {table: dict(rows) for table, rows in saved.items()}
    current["clients"]["cl_1"] = {**saved["clients"]["cl_1"], "count": count + 1}
    assert journal.commit(saved, current, by="crash test", recipients=recipients)
    journal.compact(recipients, grace=0)
    listing = jf.scan(root)
    assert list(listing.changes) == []
    assert list(listing.snapshots) == [(DEVICE, max(seq for _d, seq in listing.snapshots))]
    reopened = Journal.open(root, keyring, device="reader01")
    assert reopened.problems == []
    assert reopened.document()["clients"]["cl_1"]["count"] == count + 1

    elapsed = time.monotonic() - started
    print(
        f"\n{KILLS} kills in {elapsed:.1f} s: {landed['save']} during saves, "
        f"{landed['compaction']} during compactions, {landed['opening']} while opening; "
        f"{count} saves made; at most {most_temps} hidden temp files left by kills"
    )
    assert landed["save"] > 0
    assert landed["compaction"] > 0


#: A child that saves once and is killed just after the change file is linked into place,
#: before its temp file is removed: what a kill (or a power cut) there leaves behind.
KILLED_AFTER_LINK = textwrap.dedent(
    """
    import json, os, signal
    from pathlib import Path
    from casetui.vault import keys
    from casetui.vault.journal.device_journal import Journal

    cfg = json.loads(Path(os.environ["CASETUI_CRASH_CONFIG"]).read_text())
    keyring = keys.Keyring(
        keys.parse_identity_text(cfg["identity"], Path("crash.key")), "identity file"
    )
    recipients = [keys.RecipientEntry("crash test", cfg["recipient"])]
    journal = Journal.open(Path(cfg["root"]), keyring, device=cfg["device"])
    real_link = os.link

    def link_then_die(src, dst, *args, **kwargs):
        real_link(src, dst, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    os.link = link_then_die
    saved = journal.document()
    current = {table: dict(rows) for table, rows in saved.items()}
    current["clients"]["cl_7"] = {**saved["clients"]["cl_7"], "note": cfg["note"]}
    journal.commit(saved, current, by="crash test", recipients=recipients)
    """
)

CANARY = "Canary-7f3a-Quill-Zoë"


def holding_canary(root: Path, keyring: keys.Keyring) -> list[Path]:
    """Every file under ``root`` (hidden ones too) whose plaintext holds the canary."""
    forms = (CANARY.encode(), json.dumps(CANARY)[1:-1].encode(), b"Canary-7f3a-Quill")
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if keys.is_age_file(data):
            data = keys.decrypt(data, keyring, path, "journal file")
        if any(form in data for form in forms):
            found.append(path)
    return found


def test_an_erasure_also_removes_what_a_killed_save_left_behind(tmp_path: Path) -> None:
    """A save killed between linking its change file into place and removing its temp file
    leaves a hidden copy of the change; the compaction after an erasure removes it too, so
    it does not keep the erased person's details."""
    text, public = keys.generate_identity()
    keyring = keys.Keyring(keys.parse_identity_text(text, tmp_path / "crash.key"), "identity file")
    recipients = [keys.RecipientEntry("crash test", public)]
    root = tmp_path / "vault"
    document = first_document()
    document["clients"]["cl_7"] = {"preferred_name": "Jo Example", "pronouns": "they/them"}
    Journal.create(
        root, document, keyring=keyring, recipients=recipients, vault_id=VAULT_ID, device=DEVICE
    )
    config = tmp_path / "crash-config.json"
    note = f"{CANARY} asked about the bus pass."
    config.write_text(
        json.dumps(
            {
                "identity": text,
                "recipient": public,
                "root": str(root),
                "device": DEVICE,
                "note": note,
            }
        )
    )
    config.chmod(0o600)
    env = child_env()
    env["CASETUI_CRASH_CONFIG"] = str(config)
    child = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_LINK],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode(errors="replace")

    journal = Journal.open(root, keyring, device=DEVICE)
    assert journal.problems == []
    assert journal.document()["clients"]["cl_7"]["note"] == note  # the save landed
    assert jf.scan(root).strays == []
    assert holding_canary(root, keyring)

    saved = journal.document()
    current = {table: dict(rows) for table, rows in saved.items()}
    del current["clients"]["cl_7"]
    erased = {("clients", "cl_7")}
    assert journal.commit(saved, current, by="test", recipients=recipients, erased=erased)
    journal.compact(recipients, grace=0)
    assert "cl_7" not in Journal.open(root, keyring, device="reader01").document()["clients"]
    assert holding_canary(root, keyring) == []

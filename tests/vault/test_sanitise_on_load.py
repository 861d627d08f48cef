"""Stored text is cleaned when a vault is opened, not only when it is typed.

A vault edited by hand, or written by an older casetui, can hold escape
sequences, bidi overrides, C1 controls or DEL in any string. Opening it must
clean every string in memory, so nothing downstream sees them: not the records,
not the caseload rows (built partly from raw rows), not the raw rows themselves,
and not the screen. Text given on the command line is cleaned on the way in too.

In a vault folder (format 4) such text comes in a change file from another device
(or from a key holder's own tool), made with the vault's journal secret.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.app import App, ComposeResult
from textual.widgets import Static

from casetui import cli
from casetui.core.errors import VaultShapeError
from casetui.core.records import Client, Goal, Meeting
from casetui.core.text import (
    json_may_need_cleaning,
    sanitise,
    sanitise_document,
    strip_controls,
)
from casetui.services import caseload_view
from casetui.ui.app import CaseApp
from casetui.ui.screens.client import ClientScreen
from casetui.vault import keys
from casetui.vault.document import load_document
from casetui.vault.unlocking import passphrase_unlocker
from casetui.vault.vault import Vault
from tests.conftest import PASSPHRASE, VaultFiles, tree_bytes, vault_document
from tests.ui.test_ui_flows import caseload_ready, wait_for
from tests.vault.test_audit_forgery import as_one_file, rewrite

TODAY = date(2026, 11, 16)

# What opening must remove: C0 controls but TAB and LF, DEL, C1, the line and
# paragraph separators, and the bidi embedding, override and isolate controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")

HOSTILE_NAME = "Ana\x1b]0;PWNED\x07 \x1b[31mRed\x1b[0m \u202eMaría\x7f\x9b2J"
CLEAN_NAME = "Ana Red María"
HOSTILE_NOTES = "First line\r\nsecond \x1b]52;c;ZXZpbA==\x1b\\line \u2066iso\u2069\x85third\x90"
CLEAN_NOTES = "First line\nsecond line iso\nthird"
HOSTILE_SUMMARY = "Met \x9d0;TITLE\x9cat the \x1bP dcs \x1b\\library\u2028\x08done"
CLEAN_SUMMARY = "Met at the library\ndone"
HOSTILE_PROGRESS = "Called the clinic\x1b[2J\x1b[H\u202d back\x7f"
CLEAN_PROGRESS = "Called the clinic back"
HOSTILE_STAFF = "Robin\x1b]0;x\x07 Testwell\u202e"
CLEAN_STAFF = "Robin Testwell"


def strings_in(value: object) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def unsafe_strings(value: object) -> list[str]:
    return [s for s in strings_in(value) if UNSAFE.search(s)]


def screen_text(app: App[Any]) -> str:
    """The characters the screen would send to a terminal, without Rich's own styling.

    Rendered as Textual does for a screenshot, so no terminal (and no tmux) is needed.
    """
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


def decrypt(path: Path, files: VaultFiles) -> bytes:
    keyring = keys.load_identity_file(files.identity_file)
    return keys.decrypt(path.read_bytes(), keyring, path)


def stored(files: VaultFiles) -> dict[str, Any]:
    """The vault's records as its folder holds them (merged, not cleaned)."""
    return vault_document(files.vault, keys.load_identity_file(files.identity_file))


def _placeholder_client(vault: Vault) -> tuple[str, Client]:
    """The vault's owner and a valid client, to be edited by hand afterwards."""
    owner = vault.owner_staff_id
    assert owner is not None
    client = vault.repo.clients.add(
        Client.create(
            preferred_name="Placeholder", intake_date=date(2026, 1, 5), case_manager_id=owner
        )
    )
    return owner, client


@pytest.fixture
def hostile_vault(vault_files: VaultFiles, request: pytest.FixtureRequest) -> dict[str, str]:
    """A vault whose folder holds hostile text, in a change a hand edit would leave.

    Records are first made the normal way (so they are valid), then a key holder
    writes a change of their own setting hostile text (with non-ASCII escaped, or
    raw, per the parameter), made with the vault's journal secret. Returns the ids.
    """
    ensure_ascii: bool = getattr(request, "param", True)
    with vault_files.open() as vault:
        owner, client = _placeholder_client(vault)
        meeting = vault.repo.meetings.add(
            Meeting.create(client_id=client.id, on=date(2026, 11, 2), summary="placeholder")
        )
        goal = vault.repo.goals.add(
            Goal.create(
                client_id=client.id,
                text="Find a flat near school",
                progress_notes=[{"on": "2026-11-02", "text": "placeholder"}],
            )
        )
        vault.save()

    def edit(document: dict[str, Any]) -> None:
        row = document["clients"][client.id]
        row["preferred_name"] = HOSTILE_NAME
        row["culture_notes"] = HOSTILE_NOTES
        document["meetings"][meeting.id]["summary"] = HOSTILE_SUMMARY
        document["goals"][goal.id]["progress_notes"][0]["text"] = HOSTILE_PROGRESS
        document["staff"][owner]["name"] = HOSTILE_STAFF

    change = rewrite(vault_files, edit, ensure_ascii=ensure_ascii)
    payload = decrypt(change, vault_files)
    assert json_may_need_cleaning(payload)
    assert (b"\\u202e" in payload) is ensure_ascii  # escaped, or written raw
    return {"client": client.id, "meeting": meeting.id, "goal": goal.id, "staff": owner}


@pytest.mark.parametrize("hostile_vault", [True, False], indirect=True, ids=["escaped", "raw"])
def test_opening_cleans_records_caseload_rows_and_raw_rows(
    vault_files: VaultFiles, hostile_vault: dict[str, str]
) -> None:
    ids = hostile_vault
    before = tree_bytes(vault_files.vault)
    with vault_files.open() as vault:
        # Cleaning is not an edit: nothing to save, and opening wrote nothing.
        assert not vault.dirty
        repo = vault.repo

        client = repo.clients.require(ids["client"])
        assert client.preferred_name == CLEAN_NAME
        assert client.culture_notes == CLEAN_NOTES
        assert repo.meetings.require(ids["meeting"]).summary == CLEAN_SUMMARY
        [note] = repo.goals.require(ids["goal"]).progress_notes
        assert note.text == CLEAN_PROGRESS
        assert repo.staff.require(ids["staff"]).name == CLEAN_STAFF

        [row] = caseload_view.caseload(repo, TODAY)
        assert row.client.preferred_name == CLEAN_NAME
        assert row.case_manager == CLEAN_STAFF  # read from the raw staff row

        raw = repo.clients.raw()[ids["client"]]
        assert raw["preferred_name"] == CLEAN_NAME
        assert raw["culture_notes"] == CLEAN_NOTES
        assert repo.meetings.raw()[ids["meeting"]]["summary"] == CLEAN_SUMMARY
        assert repo.staff.raw()[ids["staff"]]["name"] == CLEAN_STAFF
        assert unsafe_strings(vault._storage.document) == []
    assert tree_bytes(vault_files.vault) == before


def test_the_next_snapshot_writes_the_cleaned_text(
    vault_files: VaultFiles, hostile_vault: dict[str, str]
) -> None:
    """A save writes only what changed; a snapshot, the whole vault: as read, cleaned.

    (Text is cleaned as each file is read, so the raw files are looked at here.)
    """
    assert raw_escapes(vault_files)  # the folder holds them at first
    with vault_files.open() as vault:
        client = vault.repo.clients.require(hostile_vault["client"])
        vault.repo.clients.put(dataclasses.replace(client, pronouns="she/her"))
        assert vault.save(force=True) is not None
    assert raw_escapes(vault_files) == []
    assert unsafe_strings(stored(vault_files)) == []


def raw_escapes(files: VaultFiles) -> list[str]:
    """The vault folder's files whose decrypted bytes hold an escape, raw or in JSON."""
    keyring = keys.load_identity_file(files.identity_file)
    found = []
    for file in sorted(files.vault.rglob("*.age")):
        plain = keys.decrypt(file.read_bytes(), keyring, file)
        if b"\x1b" in plain or b"\\u001b" in plain or "\u202e".encode() in plain:
            found.append(file.name)
    return found


async def test_the_rendered_caseload_and_profile_hold_no_escape(
    vault_files: VaultFiles, hostile_vault: dict[str, str]
) -> None:
    with vault_files.open() as vault:
        app = CaseApp(vault_files.vault, vault=vault, today=TODAY)
        async with app.run_test(size=(120, 40)) as pilot:
            await caseload_ready(pilot, app)
            await wait_for(pilot, lambda: CLEAN_NAME in screen_text(app))
            await pilot.press("m")  # everyone's clients: adds the case manager column
            await wait_for(pilot, lambda: CLEAN_STAFF in screen_text(app))
            shown = screen_text(app)
            assert CLEAN_NAME in shown
            assert UNSAFE.findall(shown) == []
            assert "PWNED" not in shown

            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
            await wait_for(pilot, lambda: "second line" in screen_text(app))
            shown = screen_text(app)
            assert CLEAN_NAME in shown
            assert UNSAFE.findall(shown) == []
            await pilot.press("ctrl+q")


async def test_the_screen_capture_would_see_an_escape() -> None:
    """Control for the test above: text that reaches the screen raw is caught."""

    class Raw(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(HOSTILE_NAME, markup=False)

    app = Raw()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        assert "\x1b" in screen_text(app)


def test_a_clean_vault_is_not_walked(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening scans the bytes once; the walk over every value runs only when needed."""

    def walk(document: object) -> int:
        raise AssertionError("a clean vault was walked")

    monkeypatch.setattr("casetui.vault.document.sanitise_document", walk)
    with vault_files.open() as vault:
        vault.repo.clients.add(
            Client.create(
                preferred_name="Line one\nLine two — María ¿sí?",
                intake_date=date(2026, 1, 5),
                case_manager_id=vault.owner_staff_id,
                culture_notes="Notes\nover\tlines",
            )
        )
        vault.save()
    with vault_files.open(writable=False) as vault:
        assert len(vault.repo.clients) == 1


def test_a_document_nested_too_deeply_is_a_clear_error(tmp_path: Path) -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(VaultShapeError, match="does not hold valid JSON"):
        load_document(deep, tmp_path / "vault.age")


# -- the command line ---------------------------------------------------------------


def test_init_cleans_the_name_given_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    path = tmp_path / "vault" / "vault.age"
    assert cli.main(["init", "--vault", str(path), "--name", HOSTILE_STAFF]) == 0
    with Vault.open(path, passphrase_unlocker(PASSPHRASE), writable=False) as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        assert vault.repo.staff.require(owner).name == CLEAN_STAFF
        assert unsafe_strings(vault._storage.document) == []
    capsys.readouterr()

    nothing = tmp_path / "other" / "vault.age"
    assert cli.main(["init", "--vault", str(nothing), "--name", "\x1b]0;x\x07\u202e"]) == 1
    err = capsys.readouterr().err
    assert "Your name is required" in err
    assert "\x1b" not in err
    assert not nothing.exists()


# -- properties ---------------------------------------------------------------------

SPECIALS = list(
    "\x1b\x07\x9b\x9c\x9d\x85\r\n\t\x7f\x00\x08\x0c\u202a\u202e\u2066\u2069\u2028\u2029[];P\\"
)
TEXT = st.text(
    st.one_of(st.sampled_from(SPECIALS), st.characters(exclude_categories=["Cs"])), max_size=30
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=30,
).filter(lambda doc: isinstance(doc, dict | list))


def same_shape(before: object, after: object) -> None:
    """Same keys, lengths and non-string values; strings are the cleaned originals."""
    if isinstance(before, str):
        assert isinstance(after, str)
        assert after == strip_controls(before)
    elif isinstance(before, dict):
        assert isinstance(after, dict)
        assert list(after) == list(before)
        for key in before:
            same_shape(before[key], after[key])
    elif isinstance(before, list):
        assert isinstance(after, list)
        assert len(after) == len(before)
        for old, new in zip(before, after, strict=True):
            same_shape(old, new)
    else:
        assert type(after) is type(before)
        assert after == before


def string_values(value: object) -> Iterator[str]:
    """Every string value in a JSON value (keys are left alone by design)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from string_values(item)


@settings(max_examples=300)
@given(DOCUMENTS)
def test_sanitising_a_document_keeps_its_shape_and_is_idempotent(
    document: dict[str, Any] | list[Any],
) -> None:
    original = copy.deepcopy(document)
    changed = sanitise_document(document)
    same_shape(original, document)
    assert changed == sum(
        1 for a, b in zip(string_values(original), string_values(document), strict=True) if a != b
    )
    assert [s for s in string_values(document) if UNSAFE.search(s)] == []
    again = copy.deepcopy(document)
    assert sanitise_document(again) == 0
    assert again == document


@settings(max_examples=300)
@given(DOCUMENTS, st.booleans())
def test_the_byte_scan_never_misses_text_that_needs_cleaning(
    document: dict[str, Any] | list[Any], ensure_ascii: bool
) -> None:
    payload = json.dumps(document, ensure_ascii=ensure_ascii).encode()
    if sanitise_document(copy.deepcopy(document)):
        assert json_may_need_cleaning(payload)


def test_the_byte_scan_passes_ordinary_text() -> None:
    """Line breaks, tabs, accents, dashes and scripts are not a reason to walk."""
    document = {"a": ["Line one\nline\ttwo", "María — ¿sí? «ok» · 50 °C", "Nguyễn · مريم · 👩‍👧"]}
    for ensure_ascii in (False, True):
        assert not json_may_need_cleaning(json.dumps(document, ensure_ascii=ensure_ascii).encode())
    sample = (Path(__file__).parents[2] / "sample_data" / "caseload.json").read_bytes()
    assert not json_may_need_cleaning(sample)


@given(TEXT)
def test_sanitise_is_strip_controls_then_tidying(text: str) -> None:
    assert strip_controls(strip_controls(text)) == strip_controls(text)
    assert not UNSAFE.search(strip_controls(text))
    assert sanitise(strip_controls(text)) == sanitise(text)


# -- keys: a hand edit can put an escape in a record id or a table name ----------------


@pytest.mark.parametrize("form", ["one file", "folder"])
@pytest.mark.parametrize("where", ["record id", "table name", "field name"])
def test_an_escape_in_a_key_never_reaches_the_terminal(
    vault_files: VaultFiles, home: Path, where: str, form: str
) -> None:
    """Keys are refused by their patterns, and the refusal must not echo them raw.

    In a vault of one file (format 3, still read) the whole file is refused. In a
    folder, a change whose record id or table name breaks the patterns is set
    aside (the rest of the vault opens); a field casetui does not know is a record
    that breaks the rules.
    """
    from tests.conftest import run_casetui

    with vault_files.open() as vault:
        _owner, client = _placeholder_client(vault)
        vault.save()
    hostile = "x\x1b]0;pwned\x07\x1b[2J\x9b31m"

    def edit(document: dict[str, Any]) -> None:
        if where == "record id":
            document["clients"][f"cl_{hostile}"] = document["clients"].pop(client.id)
        elif where == "table name":
            document[f"notes{hostile}"] = {} if form == "one file" else {"nt_1": {"text": "x"}}
        else:
            document["clients"][client.id][f"nickname{hostile}"] = "Placeholder"

    if form == "one file":
        as_one_file(vault_files, edit)
    else:
        rewrite(vault_files, edit)
    set_aside = form == "folder" and where != "field name"
    for argv in (["check"], ["export", "--format", "csv", "--plaintext", "--out", "-"]):
        result = run_casetui(
            *argv, "--vault", vault_files.vault, "--identity", vault_files.identity_file, home=home
        )
        said = result.stdout + result.stderr
        assert result.returncode != 0, said
        if set_aside and argv == ["check"]:
            assert f"was not applied: a {where} is not valid" in said, said
        assert "Traceback" not in said
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in said, (argv, said)
